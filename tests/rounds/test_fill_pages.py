"""The filling side of the monthly dispatch, one report at a time through its pages: the
report form, submitting one report, and the report page with its copy of record, its
return reason and the city's decisions. The grid is in test_fill_grid.py, the lists in
test_fill_lists.py. Every test checks what was stored, not only codes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select, update

from dispatch.audit import Acting
from dispatch.rounds import services
from models import ConstructionStatus, ProgressReport, ReportSnapshot, ReportStatus
from tests.conftest import START, post_form
from tests.fuzz.pages import find_form, messages
from tests.rounds.helpers import approved_then_next_round, fill
from tests.rounds.page_helpers import html, reread, signed_in

FORM = {
    "construction_status": "under_construction",
    "percent_complete": "40",
    "investment_month": "120.5",
    "investment_cumulative": "300",
    "actual_start": "2025-03-10",
    "actual_completion": "",
    "stable_operation_from": "",
    "description": "主体工程施工中",
    "problems": "",
    "next_steps": "设备安装",
}


def edit(client: Any, report: ProgressReport, token_from: str | None = None, **overrides: str):  # type: ignore[no-untyped-def]
    path = f"/rounds/reports/{report.id}/edit"
    data = {**FORM, "version": str(report.version_id), **overrides}
    return post_form(client, path, data, token_from=token_from or path)


# --- the report form --------------------------------------------------------------------


def test_enterprise_fills_its_own_report_through_the_form(rounds, db, login_as) -> None:
    report = rounds.report(db, "ent")
    client = login_as("enterprise_a")
    assert "本月待填报" in html(client, "/rounds/todo")

    response = edit(client, report)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/rounds/reports/{report.id}"
    saved = reread(db, report)
    assert saved.status == ReportStatus.ENTERPRISE_FILLED
    assert saved.percent_complete == Decimal("40.00")
    assert saved.investment_cumulative == Decimal("300.00")
    assert saved.description == "主体工程施工中"
    assert saved.filled_by_id == rounds.world.users["enterprise_a"].id
    assert saved.enterprise_filled_at is not None
    page = html(client, f"/rounds/reports/{report.id}")
    assert "填报已保存（区县提交前仍可修改）" in page
    assert "企业填报" in page  # the history


def test_enterprise_may_fill_again_until_the_district_submits(rounds, db, app, login_as) -> None:
    report = rounds.report(db, "ent")
    client = login_as("enterprise_a")
    assert edit(client, report).status_code == 302
    report = reread(db, report)
    assert edit(client, report, description="第二次填报").status_code == 302
    assert reread(db, report).description == "第二次填报"
    with app.app_context():
        services.submit(
            db, Acting(rounds.world.users["district_a"], START), report, version=report.version_id
        )
        db.commit()
    report = reread(db, report)
    page = client.get(f"/rounds/reports/{report.id}/edit", follow_redirects=True)
    assert "不能修改" in page.get_data(as_text=True)
    shown = f"/rounds/reports/{report.id}"
    assert edit(client, report, shown, description="提交后再改").status_code == 302
    assert reread(db, report).description == "第二次填报"
    assert reread(db, report).status == ReportStatus.SUBMITTED


def test_another_enterprise_gets_404_and_changes_nothing(rounds, db, login_as) -> None:
    report = rounds.report(db, "ent")
    version = report.version_id
    client = login_as("enterprise_b")
    for path in (f"/rounds/reports/{report.id}", f"/rounds/reports/{report.id}/edit"):
        assert client.get(path).status_code == 404
    response = post_form(
        client,
        f"/rounds/reports/{report.id}/edit",
        {**FORM, "version": str(version)},
        token_from="/rounds/todo",
    )
    assert response.status_code == 404
    saved = reread(db, report)
    assert saved.version_id == version and saved.status == ReportStatus.PENDING
    assert saved.description == ""


def test_stale_version_is_refused_and_the_typed_values_kept(rounds, db, login_as) -> None:
    report = rounds.report(db, "ent")
    shown_version = report.version_id
    fill(db, rounds.world.users["district_a"], report, description="区县先保存")
    db.commit()
    client = login_as("enterprise_a")

    path = f"/rounds/reports/{report.id}/edit"
    response = post_form(
        client,
        path,
        {**FORM, "version": str(shown_version), "description": "企业后保存"},
        token_from=path,
    )

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "已被他人修改" in page
    assert "企业后保存" in page
    assert reread(db, report).description == "区县先保存"


def test_rule_refusals_name_the_field_through_the_form(rounds, db, app, login_as) -> None:
    report = approved_then_next_round(rounds, db, app)
    version = report.version_id
    client = login_as("enterprise_a")
    page = html(client, f"/rounds/reports/{report.id}")
    assert "沿用 2025年5月 已通过的填报" in page

    cases = [
        ({"construction_status": "preparation"}, "建设状态", "建设状态只能向前推进"),
        ({"investment_cumulative": "100"}, "累计完成投资", "累计完成投资不能小于上次审核通过的"),
        ({"construction_status": "completed"}, "实际完工日期", "时须填写实际完工日期"),
    ]
    for overrides, field, message in cases:
        response = edit(client, report, **overrides)
        assert response.status_code == 200, overrides
        shown = [m for m in messages(response.get_data(as_text=True)) if message in m]
        assert shown and all(field in m for m in shown), (overrides, shown)
        # What the user typed stays in the form.
        assert f'value="{next(iter(overrides.values()))}"' in response.get_data(as_text=True)

    saved = reread(db, report)
    assert saved.version_id == version and saved.status == ReportStatus.PENDING
    assert saved.construction_status == ConstructionStatus.UNDER_CONSTRUCTION
    assert saved.investment_cumulative == Decimal("300.00")


def test_hostile_text_is_refused_on_its_field(rounds, db, login_as) -> None:
    report = rounds.report(db, "pub")
    client = login_as("district_a")
    response = edit(client, report, percent_complete="１２", problems="a\x00b")
    assert response.status_code == 200
    found = messages(response.get_data(as_text=True))
    assert any("完成进度（%）" in m for m in found)
    assert any("存在问题" in m and "控制字符" in m for m in found)
    assert reread(db, report).version_id == report.version_id


# --- submitting one report --------------------------------------------------------------


def test_district_submits_one_report_with_its_copy_of_record(rounds, db, login_as) -> None:
    report = rounds.report(db, "pub")
    fill(db, rounds.world.users["district_a"], report)
    db.commit()
    client = login_as("district_a")
    path = f"/rounds/reports/{report.id}"
    response = post_form(
        client, f"{path}/submit", {"version": str(report.version_id)}, token_from=path
    )
    assert response.status_code == 302
    saved = reread(db, report)
    assert saved.status == ReportStatus.SUBMITTED and not saved.late
    snapshot = db.scalar(select(ReportSnapshot).where(ReportSnapshot.report_id == report.id))
    assert snapshot is not None

    page = html(client, path)
    assert snapshot.sha256 in page
    assert 'data-testid="snapshot-ok"' in page
    assert "已提交市局审核" in page


def test_report_page_marks_a_copy_of_record_that_no_longer_matches(rounds, db, login_as) -> None:
    report = rounds.report(db, "pub")
    fill(db, rounds.world.users["district_a"], report)
    services.submit(
        db, Acting(rounds.world.users["district_a"], START), report, version=report.version_id
    )
    db.commit()
    db.execute(update(ReportSnapshot).values(canonical='{"tampered":true}'))
    db.commit()
    page = html(login_as("city"), f"/rounds/reports/{report.id}")
    assert 'data-testid="snapshot-bad"' in page and "内容与摘要不符" in page


def test_submit_without_a_version_is_refused(rounds, db, login_as) -> None:
    report = rounds.report(db, "pub")
    fill(db, rounds.world.users["district_a"], report)
    db.commit()
    client = login_as("district_a")
    path = f"/rounds/reports/{report.id}"
    response = post_form(client, f"{path}/submit", {}, token_from=path, follow_redirects=True)
    assert "版本" in response.get_data(as_text=True)
    assert reread(db, report).status == ReportStatus.PENDING


def test_returned_report_shows_its_reason_and_can_be_fixed(rounds, db, app, login_as) -> None:
    users = rounds.world.users
    report = rounds.report(db, "pub")
    with app.app_context():
        fill(db, users["district_a"], report)
        services.submit(db, Acting(users["district_a"], START), report, version=report.version_id)
        services.return_report(
            db, Acting(users["city"], START), report, "投资数据有误", version=report.version_id
        )
        db.commit()
    client = login_as("district_a")
    page = html(client, f"/rounds/reports/{report.id}")
    assert 'data-testid="review-comment"' in page and "投资数据有误" in page
    todo = html(client, "/rounds/todo")
    assert 'data-testid="todo-returned"' in todo and "投资数据有误" in todo
    assert edit(client, reread(db, report), investment_month="99").status_code == 302
    assert reread(db, report).investment_month == Decimal("99.00")
    assert reread(db, report).status == ReportStatus.RETURNED


# --- the city's decision on the report page ---------------------------------------------


def test_city_returns_from_the_report_page(rounds, db, app) -> None:
    report = rounds.report(db, "ent")
    fill(db, rounds.world.users["district_a"], report)
    services.submit(
        db, Acting(rounds.world.users["district_a"], START), report, version=report.version_id
    )
    db.commit()
    client = signed_in(app, rounds.world, "city")
    path = f"/rounds/reports/{report.id}"
    page = html(client, path)
    assert find_form(page, path, f"{path}/approve", "POST") is not None
    form = find_form(page, path, f"{path}/return", "POST")
    assert form is not None and set(form.fields) == {"csrf_token", "version", "reason"}
    # Neither a district's nor an enterprise's page offers the city's decisions.
    for key in ("district_a", "enterprise_a"):
        other = html(signed_in(app, rounds.world, key), path)
        assert find_form(other, path, f"{path}/return", "POST") is None

    response = client.post(form.url, data={**form.values(), "reason": "请补充佐证"})

    assert response.status_code == 302
    saved = reread(db, report)
    assert saved.status == ReportStatus.RETURNED and saved.return_reason == "请补充佐证"

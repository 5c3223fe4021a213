"""The filling side of the monthly dispatch, through its pages: the report form, the grid,
submitting one or all complete reports, the report page, the to-do list, the round's
report list and a project's history. Every test checks what was stored, not only codes."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from sqlalchemy import event, select, update

from dispatch.audit import Acting
from dispatch.rounds import services
from models import (
    ConstructionStatus,
    DispatchRound,
    PlanStatus,
    ProgressReport,
    ReportSnapshot,
    ReportStatus,
)
from tests.conftest import START, login, post_form
from tests.fuzz.pages import find_form, messages
from tests.projects.helpers import make_project
from tests.rounds.helpers import fill

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


def signed_in(app: Any, world: Any, key: str) -> Any:
    """A browser of its own, signed in as the world's user ``key``."""
    client = app.test_client()
    user = world.users[key]
    assert login(client, user.username, world.password).status_code == 302
    return client


def html(client: Any, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status)
    return response.get_data(as_text=True)


def reread(db: Any, report: ProgressReport) -> ProgressReport:
    db.expire_all()
    found = db.get(ProgressReport, report.id)
    assert found is not None
    return found


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


def _approved_then_next_round(rounds: Any, db: Any, app: Any, clock: Any) -> ProgressReport:
    """ent's May report approved at 300 万元 under construction; June's round open."""
    users = rounds.world.users
    report = rounds.report(db, "ent")
    with app.app_context():
        fill(db, users["district_a"], report)
        services.submit(db, Acting(users["district_a"], START), report, version=report.version_id)
        services.approve(db, Acting(users["city"], START), report, version=report.version_id)
        june = services.open_round(db, Acting(users["city"], START), rounds.world.city, 2025, 6)
        db.commit()
    new = db.scalar(
        select(ProgressReport).where(
            ProgressReport.round_id == june.id, ProgressReport.project_id == report.project_id
        )
    )
    assert new is not None
    return new


def test_rule_refusals_name_the_field_through_the_form(rounds, db, app, clock, login_as) -> None:
    report = _approved_then_next_round(rounds, db, app, clock)
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


# --- the grid ---------------------------------------------------------------------------


def submit_complete_form(client: Any, round_id: int) -> tuple[str, dict[str, Any]]:
    """The page with the grid, and what its 提交全部完整的填报 button posts (every row's
    ``id:version``; a multi-valued field the fuzz parser keeps once)."""
    path = f"/rounds/{round_id}/grid"
    page = html(client, path)
    form = find_form(page, path, f"/rounds/{round_id}/submit-complete", "POST")
    assert form is not None
    versions = re.findall(r'name="versions" value="([^"]+)"', page)
    return page, {"csrf_token": form.fields["csrf_token"].value, "versions": versions}


def grid_form(client: Any, round_id: int) -> dict[str, str]:
    """What the grid page posts when nothing is changed (as the browser would)."""
    path = f"/rounds/{round_id}/grid"
    form = find_form(html(client, path), path, path, "POST")
    assert form is not None
    return form.values()


def test_grid_save_is_all_or_nothing_with_messages_on_the_bad_cells(rounds, db, login_as) -> None:
    ent, pub = rounds.report(db, "ent"), rounds.report(db, "pub")
    versions = {ent.id: ent.version_id, pub.id: pub.version_id}
    client = login_as("district_a")
    data = grid_form(client, rounds.round.id)
    assert f"r{rounds.report(db, 'b').id}.version" not in data  # 乙区's row is not 甲区's
    data[f"r{ent.id}.description"] = "锅炉拆除完成"
    data[f"r{ent.id}.construction_status"] = "under_construction"
    data[f"r{ent.id}.actual_start"] = "2025-04-01"
    data[f"r{pub.id}.description"] = "管网铺设"
    data[f"r{pub.id}.percent_complete"] = "150"

    path = f"/rounds/{rounds.round.id}/grid"
    response = client.post(path, data=data)

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    found = messages(page)
    assert any("完成进度（%）" in m and "100" in m for m in found), found
    assert 'value="150"' in page and "锅炉拆除完成" in page  # typed values kept
    assert "本次未保存任何修改" in page
    for report in (ent, pub):
        saved = reread(db, report)
        assert saved.version_id == versions[report.id] and saved.description == ""

    data[f"r{pub.id}.percent_complete"] = "35"
    response = client.post(path, data=data)
    assert response.status_code == 302
    saved_ent, saved_pub = reread(db, ent), reread(db, pub)
    assert saved_ent.description == "锅炉拆除完成"
    assert saved_ent.construction_status == ConstructionStatus.UNDER_CONSTRUCTION
    assert saved_ent.actual_start == dt.date(2025, 4, 1)
    assert saved_pub.description == "管网铺设" and saved_pub.percent_complete == Decimal("35.00")
    # A district's fill keeps the state: filled is not yet submitted.
    assert {saved_ent.status, saved_pub.status} == {ReportStatus.PENDING}
    assert "已保存 2 条填报" in html(client, path)


def test_grid_refuses_a_row_changed_meanwhile_and_saves_no_other(rounds, db, login_as) -> None:
    ent, pub = rounds.report(db, "ent"), rounds.report(db, "pub")
    client = login_as("district_a")
    data = grid_form(client, rounds.round.id)
    fill(db, rounds.world.users["enterprise_a"], ent, description="企业同时填报")
    db.commit()
    data[f"r{ent.id}.next_steps"] = "区县修改"
    data[f"r{pub.id}.next_steps"] = "区县修改"

    response = client.post(f"/rounds/{rounds.round.id}/grid", data=data)

    assert response.status_code == 200
    assert "已被他人修改" in response.get_data(as_text=True)
    assert reread(db, ent).description == "企业同时填报"
    assert reread(db, pub).next_steps == ""
    assert reread(db, pub).version_id == pub.version_id


def test_grid_row_outside_the_scope_is_404_and_changes_nothing(rounds, db, login_as) -> None:
    ent = rounds.report(db, "ent")
    client = login_as("district_b")
    data = grid_form(client, rounds.round.id)
    data[f"r{ent.id}.version"] = str(ent.version_id)
    data[f"r{ent.id}.description"] = "越权填报"
    response = client.post(f"/rounds/{rounds.round.id}/grid", data=data)
    assert response.status_code == 404
    assert reread(db, ent).description == "" and reread(db, ent).version_id == ent.version_id


def test_submit_complete_submits_complete_rows_and_names_the_skipped(rounds, db, login_as) -> None:
    ent, pub = rounds.report(db, "ent"), rounds.report(db, "pub")
    fill(db, rounds.world.users["enterprise_a"], ent)  # complete
    db.commit()  # pub: prefilled from the project, no progress description yet
    client = login_as("district_a")
    page, data = submit_complete_form(client, rounds.round.id)
    assert "提交全部完整的填报（1 条）" in page and len(data["versions"]) == 2

    path = f"/rounds/{rounds.round.id}/submit-complete"
    response = client.post(path, data=data, follow_redirects=True)

    assert response.status_code == 200
    assert reread(db, ent).status == ReportStatus.SUBMITTED
    assert reread(db, pub).status == ReportStatus.PENDING
    shown = response.get_data(as_text=True)
    assert "已提交 1 条填报" in shown
    skipped = [m for m in messages(shown) if "以下填报未提交" in m]
    assert skipped and pub.project.code in skipped[0] and "进展情况不能为空" in skipped[0]
    assert db.scalar(select(ReportSnapshot).where(ReportSnapshot.report_id == ent.id))


def test_submit_complete_after_the_deadline_marks_late(rounds, db, clock, login_as) -> None:
    ent = rounds.report(db, "ent")
    fill(db, rounds.world.users["district_a"], ent)
    db.commit()
    # A minute after the deadline (signed in then: the session's idle limit runs on the clock).
    clock.current = rounds.round.district_deadline + dt.timedelta(minutes=1)
    client = login_as("district_a")
    _page, data = submit_complete_form(client, rounds.round.id)
    path = f"/rounds/{rounds.round.id}/submit-complete"
    response = client.post(path, data=data, follow_redirects=True)
    assert "其中 1 条逾期" in response.get_data(as_text=True)
    saved = reread(db, ent)
    assert saved.status == ReportStatus.SUBMITTED and saved.late


def test_grid_loads_reports_without_a_query_per_row(rounds, db, app, engine, login_as) -> None:
    client = login_as("city")
    path = f"/rounds/{rounds.round.id}/grid"

    def queries() -> int:
        seen: list[str] = []

        def count(*args: Any) -> None:
            seen.append(args[2])

        event.listen(engine, "before_cursor_execute", count)
        try:
            html(client, path)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    few = queries()
    with app.app_context():
        for n in range(6):
            make_project(db, rounds.world, status=PlanStatus.APPROVED, name=f"甲区扩容项目{n}")
    in_round = select(ProgressReport).where(ProgressReport.round_id == rounds.round.id)
    assert len(db.scalars(in_round).all()) == 9
    assert queries() == few


# --- lists ------------------------------------------------------------------------------


def test_report_list_filters_and_refuses_bad_values_with_a_message(rounds, db, login_as) -> None:
    fill(db, rounds.world.users["enterprise_a"], rounds.report(db, "ent"))
    db.commit()
    client = login_as("city")
    path = f"/rounds/{rounds.round.id}/reports"
    codes = {key: rounds.projects[key].code for key in ("ent", "pub", "b")}

    page = html(client, f"{path}?status=enterprise_filled")
    assert codes["ent"] in page and codes["pub"] not in page and codes["b"] not in page
    page = html(client, f"{path}?district={rounds.world.district_b.id}")
    assert codes["b"] in page and codes["ent"] not in page
    page = html(client, f"{path}?status=%00bogus&district={rounds.world.other_district.id}")
    refused = [m for m in messages(page) if "无效" in m]
    assert len(refused) == 2 and all(codes[k] in page for k in codes)


def test_report_list_shows_each_user_only_their_reports(rounds, db, app) -> None:
    path = f"/rounds/{rounds.round.id}/reports"
    ent_code, pub_code = rounds.projects["ent"].code, rounds.projects["pub"].code
    page = html(signed_in(app, rounds.world, "enterprise_a"), path)
    assert ent_code in page and pub_code not in page
    page = html(signed_in(app, rounds.world, "district_b"), path)
    assert ent_code not in page and rounds.projects["b"].code in page


def test_todo_lists_what_each_user_fills_with_the_days_left(rounds, db, app) -> None:
    ent = rounds.report(db, "ent")
    page = html(signed_in(app, rounds.world, "enterprise_a"), "/rounds/todo")
    assert f'data-testid="todo-report-{ent.id}"' in page
    assert rounds.projects["pub"].code not in page
    assert "今天截止" in page  # START is the enterprise deadline's day (2025-06-02)
    page = html(signed_in(app, rounds.world, "district_a"), "/rounds/todo")
    assert 'data-testid="todo-to_submit"' in page and "剩余 3 天" in page
    page = html(signed_in(app, rounds.world, "city"), "/rounds/todo")
    assert 'data-testid="to-review">0<' in page


def test_project_history_lists_the_project_across_rounds(rounds, db, app, clock, login_as) -> None:
    report = _approved_then_next_round(rounds, db, app, clock)
    client = login_as("enterprise_a")
    page = html(client, f"/rounds/projects/{report.project_id}")
    assert 'data-testid="history-2025-05"' in page and 'data-testid="history-2025-06"' in page
    assert "已通过" in page and "300.00" in page
    other = signed_in(app, rounds.world, "enterprise_b")
    assert other.get(f"/rounds/projects/{report.project_id}").status_code == 404


def test_closed_round_offers_no_grid(rounds, db, app, login_as) -> None:
    with app.app_context():
        services.close_round(
            db,
            Acting(rounds.world.users["city"], START),
            rounds.round,
            version=rounds.round.version_id,
        )
        db.commit()
    client = login_as("district_a")
    page = html(client, f"/rounds/{rounds.round.id}/grid")
    assert 'data-testid="round-closed"' in page and "grid-form" not in page
    report = rounds.report(db, "pub")
    response = client.get(f"/rounds/reports/{report.id}/edit", follow_redirects=True)
    assert "调度已关闭" in response.get_data(as_text=True)
    assert db.get(DispatchRound, rounds.round.id).status.value == "closed"  # type: ignore[union-attr]


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

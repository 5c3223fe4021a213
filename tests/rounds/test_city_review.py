"""The city's review of submitted reports through the round pages: the queue, deciding
on a selection at once or on one report at a time, and the refusals (states checked in
the database, not only the answers)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import lxml.html
from sqlalchemy import func, select

from dispatch.audit import Acting
from dispatch.rounds import services
from models import ConstructionStatus, ProgressReport, ReportStatus
from tests.conftest import START, post_form
from tests.rounds.helpers import submit
from tests.rounds.page_helpers import page_text


def _queue_versions(db, rounds, *keys: str) -> list[str]:  # type: ignore[no-untyped-def]
    db.expire_all()
    return [f"{rounds.report(db, k).id}:{rounds.report(db, k).version_id}" for k in keys]


# --- the queue and a selection at once ----------------------------------------------------


def test_queue_lists_submitted_reports_oldest_first_with_late_ones_marked(
    rounds, db, app, login_as
):
    late = rounds.round.district_deadline + dt.timedelta(minutes=1)
    with app.app_context():
        submit(db, rounds, "b", user="district_b", at=late)
        submit(db, rounds, "pub", at=START)
    doc = lxml.html.fromstring(login_as("city").get("/rounds/review").get_data(as_text=True))
    rows = doc.xpath("//table[@data-testid='review-queue']/tbody/tr")
    ids = [row.get("data-testid") for row in rows]
    assert ids == [f"queue-{rounds.report(db, 'pub').id}", f"queue-{rounds.report(db, 'b').id}"]
    assert [bool(row.xpath(".//*[@data-testid='late']")) for row in rows] == [False, True]


def test_batch_approve_acts_on_what_it_can_and_names_what_it_skipped(rounds, db, app, login_as):
    with app.app_context():
        submit(db, rounds, "pub")
        submit(db, rounds, "b", user="district_b")
    keys = ("pub", "b", "ent")  # ent is still pending: skipped with the reason
    response = post_form(
        login_as("city"),
        "/rounds/review",
        {
            "report_ids": [str(rounds.report(db, k).id) for k in keys],
            "versions": _queue_versions(db, rounds, *keys),
            "decision": "approve",
        },
        follow_redirects=True,
    )
    db.expire_all()
    assert [rounds.report(db, k).status for k in keys] == [
        ReportStatus.APPROVED,
        ReportStatus.APPROVED,
        ReportStatus.PENDING,
    ]
    text = page_text(response)
    assert "已审核通过 2 条填报" in text
    assert f"以下填报未审核通过：{rounds.projects['ent'].code}（填报当前状态为“待填报”" in text


def test_batch_return_needs_a_reason_and_sends_back_with_it(rounds, db, app, login_as):
    with app.app_context():
        submit(db, rounds, "pub")
        submit(db, rounds, "b", user="district_b")
    client = login_as("city")
    ids = [str(rounds.report(db, k).id) for k in ("pub", "b")]
    data = {"report_ids": ids, "versions": _queue_versions(db, rounds, "pub", "b")}
    response = post_form(client, "/rounds/review", {**data, "decision": "return", "reason": ""})
    assert response.status_code == 200
    assert "退回必须填写退回原因" in page_text(response)
    long = post_form(
        client, "/rounds/review", {**data, "decision": "return", "reason": "长" * 2001}
    )
    assert "退回原因" in page_text(long) and "2000" in page_text(long)
    db.expire_all()
    assert {rounds.report(db, k).status for k in ("pub", "b")} == {ReportStatus.SUBMITTED}
    # A refused form keeps the ticks.
    assert f'value="{ids[0]}" id="pick-{ids[0]}" checked' in long.get_data(as_text=True)

    response = post_form(
        client, "/rounds/review", {**data, "decision": "return", "reason": "投资数据与台账不符"}
    )
    assert response.status_code == 302
    db.expire_all()
    for key in ("pub", "b"):
        report = rounds.report(db, key)
        assert report.status == ReportStatus.RETURNED
        assert report.return_reason == "投资数据与台账不符"


def test_batch_review_refuses_a_tampered_selection(rounds, db, app, login_as):
    with app.app_context():
        submit(db, rounds, "pub")
    client = login_as("city")
    report = rounds.report(db, "pub")
    cases = {
        "nothing": ({"versions": _queue_versions(db, rounds, "pub")}, "请至少选择一条填报"),
        "no version": ({"report_ids": [str(report.id)]}, "页面缺少版本信息"),
        "bad id": (
            {"report_ids": ["x"], "versions": _queue_versions(db, rounds, "pub")},
            "所选填报无效",
        ),
        "bad decision": (
            {
                "report_ids": [str(report.id)],
                "versions": _queue_versions(db, rounds, "pub"),
                "decision": "delete",
            },
            "请选择审核结论",
        ),
    }
    for name, (data, message) in cases.items():
        response = post_form(client, "/rounds/review", {"decision": "approve", **data})
        assert response.status_code == 200, name
        assert message in page_text(response), name
    db.expire_all()
    assert rounds.report(db, "pub").status == ReportStatus.SUBMITTED


def test_batch_review_skips_a_stale_report_and_hides_other_cities_reports(
    rounds, db, app, login_as
):
    with app.app_context():
        submit(db, rounds, "pub")
        submit(db, rounds, "b", user="district_b")
        other_round = services.open_round(
            db, Acting(rounds.world.users["other_city"], START), rounds.world.other_city, 2025, 5
        )
        db.commit()
    other = db.scalar(select(ProgressReport).where(ProgressReport.round_id == other_round.id))
    assert other is not None
    pub, b = rounds.report(db, "pub"), rounds.report(db, "b")
    client = login_as("city")
    # Another city's report among the ticked ones: not found, nothing done.
    response = post_form(
        client,
        "/rounds/review",
        {
            "report_ids": [str(pub.id), str(other.id)],
            "versions": [f"{pub.id}:{pub.version_id}", f"{other.id}:{other.version_id}"],
            "decision": "approve",
        },
    )
    assert response.status_code == 404
    db.expire_all()
    assert rounds.report(db, "pub").status == ReportStatus.SUBMITTED
    # A report changed since the page was shown is skipped with the reason; the rest done.
    response = post_form(
        client,
        "/rounds/review",
        {
            "report_ids": [str(pub.id), str(b.id)],
            "versions": [f"{pub.id}:{pub.version_id - 1}", f"{b.id}:{b.version_id}"],
            "decision": "approve",
        },
        follow_redirects=True,
    )
    text = page_text(response)
    assert f"以下填报未审核通过：{rounds.projects['pub'].code}（已被他人修改" in text
    db.expire_all()
    assert rounds.report(db, "pub").status == ReportStatus.SUBMITTED
    assert rounds.report(db, "b").status == ReportStatus.APPROVED
    assert db.get(ProgressReport, other.id).status == ReportStatus.PENDING  # type: ignore[union-attr]


# --- one report at a time -----------------------------------------------------------------


def test_single_approve_updates_the_projects_progress(rounds, db, app, login_as):
    with app.app_context():
        submit(db, rounds, "pub")
    report = rounds.report(db, "pub")
    response = post_form(
        login_as("city"),
        f"/rounds/reports/{report.id}/approve",
        {"version": str(report.version_id)},
        token_from="/rounds/review",
    )
    assert response.status_code == 302 and response.headers["Location"] == "/rounds/review"
    db.expire_all()
    report = rounds.report(db, "pub")
    assert report.status == ReportStatus.APPROVED
    project = report.project
    assert project.construction_status == ConstructionStatus.UNDER_CONSTRUCTION
    assert project.actual_start == dt.date(2025, 3, 10)
    assert project.percent_complete == Decimal("40")
    assert project.investment_completed == Decimal("300")


def test_single_return_requires_a_reason(rounds, db, app, login_as):
    with app.app_context():
        submit(db, rounds, "pub")
    client = login_as("city")
    report = rounds.report(db, "pub")
    path = f"/rounds/reports/{report.id}/return"
    for reason, message in (("", "请填写退回原因"), ("长" * 2001, "退回原因")):
        response = post_form(
            client,
            path,
            {"version": str(report.version_id), "reason": reason},
            token_from="/rounds/review",
            follow_redirects=True,
        )
        assert message in page_text(response)
        db.expire_all()
        assert rounds.report(db, "pub").status == ReportStatus.SUBMITTED
    response = post_form(
        client,
        path,
        {"version": str(report.version_id), "reason": "缺少现场照片"},
        token_from="/rounds/review",
    )
    assert response.status_code == 302
    db.expire_all()
    report = rounds.report(db, "pub")
    assert (report.status, report.return_reason) == (ReportStatus.RETURNED, "缺少现场照片")
    returned = db.scalar(
        select(func.count())
        .select_from(ProgressReport)
        .where(ProgressReport.status == ReportStatus.RETURNED)
    )
    assert returned == 1


def test_approving_a_report_not_submitted_changes_nothing(rounds, db, login_as):
    report = rounds.report(db, "pub")
    response = post_form(
        login_as("city"),
        f"/rounds/reports/{report.id}/approve",
        {"version": str(report.version_id)},
        token_from="/rounds/review",
    )
    assert response.headers["Location"] == f"/rounds/reports/{report.id}"
    db.expire_all()
    assert rounds.report(db, "pub").status == ReportStatus.PENDING
    assert rounds.report(db, "pub").project.percent_complete == Decimal(0)


def test_refusals_of_single_decisions_are_shown_on_the_report_page(rounds, db, login_as):
    client = login_as("city")
    report = rounds.report(db, "pub")
    response = post_form(
        client,
        f"/rounds/reports/{report.id}/approve",
        {"version": str(report.version_id)},
        token_from="/rounds/review",
        follow_redirects=True,
    )
    assert "填报当前状态为“待填报”，不能执行此操作" in page_text(response)
    response = post_form(
        client,
        f"/rounds/reports/{report.id}/approve",
        {},
        token_from="/rounds/review",
        follow_redirects=True,
    )
    assert "页面缺少版本信息" in page_text(response)
    db.expire_all()
    assert rounds.report(db, "pub").status == ReportStatus.PENDING

"""Round and report rules through the services: opening, prefill, the report workflow,
deadlines, the effects of approval, copies of record."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from dispatch.audit import Acting
from dispatch.errors import DomainError, StaleObjectError
from dispatch.projects import services as project_services
from dispatch.rounds import services, snapshots
from dispatch.rounds.data import validate_report
from models import (
    AuditEvent,
    ConstructionStatus,
    DispatchRound,
    ProgressReport,
    ReportStatus,
    RoundStatus,
)
from tests.conftest import START
from tests.rounds.helpers import PERIOD, fill, values


def test_opening_creates_one_report_per_approved_project_of_the_city(rounds, db) -> None:
    reports = db.scalars(select(ProgressReport).where(ProgressReport.round_id == rounds.round.id))
    codes = sorted(r.project.code for r in reports)
    expected = sorted(rounds.projects[k].code for k in ("ent", "pub", "b"))
    assert codes == expected  # not the draft, not the other city's project
    assert all(r.status == ReportStatus.PENDING for r in rounds.round.reports)
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "round.open")).all()
    assert len(events) == 1 and events[0].details["reports"] == 3


def test_default_deadlines_are_2nd_and_5th_at_2359_beijing(rounds) -> None:
    beijing = dt.timezone(dt.timedelta(hours=8))
    assert rounds.round.enterprise_deadline.astimezone(beijing) == dt.datetime(
        2025, 6, 2, 23, 59, tzinfo=beijing
    )
    assert rounds.round.district_deadline.astimezone(beijing) == dt.datetime(
        2025, 6, 5, 23, 59, tzinfo=beijing
    )


def test_opening_a_month_twice_is_refused(rounds, db, app) -> None:
    with app.app_context(), pytest.raises(DomainError, match="不能重复开启"):
        services.open_round(
            db, Acting(rounds.world.users["city"], START), rounds.world.city, *PERIOD
        )


def test_a_future_month_cannot_be_opened(rounds, db, app) -> None:
    with app.app_context(), pytest.raises(DomainError, match="尚未到来"):
        services.open_round(
            db, Acting(rounds.world.users["city"], START), rounds.world.city, 2025, 7
        )


def test_project_approved_mid_round_joins_it(rounds, db, app) -> None:
    draft = rounds.projects["draft"]
    with app.app_context():
        acting = Acting(rounds.world.users["district_b"], START)
        project_services.submit(db, acting, draft, version=draft.version_id)
        city = Acting(rounds.world.users["city"], START)
        project_services.approve(db, city, draft, version=draft.version_id)
        db.flush()
    assert rounds.report(db, "draft").status == ReportStatus.PENDING


def test_enterprise_fill_then_district_submit_then_city_approve(rounds, db, app) -> None:
    users = rounds.world.users
    report = rounds.report(db, "ent")
    with app.app_context():
        fill(db, users["enterprise_a"], report)
        assert report.status == ReportStatus.ENTERPRISE_FILLED
        fill(db, users["district_a"], report, description="区县核实：主体完工 40%")
        assert report.status == ReportStatus.ENTERPRISE_FILLED
        services.submit(db, Acting(users["district_a"], START), report, version=report.version_id)
        assert report.status == ReportStatus.SUBMITTED and not report.late
        services.approve(db, Acting(users["city"], START), report, version=report.version_id)
        db.flush()
    project = report.project
    assert report.status == ReportStatus.APPROVED
    assert project.construction_status == ConstructionStatus.UNDER_CONSTRUCTION
    assert project.actual_start == dt.date(2025, 3, 10)
    assert project.investment_completed == Decimal("300.00")
    assert [e.action for e in report.events] == ["enterprise_fill", "fill", "submit", "approve"]


def test_enterprise_cannot_submit_or_fill_after_district_submits(rounds, db, app) -> None:
    users = rounds.world.users
    report = rounds.report(db, "ent")
    with app.app_context():
        fill(db, users["district_a"], report)
        with pytest.raises(DomainError, match="无权"):
            services.submit(
                db, Acting(users["enterprise_a"], START), report, version=report.version_id
            )
        services.submit(db, Acting(users["district_a"], START), report, version=report.version_id)
        with pytest.raises(DomainError, match="区县已提交"):
            fill(db, users["enterprise_a"], report)


def test_submission_after_district_deadline_is_accepted_and_marked_late(rounds, db, app) -> None:
    users = rounds.world.users
    deadline = rounds.round.district_deadline
    on_time, late = rounds.report(db, "pub"), rounds.report(db, "b")
    with app.app_context():
        fill(db, users["district_a"], on_time)
        fill(db, users["district_b"], late)
        services.submit(
            db, Acting(users["district_a"], deadline), on_time, version=on_time.version_id
        )
        after = deadline + dt.timedelta(microseconds=1)
        services.submit(db, Acting(users["district_b"], after), late, version=late.version_id)
    assert on_time.late is False  # at the exact instant: still on time
    assert late.late is True and late.submitted_at == after
    assert late.events[-1].comment == "逾期提交"


def test_return_needs_a_reason_and_resubmission_works(rounds, db, app) -> None:
    users = rounds.world.users
    report = rounds.report(db, "pub")
    city = Acting(users["city"], START)
    with app.app_context():
        fill(db, users["district_a"], report)
        services.submit(db, Acting(users["district_a"], START), report, version=report.version_id)
        with pytest.raises(DomainError, match="退回必须填写原因"):
            services.return_report(db, city, report, "  ", version=report.version_id)
        services.return_report(db, city, report, "投资数据与台账不符", version=report.version_id)
        assert report.status == ReportStatus.RETURNED
        assert report.return_reason == "投资数据与台账不符"
        fill(db, users["district_a"], report, investment_cumulative="310")
        services.submit(db, Acting(users["district_a"], START), report, version=report.version_id)
    assert report.status == ReportStatus.SUBMITTED
    assert len(report.snapshots) == 2


def test_stale_version_is_refused(rounds, db, app) -> None:
    report = rounds.report(db, "pub")
    with app.app_context(), pytest.raises(StaleObjectError):
        fill(db, rounds.world.users["district_a"], report)
        services.submit(
            db,
            Acting(rounds.world.users["district_a"], START),
            report,
            version=report.version_id - 1,
        )


def test_backward_status_falling_investment_and_missing_dates_are_refused(rounds, db, app) -> None:
    users = rounds.world.users
    report = rounds.report(db, "pub")
    with app.app_context():
        fill(db, users["district_a"], report)
        services.submit(db, Acting(users["district_a"], START), report, version=report.version_id)
        services.approve(db, Acting(users["city"], START), report, version=report.version_id)
    project = report.project
    back, errors = validate_report(
        values(construction_status="preparation", investment_cumulative="200", actual_start=""),
        project=project,
        today=START.date(),
    )
    assert back is None
    assert "只能向前推进" in errors["construction_status"][0]
    assert "累计完成投资不能小于" in errors["investment_cumulative"][0]
    _, errors = validate_report(
        values(construction_status="completed", actual_completion=""),
        project=project,
        today=START.date(),
    )
    assert errors["actual_completion"] == ["建设状态为“已完工”时须填写实际完工日期"]


def test_next_round_is_prefilled_from_last_approved_report(rounds, db, app, clock) -> None:
    users = rounds.world.users
    report = rounds.report(db, "pub")
    with app.app_context():
        fill(db, users["district_a"], report, percent_complete="55.5")
        services.submit(db, Acting(users["district_a"], START), report, version=report.version_id)
        services.approve(db, Acting(users["city"], START), report, version=report.version_id)
        services.close_round(
            db, Acting(users["city"], START), rounds.round, version=rounds.round.version_id
        )
        later = dt.datetime(2025, 7, 1, 2, 0, tzinfo=dt.UTC)
        june = services.open_round(db, Acting(users["city"], later), rounds.world.city, 2025, 6)
        db.flush()
    new = db.scalar(
        select(ProgressReport).where(
            ProgressReport.round_id == june.id, ProgressReport.project_id == report.project_id
        )
    )
    assert new is not None and new.prefilled_from_id == report.id
    assert new.percent_complete == Decimal("55.50")
    assert new.investment_cumulative == Decimal("300.00") and new.investment_month == 0
    assert new.construction_status == ConstructionStatus.UNDER_CONSTRUCTION
    assert new.description == report.description


def test_closing_keeps_unsubmitted_reports_pending_and_counts_them(rounds, db, app) -> None:
    users = rounds.world.users
    with app.app_context():
        missing = services.close_round(
            db, Acting(users["city"], START), rounds.round, version=rounds.round.version_id
        )
        db.flush()
    assert missing == 3
    assert rounds.round.status == RoundStatus.CLOSED
    assert db.scalar(select(func.count()).select_from(ProgressReport)) == 3
    report = rounds.report(db, "pub")
    assert report.status == ReportStatus.PENDING
    with app.app_context(), pytest.raises(DomainError, match="已关闭"):
        fill(db, users["district_a"], report)


def test_snapshot_is_the_submitted_content_with_its_digest(rounds, db, app) -> None:
    users = rounds.world.users
    report = rounds.report(db, "pub")
    with app.app_context():
        fill(db, users["district_a"], report)
        services.submit(db, Acting(users["district_a"], START), report, version=report.version_id)
        db.flush()
    (snap,) = report.snapshots
    assert snapshots.verify(snap)
    assert snap.content["investment_cumulative"] == "300.00"
    assert snap.content["project_code"] == report.project.code
    assert len(db.scalars(select(DispatchRound)).all()) == 1


def test_batch_submit_skips_incomplete_and_says_why(rounds, db, app) -> None:
    users = rounds.world.users
    ready, empty = rounds.report(db, "pub"), rounds.report(db, "ent")
    with app.app_context():
        fill(db, users["district_a"], ready)
        done, skipped = services.each(
            db,
            Acting(users["district_a"], START),
            [(ready, ready.version_id), (empty, empty.version_id)],
            services.submit,
        )
    assert done == [ready]
    assert skipped[0][0] is empty and "进展情况不能为空" in skipped[0][1]
    assert empty.status == ReportStatus.PENDING

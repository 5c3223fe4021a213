"""The demo is always current: seeded on any day, it shows that year's plan list and the
monthly dispatch up to that day, with past, plausible timestamps.

Each case seeds a fresh database once with the clock at its day: late in a month (the open
round is last month's, its deadlines extended), early in a month (closed rounds reach back
into the previous year), and in January, when the open round is the previous year's
December and the closed ones its autumn.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch.audit import verify_chain
from dispatch.core.beijing import local_date
from dispatch.core.catalog import get_catalog
from dispatch.demo import seed_demo
from dispatch.rounds import snapshots
from dispatch.rounds.services import UNSUBMITTED
from models import (
    AuditEvent,
    ConstructionStatus,
    DispatchRound,
    PlanStatus,
    ProgressReport,
    Project,
    ProjectEvent,
    ReportEvent,
    ReportSnapshot,
    ReportStatus,
    RoundStatus,
)
from tests.demo.seeded import SeededDemo, seed_demo_at

UTC = dt.UTC
# name: (the clock's instant, the open round's month, the first closed round's month)
CASES = {
    "november": (dt.datetime(2026, 11, 22, 4, 50, tzinfo=UTC), (2026, 10), (2026, 1)),
    "march": (dt.datetime(2027, 3, 3, 2, 0, tzinfo=UTC), (2027, 2), (2026, 11)),
    "early-january": (dt.datetime(2027, 1, 5, 2, 0, tzinfo=UTC), (2026, 12), (2026, 9)),
}
OFFICE = (dt.time(9, 0), dt.time(17, 30))


@pytest.fixture(scope="module", params=list(CASES))
def demo(
    request: pytest.FixtureRequest,
    new_database_url,  # type: ignore[no-untyped-def]
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[SeededDemo, tuple[int, int], tuple[int, int]]]:
    now, open_month, first_month = CASES[request.param]
    seeded = seed_demo_at(new_database_url(), tmp_path_factory.mktemp("instance"), now)
    try:
        yield seeded, open_month, first_month
    finally:
        seeded.engine.dispose()


@pytest.fixture
def db(demo) -> Iterator[Session]:  # type: ignore[no-untyped-def]
    with demo[0].session() as session:
        yield session


def _rounds(db: Session) -> list[DispatchRound]:
    return list(db.scalars(select(DispatchRound).order_by(DispatchRound.year, DispatchRound.month)))


def test_the_current_year_has_a_full_plan_list(db: Session, demo) -> None:  # type: ignore[no-untyped-def]
    year = local_date(demo[0].now).year
    projects = db.scalars(select(Project).where(Project.plan_year == year)).all()
    approved = [p for p in projects if p.plan_status == PlanStatus.APPROVED]
    assert len(approved) >= 30
    assert {p.type_code for p in approved} == {t.code for t in get_catalog().types}
    statuses = Counter(p.plan_status for p in projects)
    for status in (
        PlanStatus.DRAFT,
        PlanStatus.SUBMITTED,
        PlanStatus.RETURNED,
        PlanStatus.WITHDRAWN,
    ):
        assert statuses[status] >= 2, status
    # Last year's part: closed-out projects and overdue carry-overs still being built.
    last_year = db.scalars(select(Project).where(Project.plan_year == year - 1)).all()
    assert {p.plan_status for p in last_year} == {PlanStatus.CLOSED, PlanStatus.APPROVED}


def test_rounds_run_from_the_first_month_to_an_open_one(db: Session, demo) -> None:  # type: ignore[no-untyped-def]
    seeded, open_month, first_month = demo
    rounds = _rounds(db)
    months = [(r.year, r.month) for r in rounds]
    assert months[0] == first_month and months[-1] == open_month
    for (y1, m1), (y2, m2) in itertools.pairwise(months):
        assert y2 * 12 + m2 == y1 * 12 + m1 + 1  # one round a month, none skipped
    assert [r.status for r in rounds] == [RoundStatus.CLOSED] * (len(rounds) - 1) + [
        RoundStatus.OPEN
    ]
    assert len(rounds) >= 4
    year = local_date(seeded.now).year
    # Every earlier month of the current year has its closed round.
    closed = {(r.year, r.month) for r in rounds[:-1]}
    assert {(year, m) for m in range(1, open_month[1] if open_month[0] == year else 1)} <= closed
    for rnd in rounds:
        assert rnd.opened_at < seeded.now
        assert rnd.closed_at is None or rnd.opened_at < rnd.closed_at < seeded.now
        # Each report of a round belongs to a project then in the plan list.
        assert rnd.reports, rnd.period


def test_closed_rounds_have_a_realistic_mix(db: Session, demo) -> None:  # type: ignore[no-untyped-def]
    closed = _rounds(db)[:-1]
    kinds: Counter[str] = Counter()
    for rnd in closed:
        assert rnd.closed_at is not None
        for report in rnd.reports:
            actions = [e.action for e in report.events]
            if report.status in UNSUBMITTED:
                kinds["missing"] += 1
            elif report.status == ReportStatus.APPROVED:
                kinds["approved"] += 1
                if "return" in actions and actions[actions.index("return") :].count("submit"):
                    kinds["returned, resubmitted"] += 1
            else:
                kinds[report.status.value] += 1
            if report.late:
                kinds["late"] += 1
                assert report.submitted_at is not None
                assert report.submitted_at > rnd.district_deadline
            assert report.status != ReportStatus.SUBMITTED  # reviewed before closing
    assert set(kinds) >= {"approved", "returned, resubmitted", "late", "missing"}, kinds
    total = sum(len(r.reports) for r in closed)
    assert kinds["approved"] >= 0.7 * total, kinds
    # The audit says how many were missing when each round closed.
    for rnd in closed:
        event = db.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "round.close", AuditEvent.object_id == str(rnd.id)
            )
        )
        missing = sum(r.status in UNSUBMITTED for r in rnd.reports)
        assert event is not None and event.details["missing"] == missing


def test_the_open_round_is_under_way(db: Session, demo) -> None:  # type: ignore[no-untyped-def]
    seeded = demo[0]
    rnd = _rounds(db)[-1]
    assert rnd.is_open
    statuses = Counter(r.status for r in rnd.reports)
    for status in (ReportStatus.PENDING, ReportStatus.ENTERPRISE_FILLED, ReportStatus.SUBMITTED):
        assert statuses[status] >= 1, statuses
    assert statuses[ReportStatus.RETURNED] == 1
    filled = [r for r in rnd.reports if r.filled_at is not None]
    assert len(filled) >= 5
    assert all(rnd.opened_at < r.filled_at < seeded.now for r in filled)
    by_enterprise = [r for r in rnd.reports if r.status == ReportStatus.ENTERPRISE_FILLED]
    assert all(r.filled_by.role.value == "enterprise" for r in by_enterprise)
    # Last month's round, still taking reports: deadlines passed by now were extended.
    today = local_date(seeded.now)
    assert (rnd.year * 12 + rnd.month) == today.year * 12 + today.month - 1
    assert rnd.district_deadline > seeded.now
    extended = db.scalar(
        select(func.count()).where(
            AuditEvent.action == "round.deadlines", AuditEvent.object_id == str(rnd.id)
        )
    )
    assert extended == (1 if today.day > 5 else 0)
    assert not any(r.late for r in rnd.reports)
    returned = next(r for r in rnd.reports if r.status == ReportStatus.RETURNED)
    assert returned.return_reason and returned.project.district.division_code in (
        "370102",
        "370103",
    )  # a district with a demo account, so its to-do shows it


def test_progress_moves_forward_month_by_month(db: Session, demo) -> None:  # type: ignore[no-untyped-def]
    today = local_date(demo[0].now)
    approved = db.scalars(
        select(ProgressReport)
        .join(DispatchRound, ProgressReport.round_id == DispatchRound.id)
        .where(ProgressReport.status == ReportStatus.APPROVED)
        .order_by(DispatchRound.year, DispatchRound.month)
    ).all()
    by_project: dict[int, list[ProgressReport]] = {}
    for report in approved:
        by_project.setdefault(report.project_id, []).append(report)
    stalled = 0
    for reports in by_project.values():
        previous_cumulative = Decimal(0)
        for before, after in itertools.pairwise(reports):
            assert after.construction_status.rank >= before.construction_status.rank
            assert after.percent_complete >= before.percent_complete
            assert after.investment_cumulative >= before.investment_cumulative
        for report in reports:
            assert report.investment_month == report.investment_cumulative - previous_cumulative
            previous_cumulative = report.investment_cumulative
        project, last = reports[0].project, reports[-1]
        assert project.construction_status == last.construction_status
        assert project.investment_completed == last.investment_cumulative
        assert project.percent_complete == last.percent_complete
        tail = [(r.construction_status, r.percent_complete) for r in reports[-3:]]
        done = last.construction_status.rank >= ConstructionStatus.COMPLETED.rank
        stalled += len(tail) == 3 and len(set(tail)) == 1 and not done
    assert stalled >= 1
    overdue = db.scalar(select(func.count()).where(Project.overdue_clause(today)))
    assert overdue >= 3
    moving = [
        reports for reports in by_project.values()
        if reports[-1].percent_complete > reports[0].percent_complete
    ]  # fmt: skip
    # Early in January the current plan list has just joined December's round: only last
    # year's projects have a history of several months yet.
    assert len(moving) >= (10 if demo[1][0] == today.year else 2)


def test_history_lies_in_the_past_in_office_hours(db: Session, demo) -> None:  # type: ignore[no-untyped-def]
    now = demo[0].now
    project_times = db.scalars(select(ProjectEvent.occurred_at)).all()
    report_times = db.scalars(select(ReportEvent.occurred_at)).all()
    for at in [*project_times, *report_times]:
        assert at < now
        assert OFFICE[0] <= at.astimezone(dt.timezone(dt.timedelta(hours=8))).time() <= OFFICE[1]
    days = {local_date(at) for at in [*project_times, *report_times]}
    assert len(days) >= 40
    assert min(project_times) <= now - dt.timedelta(days=30)
    projects = db.scalars(select(Project)).all()
    assert len({p.created_at for p in projects}) >= len(projects) - 5
    for project in projects:
        assert project.created_at < now
        assert project.submitted_at is None or project.created_at < project.submitted_at < now
        assert project.approved_at is None or project.submitted_at < project.approved_at < now
    submitted = db.scalars(select(ProgressReport.submitted_at)).all()
    assert len({at for at in submitted if at is not None}) >= 20


def test_audit_chain_verifies_in_time_order(db: Session, demo) -> None:  # type: ignore[no-untyped-def]
    assert verify_chain(db).ok
    times = db.scalars(select(AuditEvent.occurred_at).order_by(AuditEvent.id)).all()
    assert times == sorted(times)
    assert times[-1] < demo[0].now
    submits = db.scalar(
        select(func.count()).select_from(ReportEvent).where(ReportEvent.action == "submit")
    )
    copies = db.scalars(select(ReportSnapshot)).all()
    assert len(copies) == submits
    assert all(snapshots.verify(copy) for copy in copies)


def test_a_second_run_changes_nothing(demo) -> None:  # type: ignore[no-untyped-def]
    seeded = demo[0]
    tables = (Project, ProjectEvent, DispatchRound, ProgressReport, ReportEvent, AuditEvent)
    with seeded.session() as session:
        before = [session.scalar(select(func.count()).select_from(t)) for t in tables]
        again = seed_demo(session)
        session.commit()
        after = [session.scalar(select(func.count()).select_from(t)) for t in tables]
    assert set(again.values()) == {0}
    assert after == before

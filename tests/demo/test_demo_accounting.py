"""The demo's confirmed accounting and targets: confirmations of projects in stable
operation with a complete archive, entered by the district and confirmed by the city in
the past, one correction, and targets for the city and every district that some
districts reach and others do not; every confirmed number reproduces.

Seeded once per case (see tests.demo.seeded): in November, when this year's projects
have been confirmed through the year, and early in January, when last year's are.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch.audit import verify_chain
from dispatch.core.beijing import local_date
from dispatch.core.catalog import get_catalog
from dispatch.demo import seed_demo
from dispatch.evidence import checklist as checklists
from dispatch.reductions.verify import verify
from models import (
    AuditEvent,
    ConfirmationStatus,
    EvidenceFile,
    PlanStatus,
    Project,
    ReductionConfirmation,
    ReductionTarget,
    ReductionTargetChange,
    Region,
    RegionKind,
    Role,
)
from tests.demo.seeded import SeededDemo, seed_demo_at

UTC = dt.UTC
CASES = {
    "november": dt.datetime(2026, 11, 22, 4, 50, tzinfo=UTC),
    "early-january": dt.datetime(2027, 1, 5, 2, 0, tzinfo=UTC),
}
OFFICE = (dt.time(9, 0), dt.time(17, 30))
BEIJING = dt.timezone(dt.timedelta(hours=8))
DISTRICT_USERS = {"370102": "lixia", "370103": "shizhong"}


@pytest.fixture(scope="module", params=list(CASES))
def demo(
    request: pytest.FixtureRequest,
    new_database_url,  # type: ignore[no-untyped-def]
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SeededDemo]:
    seeded = seed_demo_at(
        new_database_url(), tmp_path_factory.mktemp("instance"), CASES[request.param]
    )
    try:
        yield seeded
    finally:
        seeded.engine.dispose()


@pytest.fixture
def db(demo: SeededDemo) -> Iterator[Session]:
    with demo.session() as session:
        yield session


def _rows(db: Session, *statuses: ConfirmationStatus) -> list[ReductionConfirmation]:
    stmt = select(ReductionConfirmation).order_by(ReductionConfirmation.id)
    if statuses:
        stmt = stmt.where(ReductionConfirmation.status.in_(statuses))
    return list(db.scalars(stmt))


def _regions(db: Session) -> tuple[Region, list[Region]]:
    city = db.scalars(select(Region).where(Region.kind == RegionKind.CITY)).one()
    districts = db.scalars(select(Region).where(Region.kind == RegionKind.DISTRICT)).all()
    return city, sorted(districts, key=lambda r: r.division_code)


def _demo_year(db: Session) -> int:
    """The latest year with confirmed credits: this year, or last year early in January."""
    years = {row.year for row in _rows(db, ConfirmationStatus.CURRENT)}
    return max(years)


def _in_office(at: dt.datetime) -> bool:
    return OFFICE[0] <= at.astimezone(BEIJING).time() <= OFFICE[1]


def test_confirmations_of_stable_projects_with_complete_archives(
    db: Session, demo: SeededDemo
) -> None:
    catalog = get_catalog()
    current = _rows(db, ConfirmationStatus.CURRENT)
    assert len(current) >= 4
    assert not _rows(db, ConfirmationStatus.DRAFT)  # every entry was confirmed
    assert len({row.project.district_id for row in current}) >= 3
    for row in _rows(db, ConfirmationStatus.CURRENT, ConfirmationStatus.SUPERSEDED):
        project = row.project
        assert project.plan_status in (PlanStatus.APPROVED, PlanStatus.CLOSED)
        assert row.stable_operation_from == project.stable_operation_from
        assert checklists.checklist(db, catalog, project).complete_through("operation")
        # The district (the city where it has no account) enters; the city confirms.
        district = project.district.division_code
        assert row.entered_by.username == DISTRICT_USERS.get(district, "city")
        assert row.confirmed_by.username == "city" and row.confirmed_by.role == Role.CITY
        assert row.entered_at < row.confirmed_at < demo.now
        assert _in_office(row.entered_at) and _in_office(row.confirmed_at)
        assert local_date(row.confirmed_at).year >= row.year >= project.stable_operation_from.year
        assert any(row.credit(p) for p in row.pollutants)
        # Actual parameters near the plan's: each plain figure within 6 %.
        for key, planned in project.params.items():
            actual = row.inputs.get(key)
            if isinstance(planned, str) and isinstance(actual, str) and planned and actual:
                try:
                    ratio = Decimal(actual) / Decimal(planned)
                except ArithmeticError:
                    continue
                assert Decimal("0.9") <= ratio <= Decimal("1.07"), (project.code, key)
    # Closed-out projects were confirmed before they closed.
    closed = db.scalars(select(Project).where(Project.plan_status == PlanStatus.CLOSED)).all()
    assert closed
    for project in closed:
        rows = [r for r in current if r.project_id == project.id]
        closing = next(e for e in project.events if e.action == "close")
        assert rows and all(r.confirmed_at < closing.occurred_at for r in rows)


def test_one_correction_supersedes_the_first_version(db: Session) -> None:
    superseded = _rows(db, ConfirmationStatus.SUPERSEDED)
    assert len(superseded) == 1
    old = superseded[0]
    new = db.get(ReductionConfirmation, old.superseded_by_id)
    assert new is not None and new.status == ConfirmationStatus.CURRENT
    assert (new.project_id, new.year) == (old.project_id, old.year)
    assert new.version == old.version + 1
    assert new.reason and "更正" in new.reason and old.reason in (None, "")
    assert old.confirmed_at < old.superseded_at == new.confirmed_at
    assert new.inputs != old.inputs
    assert any(new.credit(p) != old.credit(p) for p in new.pollutants)
    confirm = db.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "accounting.confirm", AuditEvent.object_id == str(new.id)
        )
    )
    assert confirm is not None and confirm.details["supersedes"] == old.version


def test_targets_for_the_city_and_every_district_with_history(
    db: Session, demo: SeededDemo
) -> None:
    city, districts = _regions(db)
    year = local_date(demo.now).year
    targets = db.scalars(select(ReductionTarget)).all()
    for region in [city, *districts]:
        mine = [t for t in targets if t.region_id == region.id]
        assert any(t.is_period for t in mine), region.name  # the five-year period
        assert any(not t.is_period for t in mine), region.name
    periods = {(t.year_from, t.year_to) for t in targets}
    assert {(year - 1, year - 1), (year, year)} <= periods
    assert any(a <= year <= b and b == a + 4 for a, b in periods)
    # Each year's city target of a pollutant is the sum of its districts'.
    for y in (year - 1, year):
        sums: dict[str, Decimal] = defaultdict(Decimal)
        for t in targets:
            if (t.year_from, t.year_to) == (y, y) and t.region_id != city.id:
                sums[t.pollutant] += t.tonnes
        for t in targets:
            if (t.year_from, t.year_to) == (y, y) and t.region_id == city.id:
                assert t.tonnes == sums[t.pollutant]
    # History: every target's first change sets it; the city's five-year ones changed since.
    for t in targets:
        assert t.changes and t.changes[0].old_tonnes is None
        assert t.changes[-1].new_tonnes == t.tonnes
        assert t.updated_by.username == "city" and t.updated_at < demo.now
        assert _in_office(t.updated_at)
        if t.is_period and t.region_id == city.id:
            assert len(t.changes) == 2 and t.changes[1].old_tonnes < t.tonnes
    changes = db.scalar(select(func.count()).select_from(ReductionTargetChange))
    assert changes == sum(len(t.changes) for t in targets)
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "targets.set")).all()
    assert sum(len(e.details["changes"]) for e in events) == changes
    # Set after every confirmation: they were chosen around the confirmed sums.
    last = max(r.confirmed_at for r in _rows(db, ConfirmationStatus.CURRENT))
    assert min(t.changes[0].changed_at for t in targets) > last


def test_some_districts_are_ahead_of_target_and_some_behind(db: Session) -> None:
    """Credited sums straight from the rows, against the year's targets."""
    year = _demo_year(db)
    credited: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for row in _rows(db, ConfirmationStatus.CURRENT):
        if row.year == year:
            for pollutant in row.pollutants:
                credited[(row.project.district_id, pollutant)] += row.credit(pollutant) or 0
    _city, districts = _regions(db)
    targets = db.scalars(
        select(ReductionTarget).where(
            ReductionTarget.year_from == year, ReductionTarget.year_to == year
        )
    ).all()
    by_district: dict[int, list[ReductionTarget]] = defaultdict(list)
    for t in targets:
        by_district[t.region_id].append(t)
    ahead = [
        d.name for d in districts
        if by_district[d.id]
        and all(credited[(d.id, t.pollutant)] >= t.tonnes > 0 for t in by_district[d.id])
    ]  # fmt: skip
    behind = [
        d.name for d in districts
        if any(credited[(d.id, t.pollutant)] < t.tonnes for t in by_district[d.id])
    ]  # fmt: skip
    assert ahead and behind, (ahead, behind)
    # Some district behind has credits of its own (not merely none yet).
    assert any(
        credited[(d.id, t.pollutant)] > 0
        for d in districts
        if d.name in behind
        for t in by_district[d.id]
    )


def test_every_version_has_its_calculation_sheet(db: Session) -> None:
    catalog = get_catalog()
    for row in _rows(db, ConfirmationStatus.CURRENT, ConfirmationStatus.SUPERSEDED):
        sheet = db.get(EvidenceFile, row.sheet_evidence_id)
        item = catalog.type(row.project.type_code).system_item
        assert sheet is not None and item is not None
        assert (sheet.project_id, sheet.item_code) == (row.project_id, item.code)
        assert sheet.file.content_type == "application/pdf"
        assert sheet.current == (row.status == ConfirmationStatus.CURRENT)
        if row.superseded_by is not None:
            assert row.superseded_by.sheet_evidence_id != sheet.id


def test_every_confirmed_result_reproduces(db: Session) -> None:
    report = verify(db, get_catalog())
    confirmed = _rows(db, ConfirmationStatus.CURRENT, ConfirmationStatus.SUPERSEDED)
    assert report.checked == len(confirmed) > 0
    assert report.ok, [f.problems for f in report.differences]
    assert not report.drifted


def test_the_audit_tells_the_accounting_in_time_order(db: Session) -> None:
    assert verify_chain(db).ok
    times = db.scalars(select(AuditEvent.occurred_at).order_by(AuditEvent.id)).all()
    assert times == sorted(times)
    rows = _rows(db)

    def count(action: str) -> int:
        return db.scalar(select(func.count()).where(AuditEvent.action == action)) or 0

    assert count("accounting.enter") == len(rows)
    assert count("accounting.confirm") == len(rows)


def test_the_seed_counts_its_files_and_a_second_run_adds_nothing(demo: SeededDemo) -> None:
    tables = (ReductionConfirmation, ReductionTarget, ReductionTargetChange, EvidenceFile)
    with demo.session() as session:
        files = session.scalar(select(func.count()).select_from(EvidenceFile))
        before = [session.scalar(select(func.count()).select_from(t)) for t in tables]
        again = seed_demo(session)
        session.commit()
        after = [session.scalar(select(func.count()).select_from(t)) for t in tables]
    assert set(again.values()) == {0}
    assert after == before
    # Every file the demo's users sent is counted, the ones sent to complete an archive
    # for accounting too; the calculation sheets are the system's, one per version.
    sheets = before[0]
    assert demo.created["evidence_files"] == files - sheets

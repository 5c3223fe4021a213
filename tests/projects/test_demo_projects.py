"""The demo seed files 50+ projects through the services, covering every type and status.

Seeded once (see tests.demo.seeded) with the clock at the suite's start, 2 June 2025: the
current plan list is 2025's, last year's carry-overs and closed-out projects 2024's.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch.core.accounting import compute
from dispatch.core.catalog import get_catalog
from dispatch.demo import seed_demo
from dispatch.demo.history import seed_demo_history
from dispatch.demo.orgs import ENTERPRISES, demo_uscc
from dispatch.demo.project_data import PROJECTS
from dispatch.demo.timeline import calendar_for
from models import (
    AuditEvent,
    ChangeRequest,
    ChangeRequestStatus,
    ConstructionStatus,
    Enterprise,
    PlanStatus,
    Project,
    ProjectEvent,
)
from models.projects import POLLUTANT_COLUMNS
from tests.conftest import START
from tests.demo.seeded import SeededDemo, seed_demo_at

TODAY = START.date()  # 2 June 2025, also in Beijing (09:00)


@pytest.fixture(scope="module")
def seeded(
    new_database_url,  # type: ignore[no-untyped-def]
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SeededDemo]:
    demo = seed_demo_at(new_database_url(), tmp_path_factory.mktemp("instance"), START)
    try:
        yield demo
    finally:
        demo.engine.dispose()


@pytest.fixture
def demo_db(seeded: SeededDemo) -> Iterator[Session]:
    with seeded.session() as session:
        yield session


def _projects(db: Session) -> list[Project]:
    return list(db.scalars(select(Project).order_by(Project.id)))


def test_seed_counts_every_type_and_status(demo_db: Session, seeded: SeededDemo) -> None:
    projects = _projects(demo_db)
    assert seeded.created["projects"] == len(projects) == len(PROJECTS) >= 50
    assert {p.type_code for p in projects} == {t.code for t in get_catalog().types}
    assert {p.method for p in projects} == set(get_catalog().methods)
    assert {p.plan_status for p in projects} == set(PlanStatus)
    assert {p.plan_year for p in projects} == {2024, 2025}
    for project in projects:
        assert Decimal("116.2") <= project.longitude <= Decimal("117.9"), project.name
        assert Decimal("36.0") <= project.latitude <= Decimal("37.6"), project.name
        assert (project.enterprise is None) == bool(project.owner_unit), project.name
        assert project.code.startswith(f"{project.district.division_code}-{project.plan_year}-")
        assert project.planned_start.year >= project.plan_year


def test_some_projects_are_overdue(demo_db: Session, seeded: SeededDemo) -> None:
    overdue = list(demo_db.scalars(select(Project).where(Project.overdue_clause(TODAY))))
    assert len(overdue) >= 3
    assert all(p.is_overdue(TODAY) for p in overdue)
    assert any(p.plan_status == PlanStatus.APPROVED for p in overdue)


def test_demo_enterprises_own_approved_projects(demo_db: Session, seeded: SeededDemo) -> None:
    for index, district in ((0, "370102"), (3, "370103")):  # ent_lixia, ent_shizhong
        uscc = demo_uscc(ENTERPRISES[index][0], index)
        enterprise = demo_db.scalar(select(Enterprise).where(Enterprise.uscc == uscc))
        owned = demo_db.scalars(
            select(Project).where(
                Project.enterprise_id == enterprise.id,
                Project.plan_status == PlanStatus.APPROVED,
            )
        ).all()
        assert len(owned) >= 2, ENTERPRISES[index][1]
        assert all(p.district.division_code == district for p in owned)


def test_stored_reductions_match_a_fresh_computation(demo_db: Session, seeded: SeededDemo) -> None:
    for project in _projects(demo_db):
        result = compute(project.method, project.params)
        stored = {
            p: project.expected(p) for p in POLLUTANT_COLUMNS if project.expected(p) is not None
        }
        assert stored == result.reductions, project.name
        assert all(value > 0 for value in stored.values()), project.name
        assert project.accounting["reductions"] == result.to_json()["reductions"]


def test_construction_progress_is_consistent(demo_db: Session, seeded: SeededDemo) -> None:
    projects = _projects(demo_db)
    for project in projects:
        status = project.construction_status
        if project.plan_status in (
            PlanStatus.DRAFT,
            PlanStatus.SUBMITTED,
            PlanStatus.RETURNED,
            PlanStatus.WITHDRAWN,
        ):
            assert status == ConstructionStatus.NOT_STARTED, project.name
        started = status.rank >= ConstructionStatus.UNDER_CONSTRUCTION.rank
        assert (project.actual_start is not None) == started, project.name
        done = status.rank >= ConstructionStatus.COMPLETED.rank
        assert (project.actual_completion is not None) == done, project.name
        stable = status == ConstructionStatus.STABLE_OPERATION
        assert (project.stable_operation_from is not None) == stable, project.name
        dates = [project.actual_start, project.actual_completion, project.stable_operation_from]
        known = [d for d in dates if d is not None]
        assert known == sorted(known) and all(d <= TODAY for d in known), project.name
    closed = [p for p in projects if p.plan_status == PlanStatus.CLOSED]
    assert closed and all(p.construction_status.rank == 5 for p in closed)
    statuses = {p.construction_status for p in projects}
    assert ConstructionStatus.UNDER_CONSTRUCTION in statuses
    assert ConstructionStatus.STABLE_OPERATION in statuses


def test_history_follows_the_workflow(demo_db: Session, seeded: SeededDemo) -> None:
    projects = _projects(demo_db)
    expected_actions = {
        PlanStatus.DRAFT: ["create"],
        PlanStatus.SUBMITTED: ["create", "submit"],
        PlanStatus.RETURNED: ["create", "submit", "return"],
        PlanStatus.CLOSED: ["create", "submit", "approve", "close"],
    }
    for project in projects:
        actions = [e.action for e in project.events]
        if project.plan_status in expected_actions:
            assert actions == expected_actions[project.plan_status], project.name
        # Approved projects: filed, perhaps returned and fixed once, then progress only.
        if project.plan_status == PlanStatus.APPROVED:
            approved_at = actions.index("approve")
            assert actions[:approved_at] in (
                ["create", "submit"],
                ["create", "submit", "return", "update", "submit"],
            ), project.name
            assert set(actions[approved_at + 1 :]) <= {"progress", "change_request"}
        assert project.events[-1].to_status == project.plan_status.value
        times = [e.occurred_at for e in project.events]
        assert times == sorted(times), project.name
    returned = [p for p in projects if p.plan_status == PlanStatus.RETURNED]
    assert returned and all(p.review_comment for p in returned)
    withdrawn = [p for p in projects if p.plan_status == PlanStatus.WITHDRAWN]
    assert len(withdrawn) >= 2 and all(p.review_comment for p in withdrawn)
    fixed = [p for p in projects if "update" in [e.action for e in p.events]]
    assert len(fixed) >= 2 and all(p.plan_status == PlanStatus.APPROVED for p in fixed)
    pending = demo_db.scalars(
        select(ChangeRequest).where(ChangeRequest.status == ChangeRequestStatus.PENDING)
    ).all()
    assert len(pending) == 2
    assert all(r.project.plan_status == PlanStatus.APPROVED and r.proposed for r in pending)
    closes = demo_db.scalar(select(func.count()).where(AuditEvent.action == "project.close"))
    assert closes == sum(p.plan_status == PlanStatus.CLOSED for p in projects)


def test_district_users_file_their_own_projects(demo_db: Session, seeded: SeededDemo) -> None:
    for project in _projects(demo_db):
        creator = project.created_by.username
        district = project.district.division_code
        assert creator == {"370102": "lixia", "370103": "shizhong"}.get(district, "city")
        reviews = [e for e in project.events if e.action in ("approve", "return", "close")]
        assert all(e.actor.username == "city" for e in reviews)


def test_second_seed_creates_nothing(seeded: SeededDemo) -> None:
    tables = (Project, ProjectEvent, AuditEvent)
    with seeded.session() as session:
        before = [session.scalar(select(func.count()).select_from(t)) for t in tables]
        again = seed_demo(session)
        assert seed_demo_history(session, calendar_for(START)) == {
            "projects": 0,
            "rounds": 0,
            "reports": 0,
            "evidence_files": 0,
        }
        session.commit()
        after = [session.scalar(select(func.count()).select_from(t)) for t in tables]
    assert again == {
        "regions": 0,
        "enterprises": 0,
        "users": 0,
        "projects": 0,
        "rounds": 0,
        "reports": 0,
        "evidence_files": 0,
    }
    assert before[0] == len(PROJECTS)
    assert after == before


def test_without_the_demo_city_the_seed_says_what_is_missing(db: Session, app: Flask) -> None:
    with app.app_context(), pytest.raises(LookupError, match="演示账户 city 不存在"):
        seed_demo_history(db, calendar_for(START))

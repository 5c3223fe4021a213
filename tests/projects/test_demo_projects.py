"""The demo seed files 40+ projects through the services, covering every type and status."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch.core.accounting import compute
from dispatch.core.catalog import get_catalog
from dispatch.demo import seed_demo
from dispatch.demo.orgs import ENTERPRISES, demo_uscc
from dispatch.demo.project_data import PROJECTS
from dispatch.demo.projects import seed_demo_projects
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

TODAY = dt.date(2025, 6, 2)  # the Beijing date of the test clock's start


@pytest.fixture
def seeded(db: Session, app: Flask) -> dict[str, int]:
    with app.app_context():
        created = seed_demo(db)
        db.commit()
    return created


def _projects(db: Session) -> list[Project]:
    return list(db.scalars(select(Project).order_by(Project.id)))


def test_seed_counts_every_type_and_status(db: Session, seeded: dict[str, int]) -> None:
    projects = _projects(db)
    assert seeded["projects"] == len(projects) == len(PROJECTS) >= 40
    assert {p.type_code for p in projects} == {t.code for t in get_catalog().types}
    assert {p.method for p in projects} == set(get_catalog().methods)
    assert {p.plan_status for p in projects} == set(PlanStatus)
    assert {p.plan_year for p in projects} == {2025, 2026}
    for project in projects:
        assert Decimal("116.2") <= project.longitude <= Decimal("117.9"), project.name
        assert Decimal("36.0") <= project.latitude <= Decimal("37.6"), project.name
        assert (project.enterprise is None) == bool(project.owner_unit), project.name
        assert project.code.startswith(f"{project.district.division_code}-{project.plan_year}-")


def test_some_projects_are_overdue(db: Session, seeded: dict[str, int]) -> None:
    overdue = list(db.scalars(select(Project).where(Project.overdue_clause(TODAY))))
    assert len(overdue) >= 3
    assert all(p.is_overdue(TODAY) for p in overdue)
    assert any(p.plan_status == PlanStatus.APPROVED for p in overdue)


def test_demo_enterprises_own_approved_projects(db: Session, seeded: dict[str, int]) -> None:
    for index, district in ((0, "370102"), (3, "370103")):  # ent_lixia, ent_shizhong
        uscc = demo_uscc(ENTERPRISES[index][0], index)
        enterprise = db.scalar(select(Enterprise).where(Enterprise.uscc == uscc))
        owned = db.scalars(
            select(Project).where(
                Project.enterprise_id == enterprise.id,
                Project.plan_status == PlanStatus.APPROVED,
            )
        ).all()
        assert owned, ENTERPRISES[index][1]
        assert all(p.district.division_code == district for p in owned)


def test_stored_reductions_match_a_fresh_computation(db: Session, seeded: dict[str, int]) -> None:
    for project in _projects(db):
        result = compute(project.method, project.params)
        stored = {
            p: project.expected(p) for p in POLLUTANT_COLUMNS if project.expected(p) is not None
        }
        assert stored == result.reductions, project.name
        assert all(value > 0 for value in stored.values()), project.name
        assert project.accounting["reductions"] == result.to_json()["reductions"]


def test_construction_progress_is_consistent(db: Session, seeded: dict[str, int]) -> None:
    projects = _projects(db)
    for project in projects:
        status = project.construction_status
        if project.plan_status not in (PlanStatus.APPROVED, PlanStatus.CLOSED):
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


def test_history_follows_the_workflow(db: Session, seeded: dict[str, int]) -> None:
    projects = _projects(db)
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
        assert project.events[-1].to_status == project.plan_status.value
    returned = [p for p in projects if p.plan_status == PlanStatus.RETURNED]
    assert returned and all(p.review_comment for p in returned)
    withdrawn = [p for p in projects if p.plan_status == PlanStatus.WITHDRAWN]
    assert len(withdrawn) >= 2 and all(p.review_comment for p in withdrawn)
    pending = db.scalars(
        select(ChangeRequest).where(ChangeRequest.status == ChangeRequestStatus.PENDING)
    ).all()
    assert len(pending) == 2
    assert all(r.project.plan_status == PlanStatus.APPROVED and r.proposed for r in pending)
    closes = db.scalar(select(func.count()).where(AuditEvent.action == "project.close"))
    assert closes == sum(p.plan_status == PlanStatus.CLOSED for p in projects)


def test_district_users_file_their_own_projects(db: Session, seeded: dict[str, int]) -> None:
    for project in _projects(db):
        creator = project.created_by.username
        district = project.district.division_code
        assert creator == {"370102": "lixia", "370103": "shizhong"}.get(district, "city")
        reviews = [e for e in project.events if e.action in ("approve", "return", "close")]
        assert all(e.actor.username == "city" for e in reviews)


def test_second_seed_creates_nothing(db: Session, app: Flask, seeded: dict[str, int]) -> None:
    events = db.scalar(select(func.count()).select_from(ProjectEvent))
    audits = db.scalar(select(func.count()).select_from(AuditEvent))
    with app.app_context():
        again = seed_demo(db)
        assert seed_demo_projects(db, today=TODAY, now=dt.datetime.now(dt.UTC)) == 0
    assert again == {"regions": 0, "enterprises": 0, "users": 0, "projects": 0}
    assert db.scalar(select(func.count()).select_from(Project)) == len(PROJECTS)
    assert db.scalar(select(func.count()).select_from(ProjectEvent)) == events
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == audits


def test_without_the_demo_city_the_seed_says_what_is_missing(db: Session, app: Flask) -> None:
    with app.app_context(), pytest.raises(LookupError, match="演示账户 city 不存在"):
        seed_demo_projects(db, today=TODAY, now=dt.datetime.now(dt.UTC))

"""History the database keeps: no hard delete of a project with history, and at most one
pending change request per project, enforced by the database itself (both backends)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from models import (
    ChangeRequest,
    ChangeRequestKind,
    ChangeRequestStatus,
    PlanStatus,
    Project,
    ProjectEvent,
)

_seq = itertools.count(1)


def _project(db, world) -> Project:
    """A project row written directly, so these tests depend on the schema only."""
    n = next(_seq)
    project = Project(
        code=f"990101-2025-A1-{n:03d}",
        name=f"历史测试工程{n}",
        type_code="A1",
        method="flue_gas",
        plan_year=2025,
        district_id=world.district_a.id,
        enterprise_id=world.enterprise_a.id,
        planned_start=dt.date(2025, 3, 1),
        planned_completion=dt.date(2025, 10, 31),
        total_investment=Decimal("100"),
        env_investment=Decimal("50"),
        plan_status=PlanStatus.APPROVED,
    )
    db.add(project)
    db.flush()
    return project


def _request(db, world, project: Project, status: str = "pending") -> None:
    with db.begin_nested():
        db.execute(
            insert(ChangeRequest.__table__).values(
                project_id=project.id,
                kind=ChangeRequestKind.WITHDRAWAL.value,
                status=status,
                reason="项目取消",
                submitted_by_id=world.users["district_a"].id,
            )
        )


def _event(db, world, project: Project) -> None:
    with db.begin_nested():
        db.execute(
            insert(ProjectEvent.__table__).values(
                project_id=project.id, actor_id=world.users["district_a"].id, action="create"
            )
        )


def _pending_count(db, project: Project) -> int:
    return db.scalar(
        select(func.count())
        .select_from(ChangeRequest)
        .where(
            ChangeRequest.project_id == project.id,
            ChangeRequest.status == ChangeRequestStatus.PENDING,
        )
    )


def test_second_pending_request_for_a_project_is_refused(db, world):
    project = _project(db, world)
    _request(db, world, project)
    with pytest.raises(IntegrityError):
        _request(db, world, project)
    assert _pending_count(db, project) == 1


def test_pending_requests_of_different_projects_coexist(db, world):
    first, second = _project(db, world), _project(db, world)
    _request(db, world, first)
    _request(db, world, second)
    assert (_pending_count(db, first), _pending_count(db, second)) == (1, 1)


@pytest.mark.parametrize("decision", ["approved", "rejected"])
def test_new_request_allowed_once_the_pending_one_is_decided(db, world, decision):
    project = _project(db, world)
    _request(db, world, project)
    db.execute(
        update(ChangeRequest.__table__)
        .where(ChangeRequest.__table__.c.project_id == project.id)
        .values(status=decision)
    )
    _request(db, world, project)
    _request(db, world, project, status=decision)  # decided ones may be many
    statuses = db.scalars(
        select(ChangeRequest.status).where(ChangeRequest.project_id == project.id)
    ).all()
    assert sorted(statuses) == sorted([decision, decision, "pending"])


def _project_exists(db, project_id: int) -> bool:
    return db.scalar(select(func.count()).where(Project.id == project_id)) == 1


@pytest.mark.parametrize("history", ["event", "change_request"])
def test_deleting_a_project_with_history_is_refused(db, world, history):
    project = _project(db, world)
    (_event if history == "event" else _request)(db, world, project)
    with pytest.raises(IntegrityError), db.begin_nested():
        db.execute(delete(Project.__table__).where(Project.__table__.c.id == project.id))
    assert _project_exists(db, project.id)
    events = db.scalar(select(func.count()).where(ProjectEvent.project_id == project.id))
    requests = db.scalar(select(func.count()).where(ChangeRequest.project_id == project.id))
    assert (events, requests) == ((1, 0) if history == "event" else (0, 1))


def test_orm_delete_of_a_project_with_history_is_refused_by_the_database(db, world):
    # The ORM must not orphan or delete the history first; the RESTRICT key refuses.
    project = _project(db, world)
    _event(db, world, project)
    _request(db, world, project)
    project_id = project.id
    with pytest.raises(IntegrityError), db.begin_nested():
        db.delete(project)
        db.flush()
    db.expire_all()
    assert _project_exists(db, project_id)
    assert db.scalar(select(func.count()).where(ProjectEvent.project_id == project_id)) == 1
    assert db.scalar(select(func.count()).where(ChangeRequest.project_id == project_id)) == 1


def test_project_without_history_can_be_deleted(db, world):
    # The control case: the refusal above comes from the history, not from the project.
    project = _project(db, world)
    with db.begin_nested():
        db.execute(delete(Project.__table__).where(Project.__table__.c.id == project.id))
    assert not _project_exists(db, project.id)

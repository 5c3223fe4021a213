"""The plan-status table, and that the services and the ``can_*`` predicates both obey it.

Expectations are written out from workflow.md ("Project lifecycle", "Who may do what")
rather than read back from the table, so a wrong entry in the table fails here.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dispatch.access import (
    PLAN_WORKFLOW,
    Permission,
    Transition,
    can_edit_project,
    can_request_change,
    can_review_project,
    can_withdraw_project,
)
from dispatch.audit import Acting
from dispatch.errors import DomainError
from dispatch.projects import services
from models import ChangeRequest, PlanStatus
from tests.projects.helpers import NOW, make_project

P = PlanStatus
ALL = list(PlanStatus)
ACTORS = ["enterprise_a", "district_a", "city", "admin", "auditor"]

# action: (from, to, who) — who as the roles of workflow.md's table
EXPECTED = {
    "edit": ({P.DRAFT, P.RETURNED}, None, {"district_a", "city"}),
    "submit": ({P.DRAFT, P.RETURNED}, P.SUBMITTED, {"district_a", "city"}),
    "approve": ({P.SUBMITTED}, P.APPROVED, {"city"}),
    "return": ({P.SUBMITTED}, P.RETURNED, {"city"}),
    "request_change": ({P.APPROVED}, None, {"district_a", "city"}),
    "withdraw": ({P.APPROVED}, P.WITHDRAWN, {"city"}),
    "close": ({P.APPROVED}, P.CLOSED, {"city"}),
}


def test_the_table_is_workflow_md(world):
    assert set(PLAN_WORKFLOW) == set(EXPECTED)
    for action, (from_, to, who) in EXPECTED.items():
        step = PLAN_WORKFLOW[action]
        assert (step.from_, step.to) == (frozenset(from_), to), action
        for key in ACTORS:
            holds = PLAN_WORKFLOW.permits(world.users[key], action, next(iter(from_)))
            assert holds == (key in who), (action, key)


def test_transition_takes_any_iterable_of_states():
    step = Transition(from_=[P.DRAFT, P.DRAFT], to=P.SUBMITTED, permission=Permission.PROJECTS_EDIT)
    assert step.from_ == frozenset({P.DRAFT})
    assert step.allows(P.DRAFT) and not step.allows(P.SUBMITTED)


def _project_at(app, db, world, status: PlanStatus):  # type: ignore[no-untyped-def]
    with app.app_context():
        if status == P.CLOSED:  # no close-out service yet: set it as the demo does
            project = make_project(db, world, status=P.APPROVED)
            project.plan_status = P.CLOSED
            db.commit()
            return project
        return make_project(db, world, status=status)


def _requests(db, project) -> int:  # type: ignore[no-untyped-def]
    stmt = select(func.count()).where(ChangeRequest.project_id == project.id)
    return db.scalar(stmt) or 0


SERVICES = {
    "submit": lambda db, acting, p: services.submit(db, acting, p, version=p.version_id),
    "approve": lambda db, acting, p: services.approve(db, acting, p, version=p.version_id),
    "return": lambda db, acting, p: services.return_project(
        db, acting, p, "材料不全", version=p.version_id
    ),
    "withdraw": lambda db, acting, p: services.withdraw(
        db, acting, p, "项目取消", version=p.version_id
    ),
    "request_change": lambda db, acting, p: services.request_change(
        db, acting, p, None, "关停", version=p.version_id
    ),
}


@pytest.mark.parametrize("status", ALL, ids=[s.value for s in ALL])
@pytest.mark.parametrize("action", list(SERVICES))
def test_services_move_exactly_as_the_table_says(app, db, world, action, status):
    project = _project_at(app, db, world, status)
    from_, to, _who = EXPECTED[action]
    city = Acting(world.users["city"], at=NOW)
    with app.app_context():
        if status in from_:
            SERVICES[action](db, city, project)
            db.commit()
            assert project.plan_status == (to or status)
            if action == "request_change":
                assert _requests(db, project) == 1
        else:
            with pytest.raises(DomainError):
                SERVICES[action](db, city, project)
            db.rollback()
            db.refresh(project)
            assert project.plan_status == status
            assert _requests(db, project) == 0


@pytest.mark.parametrize(("action", "key"), [("approve", "district_a"), ("submit", "admin")])
def test_services_refuse_actors_without_the_permission(app, db, world, action, key):
    status = P.SUBMITTED if action == "approve" else P.DRAFT
    project = _project_at(app, db, world, status)
    with app.app_context(), pytest.raises(DomainError, match="无权"):
        SERVICES[action](db, Acting(world.users[key], at=NOW), project)
    db.rollback()
    db.refresh(project)
    assert project.plan_status == status


PREDICATES = {
    "edit": can_edit_project,
    "approve": can_review_project,
    "request_change": can_request_change,
    "withdraw": can_withdraw_project,
}


@pytest.mark.parametrize("status", ALL, ids=[s.value for s in ALL])
@pytest.mark.parametrize("action", list(PREDICATES))
def test_predicates_agree_with_the_table(app, db, world, action, status):
    project = _project_at(app, db, world, status)
    from_, _to, who = EXPECTED[action]
    for key in ACTORS:
        expected = status in from_ and key in who
        assert PREDICATES[action](world.users[key], project) == expected, (key, status)

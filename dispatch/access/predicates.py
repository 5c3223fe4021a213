"""``can_*`` predicates: state-dependent rules that views and templates both ask.

Each reads its entry of the transition table, so a button shows exactly when the service
behind it would accept the move.
"""

from __future__ import annotations

from dispatch.access.transitions import PLAN_WORKFLOW
from models import Project, User


def can_edit_project(user: User, project: Project) -> bool:
    return PLAN_WORKFLOW.permits(user, "edit", project.plan_status)


def can_review_project(user: User, project: Project) -> bool:
    """Approve or return: the city's two answers to a submitted project."""
    return PLAN_WORKFLOW.permits(user, "approve", project.plan_status) or PLAN_WORKFLOW.permits(
        user, "return", project.plan_status
    )


def can_request_change(user: User, project: Project) -> bool:
    return PLAN_WORKFLOW.permits(user, "request_change", project.plan_status)


def can_withdraw_project(user: User, project: Project) -> bool:
    return PLAN_WORKFLOW.permits(user, "withdraw", project.plan_status)

"""``can_*`` predicates: state-dependent rules that views and templates both ask.

Each reads its entry of the transition table, so a button shows exactly when the service
behind it would accept the move.
"""

from __future__ import annotations

from dispatch.access.permissions import Permission, has_permission
from dispatch.access.transitions import (
    EVIDENCE_WORKFLOW,
    NEEDS_OPEN_ROUND,
    PLAN_WORKFLOW,
    REPORT_WORKFLOW,
)
from models import EvidenceFile, PlanStatus, ProgressReport, Project, User


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


def report_permits(user: User, action: str, report: ProgressReport) -> bool:
    """The report workflow allows ``action`` to ``user`` now (state, role and round)."""
    if action in NEEDS_OPEN_ROUND and not report.round.is_open:
        return False
    return REPORT_WORKFLOW.permits(user, action, report.status)


def fill_action(user: User) -> str:
    """Which fill a user does: the district's (keeps the state) or the enterprise's part."""
    return "fill" if has_permission(user, Permission.PROGRESS_SUBMIT) else "enterprise_fill"


def can_fill_report(user: User, report: ProgressReport) -> bool:
    return report_permits(user, fill_action(user), report)


def can_submit_report(user: User, report: ProgressReport) -> bool:
    return report_permits(user, "submit", report)


def can_approve_report(user: User, report: ProgressReport) -> bool:
    return report_permits(user, "approve", report)


def can_return_report(user: User, report: ProgressReport) -> bool:
    return report_permits(user, "return", report)


def can_upload_evidence(user: User, project: Project) -> bool:
    """Files may be added to a project in the plan list (not withdrawn or closed)."""
    return project.plan_status == PlanStatus.APPROVED and has_permission(
        user, Permission.EVIDENCE_UPLOAD
    )


def evidence_permits(user: User, action: str, evidence: EvidenceFile) -> bool:
    if not evidence.current:
        return False
    if action == "replace" and evidence.project.plan_status != PlanStatus.APPROVED:
        return False
    return EVIDENCE_WORKFLOW.permits(user, action, evidence.status)

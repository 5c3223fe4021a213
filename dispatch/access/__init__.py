"""Access: the one place that decides who may do what, to which objects, in which state.

- :mod:`~dispatch.access.permissions`: roles → permissions table and :func:`require`
  (404 for anyone without the permission, so admin and auditor areas cannot be discovered);
- :mod:`~dispatch.access.scopes`: a user's :class:`Scope` and the scoped selects
  (``visible_*``) that put it into every query;
- :mod:`~dispatch.access.transitions`: one transition table per workflow, read by the
  services and by
- :mod:`~dispatch.access.predicates`: the ``can_*`` answers views and templates ask;
- :mod:`~dispatch.access.accounts`: who may manage which account (三员分立).
"""

from __future__ import annotations

from dispatch.access.accounts import (
    OFFICER_ACCOUNTS_MESSAGE,
    assignable_roles,
    can_assign_role,
    can_manage_account,
    can_unlock,
)
from dispatch.access.permissions import (
    ROLE_PERMISSIONS,
    Permission,
    has_permission,
    require,
    required_permission,
)
from dispatch.access.predicates import (
    can_approve_report,
    can_edit_project,
    can_fill_report,
    can_request_change,
    can_return_report,
    can_review_project,
    can_submit_report,
    can_upload_evidence,
    can_withdraw_project,
    evidence_permits,
    fill_action,
    report_permits,
)
from dispatch.access.scopes import (
    ENTERPRISE_VISIBLE_STATUSES,
    EVERYWHERE,
    NOWHERE,
    Scope,
    get_or_404,
    in_scope,
    scope_of,
    visible_accounting_projects,
    visible_change_requests,
    visible_confirmations,
    visible_enterprises,
    visible_evidence,
    visible_projects,
    visible_regions,
    visible_reports,
    visible_rounds,
    visible_targets,
)
from dispatch.access.transitions import (
    EVIDENCE_WORKFLOW,
    NEEDS_OPEN_ROUND,
    PLAN_WORKFLOW,
    REPORT_WORKFLOW,
    Transition,
    Workflow,
)

__all__ = [
    "ENTERPRISE_VISIBLE_STATUSES",
    "EVERYWHERE",
    "EVIDENCE_WORKFLOW",
    "NEEDS_OPEN_ROUND",
    "NOWHERE",
    "OFFICER_ACCOUNTS_MESSAGE",
    "PLAN_WORKFLOW",
    "REPORT_WORKFLOW",
    "ROLE_PERMISSIONS",
    "Permission",
    "Scope",
    "Transition",
    "Workflow",
    "assignable_roles",
    "can_approve_report",
    "can_assign_role",
    "can_edit_project",
    "can_fill_report",
    "can_manage_account",
    "can_request_change",
    "can_return_report",
    "can_review_project",
    "can_submit_report",
    "can_unlock",
    "can_upload_evidence",
    "can_withdraw_project",
    "evidence_permits",
    "fill_action",
    "get_or_404",
    "has_permission",
    "in_scope",
    "report_permits",
    "require",
    "required_permission",
    "scope_of",
    "visible_accounting_projects",
    "visible_change_requests",
    "visible_confirmations",
    "visible_enterprises",
    "visible_evidence",
    "visible_projects",
    "visible_regions",
    "visible_reports",
    "visible_rounds",
    "visible_targets",
]

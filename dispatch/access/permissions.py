"""Roles → permissions: the one table every other capability check reads.

Views are guarded with :func:`require`; navigation, home tiles, the CLI's role list and the
transition tables all name a :class:`Permission` and look it up here, so granting or
withdrawing a capability is one edit to :data:`ROLE_PERMISSIONS`.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, current_app
from flask_login import current_user

from models import Role


class Permission(enum.StrEnum):
    """``resource:action`` names; roles map to sets of them."""

    HOME_VIEW = "home:view"
    PROJECTS_VIEW = "projects:view"
    PROJECTS_EDIT = "projects:edit"
    PROJECTS_REVIEW = "projects:review"
    PROJECTS_EXPORT = "projects:export"
    PROJECTS_IMPORT = "projects:import"
    # The enterprises of one's own area (owner choices, counts): gates visible_enterprises.
    ENTERPRISES_VIEW = "enterprises:view"
    # 三员分立: the system administrator manages organisations and the business roles'
    # accounts; the security officer unlocks accounts and sees the security policy; the
    # auditor reads the audit log (everyone's sign-in history included).
    USERS_MANAGE = "users:manage"
    ORGS_MANAGE = "orgs:manage"
    ACCOUNTS_SECURITY = "accounts:security"  # lock state, unlock (later: two-factor reset)
    POLICY_VIEW = "policy:view"  # password, lockout and session policy
    AUDIT_READ = "audit:read"
    # Monthly dispatch: rounds and progress reports (workflow.md, "Who may do what").
    ROUNDS_VIEW = "rounds:view"
    ROUNDS_MANAGE = "rounds:manage"  # open and close rounds, set deadlines
    PROGRESS_FILL = "progress:fill"  # enterprises fill their own projects' reports
    PROGRESS_SUBMIT = "progress:submit"  # districts complete, import and submit
    PROGRESS_REVIEW = "progress:review"  # the city approves or returns
    PROGRESS_EXPORT = "progress:export"  # the round's progress workbook (district: preview)
    # Evidence archive: upload (own projects for enterprises), district pre-review, city review.
    EVIDENCE_UPLOAD = "evidence:upload"
    EVIDENCE_PRE_REVIEW = "evidence:pre_review"
    EVIDENCE_REVIEW = "evidence:review"
    # Features announced as 即将上线: their menu entries are already gated by the permission
    # their views will require, so the menus do not change when they arrive.
    EVIDENCE_VIEW = "evidence:view"
    REDUCTIONS_VIEW = "reductions:view"
    # Reductions (issue 11): a project's accounting and the region totals of one's own
    # area; entering actual parameters (district, city); confirming (核定) and targets.
    ACCOUNTING_VIEW = "accounting:view"
    ACCOUNTING_ENTER = "accounting:enter"
    ACCOUNTING_CONFIRM = "accounting:confirm"
    TARGETS_MANAGE = "targets:manage"


_BUSINESS_READ = {
    Permission.HOME_VIEW,
    Permission.PROJECTS_VIEW,
    Permission.ROUNDS_VIEW,
    Permission.EVIDENCE_VIEW,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ENTERPRISE: frozenset(
        {*_BUSINESS_READ, Permission.PROGRESS_FILL, Permission.EVIDENCE_UPLOAD}
    ),
    Role.DISTRICT: frozenset(
        {
            *_BUSINESS_READ,
            Permission.PROJECTS_EDIT,
            Permission.PROJECTS_EXPORT,
            Permission.PROJECTS_IMPORT,
            Permission.ENTERPRISES_VIEW,
            Permission.PROGRESS_FILL,
            Permission.PROGRESS_SUBMIT,
            Permission.PROGRESS_EXPORT,
            Permission.EVIDENCE_UPLOAD,
            Permission.EVIDENCE_PRE_REVIEW,
            Permission.ACCOUNTING_VIEW,
            Permission.ACCOUNTING_ENTER,
        }
    ),
    Role.CITY: frozenset(
        {
            *_BUSINESS_READ,
            Permission.PROJECTS_EDIT,
            Permission.PROJECTS_REVIEW,
            Permission.PROJECTS_EXPORT,
            Permission.PROJECTS_IMPORT,
            Permission.ENTERPRISES_VIEW,
            Permission.REDUCTIONS_VIEW,
            Permission.ROUNDS_MANAGE,
            Permission.PROGRESS_FILL,
            Permission.PROGRESS_SUBMIT,
            Permission.PROGRESS_REVIEW,
            Permission.PROGRESS_EXPORT,
            Permission.EVIDENCE_UPLOAD,
            Permission.EVIDENCE_REVIEW,
            Permission.ACCOUNTING_VIEW,
            Permission.ACCOUNTING_ENTER,
            Permission.ACCOUNTING_CONFIRM,
            Permission.TARGETS_MANAGE,
        }
    ),
    Role.ADMIN: frozenset(
        {
            Permission.HOME_VIEW,
            Permission.USERS_MANAGE,
            Permission.ORGS_MANAGE,
            Permission.ENTERPRISES_VIEW,
        }
    ),
    Role.SECURITY: frozenset(
        {Permission.HOME_VIEW, Permission.ACCOUNTS_SECURITY, Permission.POLICY_VIEW}
    ),
    Role.AUDITOR: frozenset({Permission.HOME_VIEW, Permission.AUDIT_READ}),
}


def has_permission(user: Any, permission: Permission) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return permission in ROLE_PERMISSIONS.get(user.role, frozenset())


F = TypeVar("F", bound=Callable[..., Any])


def require(permission: Permission) -> Callable[[F], F]:
    """Guard a view: anonymous users go to the login page, others without it get 404.

    The permission is kept on the view (``required_permission``) so navigation and the
    route-access tests can check they name the same one as the view they link to.
    """

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if not has_permission(current_user, permission):
                abort(404)
            return view(*args, **kwargs)

        wrapped.required_permission = permission  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def required_permission(view: Callable[..., Any]) -> Permission | None:
    """The permission a view was guarded with by :func:`require`, if any."""
    return getattr(view, "required_permission", None)

"""Roles, permissions and scoped queries: the one place that decides who sees what.

Three layers: :func:`require` guards a view by permission (404 for anyone without it, so
admin and auditor areas cannot be discovered); scoped selects (``visible_*``) put the
caller's scope into the query itself; ``can_*`` predicates answer state-dependent rules
for views and templates alike.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from models import Enterprise, PlanStatus, Project, Region, Role, User


class Permission(enum.StrEnum):
    """``resource:action`` names; roles map to sets of them."""

    HOME_VIEW = "home:view"
    PROJECTS_VIEW = "projects:view"
    PROJECTS_EDIT = "projects:edit"
    PROJECTS_REVIEW = "projects:review"
    PROJECTS_EXPORT = "projects:export"
    PROJECTS_IMPORT = "projects:import"
    ENTERPRISES_VIEW = "enterprises:view"
    USERS_MANAGE = "users:manage"
    ORGS_MANAGE = "orgs:manage"
    AUDIT_READ = "audit:read"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ENTERPRISE: frozenset({Permission.HOME_VIEW, Permission.PROJECTS_VIEW}),
    Role.DISTRICT: frozenset(
        {
            Permission.HOME_VIEW,
            Permission.PROJECTS_VIEW,
            Permission.PROJECTS_EDIT,
            Permission.PROJECTS_EXPORT,
            Permission.PROJECTS_IMPORT,
            Permission.ENTERPRISES_VIEW,
        }
    ),
    Role.CITY: frozenset(
        {
            Permission.HOME_VIEW,
            Permission.PROJECTS_VIEW,
            Permission.PROJECTS_EDIT,
            Permission.PROJECTS_REVIEW,
            Permission.PROJECTS_EXPORT,
            Permission.PROJECTS_IMPORT,
            Permission.ENTERPRISES_VIEW,
        }
    ),
    Role.ADMIN: frozenset({Permission.HOME_VIEW, Permission.USERS_MANAGE, Permission.ORGS_MANAGE}),
    Role.AUDITOR: frozenset({Permission.HOME_VIEW, Permission.AUDIT_READ}),
}


def has_permission(user: Any, permission: Permission) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return permission in ROLE_PERMISSIONS.get(user.role, frozenset())


F = TypeVar("F", bound=Callable[..., Any])


def require(permission: Permission) -> Callable[[F], F]:
    """Guard a view: anonymous users go to the login page, others without it get 404."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                from flask import current_app

                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if not has_permission(current_user, permission):
                abort(404)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


# --- scoped selects -------------------------------------------------------------------


def scope_region(user: User) -> Region | None:
    """The region whose subtree a business user acts in (None for enterprise users)."""
    if user.role in (Role.DISTRICT, Role.CITY):
        return user.region
    return None


def visible_regions(user: User) -> Select[tuple[Region]]:
    """Regions in the caller's subtree; admins see the whole tree."""
    stmt = select(Region)
    if user.role == Role.ADMIN:
        return stmt
    region = scope_region(user)
    if region is None:
        return stmt.where(Region.id.is_(None))
    return stmt.where(Region.path.startswith(region.path, autoescape=True))


def visible_enterprises(user: User) -> Select[tuple[Enterprise]]:
    """Enterprises the caller may see: own one, its region's subtree, or all for admins."""
    stmt = select(Enterprise)
    if user.role == Role.ADMIN:
        return stmt
    if user.role == Role.ENTERPRISE:
        return stmt.where(Enterprise.id == user.enterprise_id)
    region = scope_region(user)
    if region is None:
        return stmt.where(Enterprise.id.is_(None))
    return stmt.join(Enterprise.district).where(
        Region.path.startswith(region.path, autoescape=True)
    )


def get_or_404(session: Session, stmt: Select[Any], obj_id: int, model: Any) -> Any:
    """Load one object through a scoped select; anything out of scope is a 404."""
    obj = session.scalar(stmt.where(model.id == obj_id))
    if obj is None:
        abort(404)
    return obj


# --- projects ------------------------------------------------------------------------

# Enterprises see what is in the plan list, not the districts' drafts and reviews.
ENTERPRISE_VISIBLE_STATUSES = (PlanStatus.APPROVED, PlanStatus.WITHDRAWN, PlanStatus.CLOSED)


def visible_projects(user: User) -> Select[tuple[Project]]:
    """The one scoped select behind project lists, pages and exports."""
    stmt = select(Project)
    if user.role == Role.ENTERPRISE:
        return stmt.where(
            Project.enterprise_id == user.enterprise_id,
            Project.plan_status.in_(ENTERPRISE_VISIBLE_STATUSES),
        )
    region = scope_region(user)
    if region is None:
        return stmt.where(Project.id.is_(None))
    return stmt.join(Region, Project.district_id == Region.id).where(
        Region.path.startswith(region.path, autoescape=True)
    )


def in_scope(user: User, region: Region) -> bool:
    """True when a region user may act in ``region``."""
    scope = scope_region(user)
    return scope is not None and scope.contains(region)


def can_edit_project(user: User, project: Project) -> bool:
    return has_permission(user, Permission.PROJECTS_EDIT) and project.plan_status in (
        PlanStatus.DRAFT,
        PlanStatus.RETURNED,
    )


def can_review_project(user: User, project: Project) -> bool:
    return (
        has_permission(user, Permission.PROJECTS_REVIEW)
        and project.plan_status == PlanStatus.SUBMITTED
    )


def can_request_change(user: User, project: Project) -> bool:
    return (
        has_permission(user, Permission.PROJECTS_EDIT)
        and project.plan_status == PlanStatus.APPROVED
    )


def can_withdraw_project(user: User, project: Project) -> bool:
    return (
        has_permission(user, Permission.PROJECTS_REVIEW)
        and project.plan_status == PlanStatus.APPROVED
    )

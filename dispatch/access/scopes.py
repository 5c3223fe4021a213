"""Scoped selects: the caller's scope goes into the query, never a filter after loading.

:func:`scope_of` turns a user into one :class:`Scope` value and every ``visible_*`` select
applies it. A new kind of organisation is one more branch in :func:`scope_of`. The planned
city department (市直部门: city-wide, limited to the engineering types it owns) will be
``Scope(region_path=<its city's path>, type_codes=<its types>)``; ``type_codes`` is already
applied to projects for that reason, though no user carries it yet.

A select is also gated by permission: :func:`visible_projects` needs ``projects:view`` and
:func:`visible_enterprises` ``enterprises:view``, so an admin, whose scope is the whole
tree for managing organisations, sees no business data.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from flask import abort
from sqlalchemy import Select, false, literal, or_, select
from sqlalchemy.orm import Session, aliased

from dispatch.access.permissions import Permission, has_permission
from models import (
    ChangeRequest,
    DispatchRound,
    Enterprise,
    EvidenceFile,
    PlanStatus,
    ProgressReport,
    Project,
    ReductionConfirmation,
    ReductionTarget,
    Region,
    Role,
    User,
)

# Enterprises see what is in the plan list, not the districts' drafts and reviews.
ENTERPRISE_VISIBLE_STATUSES = (PlanStatus.APPROVED, PlanStatus.WITHDRAWN, PlanStatus.CLOSED)

S = TypeVar("S", bound=Select[Any])


def _in_subtree(path: str, column: Any = Region.path) -> Any:
    """``column`` (a region path, ``regions.path`` by default) lies in the subtree at ``path``."""
    return column.startswith(path, autoescape=True)


@dataclasses.dataclass(frozen=True)
class Scope:
    """The part of the organisation tree, and of the projects in it, that a user acts on.

    Limits combine with AND; a scope that is not ``everywhere`` and has neither a region
    nor an enterprise sees nothing.
    """

    everywhere: bool = False
    region_path: str | None = None  # a region's subtree (its materialised path as prefix)
    enterprise_id: int | None = None  # one enterprise, and the plan-list projects it owns
    type_codes: frozenset[str] | None = None  # only projects of these engineering types

    @property
    def is_empty(self) -> bool:
        return not self.everywhere and self.region_path is None and self.enterprise_id is None

    def contains_region(self, region: Region) -> bool:
        if self.everywhere:
            return True
        return self.region_path is not None and region.path.startswith(self.region_path)

    def regions(self, stmt: S) -> S:
        """Restrict a select over ``Region``."""
        if self.everywhere:
            return stmt
        if self.region_path is None:
            return stmt.where(false())  # type: ignore[return-value]
        return stmt.where(_in_subtree(self.region_path))  # type: ignore[return-value]

    def enterprises(self, stmt: S) -> S:
        """Restrict a select over ``Enterprise``."""
        if self.is_empty:
            return stmt.where(false())  # type: ignore[return-value]
        if self.enterprise_id is not None:
            stmt = stmt.where(Enterprise.id == self.enterprise_id)
        if self.region_path is not None:
            stmt = stmt.join(Region, Enterprise.district_id == Region.id).where(
                _in_subtree(self.region_path)
            )
        return stmt

    def projects(self, stmt: S) -> S:
        """Restrict a select that has ``Project`` in its FROM clause."""
        if self.is_empty:
            return stmt.where(false())  # type: ignore[return-value]
        if self.enterprise_id is not None:
            stmt = stmt.where(
                Project.enterprise_id == self.enterprise_id,
                Project.plan_status.in_(ENTERPRISE_VISIBLE_STATUSES),
            )
        if self.region_path is not None:
            stmt = stmt.join(Region, Project.district_id == Region.id).where(
                _in_subtree(self.region_path)
            )
        if self.type_codes is not None:
            stmt = stmt.where(Project.type_code.in_(sorted(self.type_codes)))
        return stmt

    def rounds(self, stmt: S) -> S:
        """Restrict a select over ``DispatchRound``: the rounds of the caller's city.

        A round belongs to a city. A region user sees the rounds of the cities above or
        below their region (a district its own city's, a province all its cities'); an
        enterprise user the rounds of its district's city.
        """
        if self.everywhere:
            return stmt
        if self.is_empty:
            return stmt.where(false())  # type: ignore[return-value]
        city = aliased(Region)
        stmt = stmt.join(city, DispatchRound.city_id == city.id)
        if self.enterprise_id is not None:
            home: Any = (
                select(Region.path)
                .join(Enterprise, Enterprise.district_id == Region.id)
                .where(Enterprise.id == self.enterprise_id)
                .scalar_subquery()
            )
            return stmt.where(home.startswith(city.path))  # type: ignore[return-value]
        assert self.region_path is not None
        # Paths are digits and slashes: no LIKE wildcards to escape in the column.
        return stmt.where(  # type: ignore[return-value]
            or_(
                literal(self.region_path).startswith(city.path),
                _in_subtree(self.region_path, city.path),
            )
        )


NOWHERE = Scope()
EVERYWHERE = Scope(everywhere=True)


def scope_of(user: Any) -> Scope:
    """The one function that turns the organisation a user belongs to into their scope."""
    if user is None or not getattr(user, "is_authenticated", False):
        return NOWHERE
    if user.role == Role.ADMIN:
        # Organisations everywhere; business selects stay empty for want of permission.
        return EVERYWHERE
    if user.role == Role.ENTERPRISE and user.enterprise_id is not None:
        return Scope(enterprise_id=user.enterprise_id)
    if user.role in (Role.DISTRICT, Role.CITY) and user.region is not None:
        return Scope(region_path=user.region.path)
    # Auditors read the audit log only: their region is where they sit, not a scope.
    return NOWHERE


def _gated(user: Any, permission: Permission) -> Scope:
    return scope_of(user) if has_permission(user, permission) else NOWHERE


def in_scope(user: User, region: Region) -> bool:
    """True when a region user may act in ``region``."""
    scope = scope_of(user)
    return scope.region_path is not None and scope.contains_region(region)


def visible_regions(user: User) -> Select[tuple[Region]]:
    """Regions in the caller's subtree; admins see the whole tree."""
    return scope_of(user).regions(select(Region))


def visible_enterprises(user: User) -> Select[tuple[Enterprise]]:
    """Enterprises of the caller's area (``enterprises:view``); all of them for admins."""
    return _gated(user, Permission.ENTERPRISES_VIEW).enterprises(select(Enterprise))


def visible_projects(user: User) -> Select[tuple[Project]]:
    """The one scoped select behind project lists, pages and exports."""
    return _gated(user, Permission.PROJECTS_VIEW).projects(select(Project))


def visible_change_requests(user: User) -> Select[tuple[ChangeRequest]]:
    """Change requests on the projects the caller may see (review queue, decisions)."""
    stmt = select(ChangeRequest).join(ChangeRequest.project)
    return _gated(user, Permission.PROJECTS_VIEW).projects(stmt)


def visible_rounds(user: User) -> Select[tuple[DispatchRound]]:
    """Rounds of the caller's city (``rounds:view``)."""
    return _gated(user, Permission.ROUNDS_VIEW).rounds(select(DispatchRound))


def visible_reports(user: User) -> Select[tuple[ProgressReport]]:
    """Progress reports of the projects the caller may see (``rounds:view``)."""
    stmt = select(ProgressReport).join(ProgressReport.project)
    return _gated(user, Permission.ROUNDS_VIEW).projects(stmt)


def visible_evidence(user: User) -> Select[tuple[EvidenceFile]]:
    """Evidence files of the projects the caller may see (``evidence:view``)."""
    stmt = select(EvidenceFile).join(EvidenceFile.project)
    return _gated(user, Permission.EVIDENCE_VIEW).projects(stmt)


def visible_accounting_projects(user: User) -> Select[tuple[Project]]:
    """Projects whose accounting the caller may see (``accounting:view``): regions only,
    since enterprises have no part in accounting."""
    scope = _gated(user, Permission.ACCOUNTING_VIEW)
    return scope.projects(select(Project))


def visible_confirmations(user: User) -> Select[tuple[ReductionConfirmation]]:
    """Confirmations (drafts included) of the projects the caller may see the accounting of."""
    stmt = select(ReductionConfirmation).join(ReductionConfirmation.project)
    return _gated(user, Permission.ACCOUNTING_VIEW).projects(stmt)


def visible_targets(user: User) -> Select[tuple[ReductionTarget]]:
    """Targets of the regions in the caller's subtree (``accounting:view``)."""
    stmt = select(ReductionTarget).join(ReductionTarget.region)
    return _gated(user, Permission.ACCOUNTING_VIEW).regions(stmt)


def get_or_404(session: Session, stmt: Select[Any], obj_id: int, model: Any) -> Any:
    """Load one object through a scoped select; anything out of scope is a 404."""
    obj = session.scalar(stmt.where(model.id == obj_id))
    if obj is None:
        abort(404)
    return obj

"""Each role lands on its own home page; ``/healthz`` reports service status.

The page header is the role's own (who you are, where you sit); the figures, the to-do
list (待办), the early warnings (预警) and the tiles below it follow from permissions and
scope, never from the role's name.
"""

from __future__ import annotations

import dataclasses
import functools

from flask import current_app, jsonify, render_template
from flask_login import current_user
from sqlalchemy import Select, func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from dispatch.access import (
    Permission,
    has_permission,
    require,
    visible_enterprises,
    visible_projects,
    visible_regions,
)
from dispatch.clock import now, today
from dispatch.core.catalog import get_catalog
from dispatch.db import get_session
from dispatch.evidence.checklist import checklists
from dispatch.home.tiles import tiles_for
from dispatch.rounds.todo import todo_for
from dispatch.rounds.warnings import WarningSummary
from dispatch.storage import StorageError
from dispatch.storage.current import current_storage
from models import AuditEvent, PlanStatus, Project, Region, RegionKind, User


@dataclasses.dataclass(frozen=True)
class Completeness:
    """档案完整率 of one area: approved projects whose archive is complete for the stage
    they have reached, out of all its approved projects."""

    name: str
    complete: int
    total: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.complete / self.total) if self.total else None


class HomeStats:
    """Counts for the home page, each computed only if the page shows it and the user may.

    A figure the user has no permission for is None (its template never shows it).
    """

    def __init__(self, session: Session, user: User) -> None:
        self._session = session
        self._user = user

    def _count(self, stmt: Select) -> int:  # type: ignore[type-arg]
        return self._session.scalar(select(func.count()).select_from(stmt.subquery())) or 0

    @functools.cached_property
    def districts(self) -> int:
        regions = visible_regions(self._user).where(Region.kind == RegionKind.DISTRICT)
        return self._count(regions)

    @functools.cached_property
    def archive_completeness(self) -> list[Completeness] | None:
        """Per district of the caller's area, then the whole area when it has several."""
        if not has_permission(self._user, Permission.EVIDENCE_VIEW):
            return None
        stmt = visible_projects(self._user).where(Project.plan_status == PlanStatus.APPROVED)
        projects = list(self._session.scalars(stmt))
        found = checklists(self._session, get_catalog(), projects)
        complete: dict[int, int] = {}
        total: dict[int, int] = {}
        for project in projects:
            total[project.district_id] = total.get(project.district_id, 0) + 1
            if found[project.id].complete:
                complete[project.district_id] = complete.get(project.district_id, 0) + 1
        districts = self._session.scalars(
            visible_regions(self._user)
            .where(Region.kind == RegionKind.DISTRICT)
            .order_by(Region.division_code, Region.id)
        )
        rows = [Completeness(d.name, complete.get(d.id, 0), total.get(d.id, 0)) for d in districts]
        if len(rows) > 1:
            rows.append(Completeness("全市", sum(complete.values()), len(projects)))
        return rows

    @functools.cached_property
    def enterprises(self) -> int | None:
        if not has_permission(self._user, Permission.ENTERPRISES_VIEW):
            return None
        return self._count(visible_enterprises(self._user))

    @functools.cached_property
    def regions(self) -> int | None:
        if not has_permission(self._user, Permission.ORGS_MANAGE):
            return None
        return self._count(visible_regions(self._user))

    @functools.cached_property
    def users(self) -> int | None:
        if not has_permission(self._user, Permission.USERS_MANAGE):
            return None
        return self._count(select(User.id))

    @functools.cached_property
    def events(self) -> int | None:
        if not has_permission(self._user, Permission.AUDIT_READ):
            return None
        return self._count(select(AuditEvent.id))


@require(Permission.HOME_VIEW)
def index():  # type: ignore[no-untyped-def]
    user = current_user
    db = get_session()
    moment = now()
    return render_template(
        f"home/{user.role.value}.html",
        stats=HomeStats(db, user),
        todo=todo_for(db, user, moment),
        # Computed only by the pages that show them (the city's and the districts').
        warnings=WarningSummary(db, user, moment, today()),
        tiles=tiles_for(user),
    )


def healthz():  # type: ignore[no-untyped-def]
    status = {
        "status": "ok",
        "database": "ok",
        "storage": "ok",
        "version": current_app.config["APP_VERSION"],
    }
    code = 200
    try:
        get_session().execute(text("SELECT 1"))
    except SQLAlchemyError:
        status.update(status="error", database="error")
        code = 503
    try:
        current_storage().check()
    except StorageError:
        status.update(status="error", storage="error")
        code = 503
    return jsonify(status), code

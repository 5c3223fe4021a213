"""Early warning (预警): overdue projects, stalled projects, districts with missing reports.

Overdue and stalled are the plan list's own filters (``dispatch.projects.queries``), so a
count here links to a filtered list that shows exactly those projects. Missing reports are
the reports of the caller's rounds, open or closed, still not submitted once the district
deadline has passed, grouped by district. Everything goes through the scoped selects: a
district sees its own warnings, the city its districts'.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from dispatch.access import Permission, has_permission, visible_projects, visible_reports
from dispatch.projects.queries import stalled_clause
from dispatch.rounds.services import UNSUBMITTED
from models import DispatchRound, ProgressReport, Project, Region, User

MISSING_WINDOW = dt.timedelta(days=366)


def _count(session: Session, stmt: Select[Any]) -> int:
    return session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def overdue_projects(user: User, today: dt.date) -> Select[tuple[Project]]:
    """Approved projects past their planned completion and not complete (逾期)."""
    return visible_projects(user).where(Project.overdue_clause(today))


def stalled_projects(user: User) -> Select[tuple[Project]]:
    """Projects without progress over the last three approved rounds (停滞)."""
    return visible_projects(user).where(stalled_clause())


def overdue_count(session: Session, user: User, today: dt.date) -> int:
    return _count(session, overdue_projects(user, today))


def overdue_ids(session: Session, user: User, today: dt.date) -> list[int]:
    stmt = overdue_projects(user, today).with_only_columns(Project.id).order_by(Project.id)
    return list(session.scalars(stmt))


def stalled_count(session: Session, user: User) -> int:
    return _count(session, stalled_projects(user))


def stalled_ids(session: Session, user: User) -> list[int]:
    stmt = stalled_projects(user).with_only_columns(Project.id).order_by(Project.id)
    return list(session.scalars(stmt))


@dataclasses.dataclass(frozen=True)
class MissingRound:
    round_id: int
    title: str
    missing: int


@dataclasses.dataclass(frozen=True)
class MissingDistrict:
    """A district with reports still missing after the district deadline (缺报)."""

    district_id: int
    name: str
    rounds: tuple[MissingRound, ...]  # latest month first

    @property
    def missing(self) -> int:
        return sum(r.missing for r in self.rounds)

    @property
    def latest(self) -> MissingRound:
        return self.rounds[0]


def missing_reports(user: User, now: dt.datetime) -> Select[tuple[ProgressReport]]:
    """Reports the user may see, not submitted, in rounds whose district deadline passed.

    Open and closed rounds alike: closing a round keeps its unsubmitted reports as missing.
    Only rounds whose deadline fell within the last twelve months count: a warning is for
    chasing, and older gaps are history (the rounds' own pages still list them).
    """
    return (
        visible_reports(user)
        .join(DispatchRound, ProgressReport.round_id == DispatchRound.id)
        .where(
            DispatchRound.district_deadline < now,
            DispatchRound.district_deadline >= now - MISSING_WINDOW,
            ProgressReport.status.in_(UNSUBMITTED),
        )
    )


def missing_districts(session: Session, user: User, now: dt.datetime) -> list[MissingDistrict]:
    """Districts with missing reports, each with its rounds; one grouped query."""
    sub = missing_reports(user, now).subquery()
    rows = session.execute(
        select(
            Region.id,
            Region.name,
            DispatchRound.id,
            DispatchRound.year,
            DispatchRound.month,
            func.count(),
        )
        .select_from(sub)
        .join(Project, Project.id == sub.c.project_id)
        .join(Region, Region.id == Project.district_id)
        .join(DispatchRound, DispatchRound.id == sub.c.round_id)
        .group_by(
            Region.id,
            Region.name,
            Region.division_code,
            DispatchRound.id,
            DispatchRound.year,
            DispatchRound.month,
        )
        .order_by(
            Region.division_code,
            Region.id,
            DispatchRound.year.desc(),
            DispatchRound.month.desc(),
        )
    )
    districts: dict[int, tuple[str, list[MissingRound]]] = {}
    for district_id, name, round_id, year, month, missing in rows:
        entry = districts.setdefault(district_id, (name, []))
        entry[1].append(MissingRound(round_id, f"{year}年{month}月", missing))
    return [
        MissingDistrict(district_id, name, tuple(rounds))
        for district_id, (name, rounds) in districts.items()
    ]


def missing_district_ids(session: Session, user: User, now: dt.datetime) -> list[int]:
    return [d.district_id for d in missing_districts(session, user, now)]


class WarningSummary:
    """The warnings of one user at one moment, each computed only when shown.

    A warning the user has no permission for is None (its template never shows it).
    """

    def __init__(self, session: Session, user: User, now: dt.datetime, today: dt.date) -> None:
        self._session, self._user, self._now, self._today = session, user, now, today

    @functools.cached_property
    def overdue(self) -> int | None:
        if not has_permission(self._user, Permission.PROJECTS_VIEW):
            return None
        return overdue_count(self._session, self._user, self._today)

    @functools.cached_property
    def stalled(self) -> int | None:
        if not has_permission(self._user, Permission.PROJECTS_VIEW):
            return None
        return stalled_count(self._session, self._user)

    @functools.cached_property
    def missing(self) -> list[MissingDistrict] | None:
        if not has_permission(self._user, Permission.ROUNDS_VIEW):
            return None
        return missing_districts(self._session, self._user, self._now)

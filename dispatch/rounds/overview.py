"""Counts of a round's reports by state, per district and per round, in one SQL query each.

The reports counted are those of a scoped select the caller passes in (``visible_reports``
of the viewer), so a district sees its own district's row and an enterprise its own
projects, with the same query that gives the city every district. A report is *missing*
when it is not submitted (pending, filled by the enterprise, or returned) once the
round's district deadline has passed or the round is closed; at the deadline instant
itself it is not missing yet, as a submission then is not late (``services.submit``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select, true
from sqlalchemy.orm import Session

from dispatch.rounds.services import UNSUBMITTED
from models import DispatchRound, ProgressReport, Project, Region, ReportStatus, RoundStatus

# The states counted one by one, in the order the pages show them.
STATES = (
    ReportStatus.PENDING,
    ReportStatus.ENTERPRISE_FILLED,
    ReportStatus.SUBMITTED,
    ReportStatus.APPROVED,
    ReportStatus.RETURNED,
)


@dataclasses.dataclass(frozen=True)
class Counts:
    """How many reports are in each state, late, and missing."""

    total: int = 0
    pending: int = 0
    enterprise_filled: int = 0
    submitted: int = 0
    approved: int = 0
    returned: int = 0
    late: int = 0
    missing: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            **{
                f.name: getattr(self, f.name) + getattr(other, f.name)
                for f in dataclasses.fields(self)
            }
        )


@dataclasses.dataclass(frozen=True)
class DistrictCounts:
    """One row of a round's overview."""

    district_id: int
    district_name: str
    counts: Counts


def is_overdue(rnd: DispatchRound, now: dt.datetime) -> bool:
    """Unsubmitted reports count as missing: the district deadline passed, or it closed."""
    return not rnd.is_open or now > rnd.district_deadline


def _overdue_sql(now: dt.datetime) -> Any:
    return or_(DispatchRound.status == RoundStatus.CLOSED, DispatchRound.district_deadline < now)


def _count_columns(overdue: Any) -> list[Any]:
    """``SUM(CASE …)`` per count, labelled with the :class:`Counts` field it fills."""

    def tally(condition: Any, name: str) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0).label(name)

    return [
        func.count(ProgressReport.id).label("total"),
        *(tally(ProgressReport.status == state, state.value) for state in STATES),
        tally(ProgressReport.late == true(), "late"),
        tally(and_(ProgressReport.status.in_(sorted(UNSUBMITTED)), overdue), "missing"),
    ]


def _counts(row: Any) -> Counts:
    return Counts(**{f.name: int(getattr(row, f.name)) for f in dataclasses.fields(Counts)})


def _scoped_ids(reports: Select[Any]) -> Any:
    """The ids of the reports the caller may see, as a subquery of the one statement."""
    return reports.with_only_columns(ProgressReport.id).order_by(None)


def by_district(
    session: Session, reports: Select[Any], rnd: DispatchRound, now: dt.datetime
) -> list[DistrictCounts]:
    """Counts of ``rnd``'s reports among ``reports`` (a scoped select), one row per
    district that has any, by district name."""
    district = Region.__table__.alias("district")
    stmt = (
        select(district.c.id, district.c.name, *_count_columns(_overdue_sql(now)))
        .select_from(ProgressReport)
        .join(DispatchRound, ProgressReport.round_id == DispatchRound.id)
        .join(Project, ProgressReport.project_id == Project.id)
        .join(district, Project.district_id == district.c.id)
        .where(
            ProgressReport.round_id == rnd.id,
            ProgressReport.id.in_(_scoped_ids(reports)),
        )
        .group_by(district.c.id, district.c.name)
        .order_by(district.c.name, district.c.id)
    )
    return [DistrictCounts(row.id, row.name, _counts(row)) for row in session.execute(stmt)]


def by_round(
    session: Session, reports: Select[Any], rounds: Sequence[DispatchRound], now: dt.datetime
) -> dict[int, Counts]:
    """Counts per round of ``rounds`` among ``reports`` (a scoped select); a round with
    no visible report is absent."""
    if not rounds:
        return {}
    stmt = (
        select(ProgressReport.round_id, *_count_columns(_overdue_sql(now)))
        .join(DispatchRound, ProgressReport.round_id == DispatchRound.id)
        .where(
            ProgressReport.round_id.in_([r.id for r in rounds]),
            ProgressReport.id.in_(_scoped_ids(reports)),
        )
        .group_by(ProgressReport.round_id)
    )
    return {row.round_id: _counts(row) for row in session.execute(stmt)}


def total(rows: Sequence[DistrictCounts]) -> Counts:
    """The round's totals over the rows shown."""
    return sum((row.counts for row in rows), Counts())

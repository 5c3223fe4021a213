"""Scoped sums behind the dashboards: every figure is a GROUP BY over a ``visible_*`` select.

A dashboard is for one region (the city or a district) the caller may see. Each select is
the caller's scoped select (a district's can only ever hold its own district) narrowed to
the region's subtree by :func:`in_region`, so the city's page of a district and that
district's own page show the same numbers.

The cumulative reduction by month places each current confirmation of the year in the
**month its credit starts** in that year (not the month the city confirmed it): the
first month after stable operation under ``months_after_stable`` (``13 - credit_months``),
the month stable operation began under ``full_year`` in that year, January for a project
stable since an earlier year. December's cumulative value is then the year's confirmed
total, the same number as the bars against target, whenever the confirmation was made.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, case, cast, extract, false, func, or_, select
from sqlalchemy.orm import Session, aliased

from dispatch.access import visible_confirmations, visible_projects, visible_reports, visible_rounds
from dispatch.core.catalog import FULL_YEAR
from dispatch.reductions.periods import Period
from dispatch.reductions.queries import COUNTED_STATUSES, POLLUTANT_CODES, Cell, progress
from dispatch.rounds.services import UNSUBMITTED
from dispatch.rounds.warnings import overdue_projects, stalled_projects
from models import (
    ConfirmationStatus,
    DispatchRound,
    ProgressReport,
    Project,
    ReductionConfirmation,
    Region,
    RegionKind,
    RoundStatus,
)
from models.reductions import POLLUTANT_COLUMN_SUFFIX

ROUNDS = 12  # the submission rate looks at the last twelve rounds that fell due
WARNING_LIST_LIMIT = 100  # projects listed per warning (the counts are complete)


def in_region(region: Region) -> ColumnElement[bool]:
    """The project lies in ``region``'s subtree (an alias: the scoped selects join Region)."""
    subtree = aliased(Region)
    return Project.district_id.in_(
        select(subtree.id).where(subtree.path.startswith(region.path, autoescape=True))
    )


def districts_of(regions: list[Region], region: Region) -> list[Region]:
    """The districts a region's page shows: its own subtree's, or itself for a district."""
    if region.kind == RegionKind.DISTRICT:
        return [region]
    return [
        r
        for r in regions
        if r.kind == RegionKind.DISTRICT and r.path.startswith(region.path) and r.id != region.id
    ]


# --- reductions ----------------------------------------------------------------------------


def against_target(session: Session, user: Any, region: Region, year: int) -> list[Cell]:
    """Per pollutant: the region's confirmed credits of ``year`` and its target of the year.

    The reductions page's own totals (``dispatch.reductions.queries.progress``), so the two
    pages cannot disagree.
    """
    for row in progress(session, user, Period(year, year)):
        if row.region.id == region.id:
            return row.cells
    return [Cell(code, Decimal(0), None) for code in POLLUTANT_CODES]


def credit_start_month(year: int) -> Any:
    """SQL: the month of ``year`` from which a confirmation's credit counts (see above)."""
    stable = ReductionConfirmation.stable_operation_from
    full_year = ReductionConfirmation.credit_rule == FULL_YEAR
    return case(
        (and_(full_year, extract("year", stable) == year), cast(extract("month", stable), Integer)),
        (full_year, 1),
        else_=13 - ReductionConfirmation.credit_months,
    )


def monthly_credits(
    session: Session, user: Any, region: Region, year: int
) -> dict[int, dict[str, Decimal]]:
    """Month (1–12) → pollutant → current confirmed credits of ``year`` starting that month."""
    month = credit_start_month(year).label("month")
    sums = [
        func.coalesce(func.sum(getattr(ReductionConfirmation, f"credit_{suffix}")), 0)
        for suffix in POLLUTANT_COLUMN_SUFFIX.values()
    ]
    stmt = (
        visible_confirmations(user)
        .with_only_columns(month, *sums)
        .where(
            in_region(region),
            ReductionConfirmation.status == ConfirmationStatus.CURRENT,
            ReductionConfirmation.year == year,
            Project.plan_status.in_(COUNTED_STATUSES),
        )
        .group_by(month)
    )
    found: dict[int, dict[str, Decimal]] = {}
    for row in session.execute(stmt):
        values = dict(zip(POLLUTANT_CODES, (Decimal(v or 0) for v in row[1:]), strict=True))
        found[int(row[0])] = values
    return found


def cumulative(monthly: dict[int, dict[str, Decimal]]) -> dict[str, list[Decimal]]:
    """Pollutant → twelve running totals (January … December)."""
    totals = {code: Decimal(0) for code in POLLUTANT_CODES}
    series: dict[str, list[Decimal]] = {code: [] for code in POLLUTANT_CODES}
    for month in range(1, 13):
        for code in POLLUTANT_CODES:
            totals[code] += monthly.get(month, {}).get(code, Decimal(0))
            series[code].append(totals[code])
    return series


# --- projects --------------------------------------------------------------------------------


def _plan_list(user: Any, region: Region, year: int) -> Any:
    """The region's plan-list projects of ``year`` (approved or closed out), scoped."""
    return visible_projects(user).where(
        in_region(region), Project.plan_year == year, Project.plan_status.in_(COUNTED_STATUSES)
    )


def projects_by(session: Session, user: Any, region: Region, year: int, column: Any) -> dict:
    """``column``'s value (type code, construction status) → number of plan-list projects."""
    stmt = (
        _plan_list(user, region, year)
        .with_only_columns(column, func.count(Project.id))
        .group_by(column)
    )
    return {value: int(n) for value, n in session.execute(stmt)}


# --- monthly reports -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Submission:
    """A district's reports in the rounds counted: how many, submitted, submitted in time."""

    total: int = 0
    submitted: int = 0
    on_time: int = 0


def due_rounds(session: Session, user: Any, year: int, now: dt.datetime) -> list[DispatchRound]:
    """The last :data:`ROUNDS` rounds up to December of ``year`` whose district deadline
    has passed or that are closed (an open round before its deadline owes nothing yet)."""
    stmt = (
        visible_rounds(user)
        .where(
            DispatchRound.year <= year,
            or_(DispatchRound.status == RoundStatus.CLOSED, DispatchRound.district_deadline < now),
        )
        .order_by(DispatchRound.year.desc(), DispatchRound.month.desc(), DispatchRound.id.desc())
        .limit(ROUNDS)
    )
    return list(session.scalars(stmt))


def submissions(
    session: Session, user: Any, region: Region, rounds: list[DispatchRound]
) -> dict[int, Submission]:
    """District id → its reports in ``rounds``, summed in SQL."""
    if not rounds:
        return {}
    submitted = ProgressReport.status.not_in(sorted(UNSUBMITTED))
    stmt = (
        visible_reports(user)
        .with_only_columns(
            Project.district_id,
            func.count(ProgressReport.id),
            func.coalesce(func.sum(case((submitted, 1), else_=0)), 0),
            func.coalesce(
                func.sum(case((and_(submitted, ProgressReport.late == false()), 1), else_=0)), 0
            ),
        )
        .where(in_region(region), ProgressReport.round_id.in_([r.id for r in rounds]))
        .group_by(Project.district_id)
    )
    return {
        district: Submission(int(total), int(done), int(on_time))
        for district, total, done, on_time in session.execute(stmt)
    }


# --- early warnings --------------------------------------------------------------------------


def warnings_by_district(
    session: Session, user: Any, region: Region, today: dt.date
) -> dict[str, dict[int, int]]:
    """ "overdue" / "stalled" → district id → number of projects (today's state)."""
    found = {}
    for key, stmt in (
        ("overdue", overdue_projects(user, today)),
        ("stalled", stalled_projects(user)),
    ):
        grouped = (
            stmt.where(in_region(region))
            .with_only_columns(Project.district_id, func.count(Project.id))
            .group_by(Project.district_id)
        )
        found[key] = {district: int(n) for district, n in session.execute(grouped)}
    return found


def warning_projects(
    session: Session, user: Any, region: Region, today: dt.date
) -> dict[str, list[Project]]:
    """ "overdue" / "stalled" → the projects (at most :data:`WARNING_LIST_LIMIT` each)."""
    found = {}
    for key, stmt in (
        ("overdue", overdue_projects(user, today)),
        ("stalled", stalled_projects(user)),
    ):
        listed = stmt.where(in_region(region)).order_by(Project.code).limit(WARNING_LIST_LIMIT)
        found[key] = list(session.scalars(listed))
    return found

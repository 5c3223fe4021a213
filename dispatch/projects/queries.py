"""Plan-list filters, sorting and totals over the scoped select.

The early-warning filters (预警: overdue, stalled) are SQL clauses over the models, so the
monthly dispatch's warnings (``dispatch.rounds.warnings``) count exactly what this list
shows, without the plan list importing the rounds feature.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from dispatch.core import inputs, pollutants
from dispatch.core.catalog import Catalog
from models import (
    ConstructionStatus,
    DispatchRound,
    Enterprise,
    PlanStatus,
    ProgressReport,
    Project,
    Region,
    ReportStatus,
)

SORTS = {
    "code": Project.code,
    "name": Project.name,
    "type": Project.type_code,
    "planned_completion": Project.planned_completion,
    "total_investment": Project.total_investment,
    "status": Project.plan_status,
    "updated": Project.updated_at,
}

# Early warnings the list filters on (``?warning=``), with their Chinese names.
WARNINGS = {"overdue": "逾期", "stalled": "停滞"}
BAD_WARNING = "预警筛选条件无效，已忽略"
# Approved reports in a row with the same construction status and percent complete.
STALLED_ROUNDS = 3
_DONE = (ConstructionStatus.COMPLETED, ConstructionStatus.STABLE_OPERATION)


def stalled_project_ids() -> Select[tuple[int]]:
    """Projects whose last :data:`STALLED_ROUNDS` approved reports agree on construction
    status and percent complete (one query over the approved reports, not one per project).

    The latest reports are ranked per project by the round's month; a project with fewer
    approved reports than that has not been watched long enough to be called stalled.
    """
    ranked = (
        select(
            ProgressReport.project_id,
            ProgressReport.construction_status,
            ProgressReport.percent_complete,
            func.row_number()
            .over(
                partition_by=ProgressReport.project_id,
                order_by=(DispatchRound.year.desc(), DispatchRound.month.desc()),
            )
            .label("recency"),
        )
        .join(DispatchRound, ProgressReport.round_id == DispatchRound.id)
        .where(ProgressReport.status == ReportStatus.APPROVED)
        .subquery()
    )
    return (
        select(ranked.c.project_id)
        .where(ranked.c.recency <= STALLED_ROUNDS)
        .group_by(ranked.c.project_id)
        .having(
            func.count() == STALLED_ROUNDS,
            func.min(ranked.c.construction_status) == func.max(ranked.c.construction_status),
            func.min(ranked.c.percent_complete) == func.max(ranked.c.percent_complete),
        )
    )


def stalled_clause() -> ColumnElement[bool]:
    """Stalled (停滞): in the plan list, not yet complete, and no progress lately.

    Like overdue, only approved projects still being built count: a completed project
    reporting the same 100% every month has finished, not stalled.
    """
    return and_(
        Project.plan_status == PlanStatus.APPROVED,
        Project.construction_status.not_in(_DONE),
        Project.id.in_(stalled_project_ids()),
    )


def warning_clause(warning: str, today: dt.date) -> ColumnElement[bool]:
    """The SQL condition of one early warning (a key of :data:`WARNINGS`)."""
    if warning == "overdue":
        return Project.overdue_clause(today)
    if warning == "stalled":
        return stalled_clause()
    raise ValueError(warning)


@dataclasses.dataclass(frozen=True)
class ProjectFilters:
    year: int | None = None
    district_id: int | None = None
    type_code: str = ""
    medium: str = ""
    plan_status: str = ""
    construction_status: str = ""
    warning: str = ""  # a key of WARNINGS, or "" for no warning filter
    q: str = ""
    sort: str = "code"
    descending: bool = False
    # What was ignored and why, shown above the list (Chinese).
    notes: tuple[str, ...] = ()
    # The warning filter's choices, for the list's form.
    warning_choices: ClassVar[dict[str, str]] = WARNINGS

    @classmethod
    def from_args(cls, args: Any, default_year: int) -> ProjectFilters:
        """Read GET arguments leniently: a value that makes no sense is ignored, never a 500."""

        def _int(name: str) -> int | None:
            # ASCII digits within the database's range ("²" passes str.isdigit()).
            return inputs.parse_id(args.get(name) or "")

        year_arg = args.get("year")
        year = default_year if year_arg is None else _int("year")
        plan_status = args.get("plan_status", "")
        construction = args.get("construction_status", "")
        sort = args.get("sort", "code")
        # ``overdue=1`` is the list's older spelling of ``warning=overdue`` (kept for links).
        warning = args.get("warning") or ("overdue" if args.get("overdue") == "1" else "")
        notes = () if warning in ("", *WARNINGS) else (BAD_WARNING,)
        return cls(
            year=year,
            district_id=_int("district"),
            type_code=(args.get("type") or "").strip().upper()[:8],
            medium=args.get("medium", "") if args.get("medium") in pollutants.MEDIUM_CODES else "",
            plan_status=plan_status if plan_status in PlanStatus._value2member_map_ else "",
            construction_status=construction
            if construction in ConstructionStatus._value2member_map_
            else "",
            warning=warning if warning in WARNINGS else "",
            q=(args.get("q") or "").strip()[:100],
            sort=sort if sort in SORTS else "code",
            descending=args.get("dir") == "desc",
            notes=notes,
        )

    def as_args(self) -> dict[str, Any]:
        args = {
            "year": "" if self.year is None else self.year,
            "district": self.district_id or "",
            "type": self.type_code,
            "medium": self.medium,
            "plan_status": self.plan_status,
            "construction_status": self.construction_status,
            "warning": self.warning,
            "q": self.q,
            "sort": self.sort,
            "dir": "desc" if self.descending else "",
        }
        return {k: v for k, v in args.items() if v != ""} | {"year": args["year"]}


def apply_filters(
    stmt: Select[tuple[Project]], f: ProjectFilters, catalog: Catalog, today: dt.date
) -> Select[tuple[Project]]:
    if f.year is not None:
        stmt = stmt.where(Project.plan_year == f.year)
    if f.district_id is not None:
        stmt = stmt.where(Project.district_id == f.district_id)
    if f.type_code:
        stmt = stmt.where(Project.type_code == f.type_code)
    if f.medium:
        codes = [t.code for t in catalog.types if t.medium == f.medium]
        stmt = stmt.where(Project.type_code.in_(codes))
    if f.plan_status:
        stmt = stmt.where(Project.plan_status == f.plan_status)
    if f.construction_status:
        stmt = stmt.where(Project.construction_status == f.construction_status)
    if f.warning:
        stmt = stmt.where(warning_clause(f.warning, today))
    if f.q:
        like = f"%{f.q.replace('%', '').replace('_', '')}%"
        owner = select(Enterprise.id).where(
            or_(Enterprise.name.like(like), Enterprise.uscc.like(like.upper()))
        )
        stmt = stmt.where(
            or_(
                Project.name.like(like),
                Project.code.like(like),
                Project.owner_unit.like(like),
                Project.enterprise_id.in_(owner),
            )
        )
    column = SORTS[f.sort]
    return stmt.order_by(column.desc() if f.descending else column.asc(), Project.id)


def totals(session: Session, stmt: Select[tuple[Project]]) -> dict[str, Any]:
    """Count, investment and expected reductions per pollutant over the filtered set.

    Keys: ``count``, ``investment`` and one per pollutant code (``"COD"``, ``"NH3N"``, ...).
    """
    sub = stmt.order_by(None).subquery()
    sums = [func.coalesce(func.sum(sub.c[p.column]), 0) for p in pollutants.POLLUTANTS]
    row = session.execute(
        select(func.count(), func.coalesce(func.sum(sub.c.total_investment), 0), *sums)
    ).one()
    count, investment, *expected = row
    return {"count": count, "investment": Decimal(investment)} | {
        p.code: Decimal(value) for p, value in zip(pollutants.POLLUTANTS, expected, strict=True)
    }


def district_choices(session: Session, regions_stmt: Select[tuple[Region]]) -> list[Region]:
    from models import RegionKind

    return list(
        session.scalars(
            regions_stmt.where(Region.kind == RegionKind.DISTRICT).order_by(Region.division_code)
        )
    )

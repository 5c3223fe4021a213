"""Plan-list filters, sorting and totals over the scoped select."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from dispatch.core import inputs, pollutants
from dispatch.core.catalog import Catalog
from models import ConstructionStatus, Enterprise, PlanStatus, Project, Region

SORTS = {
    "code": Project.code,
    "name": Project.name,
    "type": Project.type_code,
    "planned_completion": Project.planned_completion,
    "total_investment": Project.total_investment,
    "status": Project.plan_status,
    "updated": Project.updated_at,
}


@dataclasses.dataclass(frozen=True)
class ProjectFilters:
    year: int | None = None
    district_id: int | None = None
    type_code: str = ""
    medium: str = ""
    plan_status: str = ""
    construction_status: str = ""
    overdue: bool = False
    q: str = ""
    sort: str = "code"
    descending: bool = False

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
        return cls(
            year=year,
            district_id=_int("district"),
            type_code=(args.get("type") or "").strip().upper()[:8],
            medium=args.get("medium", "") if args.get("medium") in pollutants.MEDIUM_CODES else "",
            plan_status=plan_status if plan_status in PlanStatus._value2member_map_ else "",
            construction_status=construction
            if construction in ConstructionStatus._value2member_map_
            else "",
            overdue=args.get("overdue") == "1",
            q=(args.get("q") or "").strip()[:100],
            sort=sort if sort in SORTS else "code",
            descending=args.get("dir") == "desc",
        )

    def as_args(self) -> dict[str, Any]:
        args = {
            "year": "" if self.year is None else self.year,
            "district": self.district_id or "",
            "type": self.type_code,
            "medium": self.medium,
            "plan_status": self.plan_status,
            "construction_status": self.construction_status,
            "overdue": "1" if self.overdue else "",
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
    if f.overdue:
        stmt = stmt.where(Project.overdue_clause(today))
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

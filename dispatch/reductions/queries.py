"""Scoped reads of reductions: region totals against targets, a project's versions.

Totals are sums in SQL over the *current* confirmations of the projects the caller may
see (``visible_confirmations``), so a district's figures can only ever be its own and
the city's are the sum over its subtree. Superseded versions and drafts never count.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import Session

from dispatch.access import visible_accounting_projects, visible_confirmations, visible_regions
from dispatch.core.pollutants import POLLUTANTS
from dispatch.reductions.periods import Period
from dispatch.reductions.targets import targets_of
from models import (
    ConfirmationStatus,
    ConstructionStatus,
    PlanStatus,
    Project,
    ReductionConfirmation,
    Region,
    RegionKind,
)
from models.reductions import POLLUTANT_COLUMN_SUFFIX

POLLUTANT_CODES = tuple(p.code for p in POLLUTANTS)
PERCENT = Decimal("0.1")
# Projects whose confirmed credits count: in the plan list, or closed out after accounting.
COUNTED_STATUSES = (PlanStatus.APPROVED, PlanStatus.CLOSED)


def _credit_columns() -> list[Any]:
    return [
        func.coalesce(func.sum(getattr(ReductionConfirmation, f"credit_{suffix}")), 0)
        for suffix in POLLUTANT_COLUMN_SUFFIX.values()
    ]


def _counted(stmt: Any, period: Period) -> Any:
    return stmt.where(
        ReductionConfirmation.status == ConfirmationStatus.CURRENT,
        ReductionConfirmation.year.between(period.year_from, period.year_to),
        Project.plan_status.in_(COUNTED_STATUSES),
    )


def _as_dict(values: Sequence[Any]) -> dict[str, Decimal]:
    return {code: Decimal(v or 0) for code, v in zip(POLLUTANT_CODES, values, strict=True)}


def credits_by_district(session: Session, user: Any, period: Period) -> dict[int, dict]:
    """District id → pollutant → the sum of current confirmed credits in ``period``."""
    scoped = visible_confirmations(user)
    stmt = _counted(
        scoped.with_only_columns(Project.district_id, *_credit_columns()), period
    ).group_by(Project.district_id)
    return {row[0]: _as_dict(row[1:]) for row in session.execute(stmt)}


def credits_total(session: Session, user: Any, period: Period) -> dict[str, Decimal]:
    """Pollutant → the sum over everything the caller sees (the city's total)."""
    scoped = visible_confirmations(user)
    stmt = _counted(scoped.with_only_columns(*_credit_columns()), period)
    row = session.execute(stmt).one()
    return _as_dict(tuple(row))


def percent(credited: Decimal, target: Decimal | None) -> Decimal | None:
    """Share of the target reached, %, one decimal (None without a positive target)."""
    if target is None or target <= 0:
        return None
    return (credited * 100 / target).quantize(PERCENT, rounding=ROUND_HALF_UP)


@dataclasses.dataclass(frozen=True)
class Cell:
    pollutant: str
    credited: Decimal
    target: Decimal | None

    @property
    def percent(self) -> Decimal | None:
        return percent(self.credited, self.target)


@dataclasses.dataclass(frozen=True)
class RegionProgress:
    region: Region
    cells: list[Cell]


def target_regions(session: Session, user: Any) -> list[Region]:
    """The city and districts in the caller's subtree, the city first."""
    stmt = (
        visible_regions(user)
        .where(Region.kind.in_((RegionKind.CITY, RegionKind.DISTRICT)))
        .order_by(Region.kind != RegionKind.CITY, Region.division_code, Region.id)
    )
    return list(session.scalars(stmt))


def progress(session: Session, user: Any, period: Period) -> list[RegionProgress]:
    """Each visible city and district: credited against target, per pollutant."""
    regions = target_regions(session, user)
    targets = targets_of(session, regions, period)
    by_district = credits_by_district(session, user, period)
    total = credits_total(session, user, period)
    rows = []
    for region in regions:
        sums = total if region.kind == RegionKind.CITY else by_district.get(region.id, {})
        cells = [
            Cell(
                code,
                sums.get(code, Decimal(0)),
                t.tonnes if (t := targets.get((region.id, code))) is not None else None,
            )
            for code in POLLUTANT_CODES
        ]
        rows.append(RegionProgress(region, cells))
    return rows


def versions(session: Session, user: Any, project: Project) -> list[ReductionConfirmation]:
    """Every version of the project's accounting, newest first (drafts included)."""
    stmt = (
        visible_confirmations(user)
        .where(ReductionConfirmation.project_id == project.id)
        .order_by(ReductionConfirmation.year.desc(), ReductionConfirmation.version.desc())
    )
    return list(session.scalars(stmt))


def stable_projects(session: Session, user: Any, limit: int = 200) -> list[Project]:
    """Plan-list projects in stable operation the caller may account (the index list)."""
    stmt = (
        visible_accounting_projects(user)
        .where(
            Project.plan_status == PlanStatus.APPROVED,
            Project.construction_status == ConstructionStatus.STABLE_OPERATION,
        )
        .order_by(Project.code)
        .limit(limit)
    )
    return list(session.scalars(stmt))

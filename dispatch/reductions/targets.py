"""Reduction targets (减排目标): the city sets them per region × pollutant × period.

One call saves a page of the grid: the city and its districts × the pollutants, for one
period. Only cells whose value changed are written; each change adds a history row (old,
new, who, when) and one audit event lists them all. Clearing a cell is not offered: a
target, once set, is changed, not removed (its history would lose its end).

The grid carries the id of the newest change the page showed (``seen``): if someone else
saved targets of the same city and period meanwhile, the save is refused as stale rather
than silently overwriting their values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch import audit
from dispatch.access import in_scope
from dispatch.audit import Acting
from dispatch.errors import DomainError, StaleObjectError
from dispatch.reductions.periods import Period
from models import ReductionTarget, ReductionTargetChange, Region

MAX_TONNES = Decimal("999999999999")  # Numeric(18, 6): 12 digits before the point


def targets_of(
    session: Session, regions: Sequence[Region], period: Period
) -> dict[tuple[int, str], ReductionTarget]:
    """(region id, pollutant) → target of ``period`` for the given regions."""
    if not regions:
        return {}
    stmt = select(ReductionTarget).where(
        ReductionTarget.region_id.in_([r.id for r in regions]),
        ReductionTarget.year_from == period.year_from,
        ReductionTarget.year_to == period.year_to,
    )
    return {(t.region_id, t.pollutant): t for t in session.scalars(stmt)}


def last_change(session: Session, regions: Sequence[Region], period: Period) -> int:
    """The newest change id of these regions' targets of ``period`` (0 when none)."""
    if not regions:
        return 0
    stmt = (
        select(func.max(ReductionTargetChange.id))
        .join(ReductionTargetChange.target)
        .where(
            ReductionTarget.region_id.in_([r.id for r in regions]),
            ReductionTarget.year_from == period.year_from,
            ReductionTarget.year_to == period.year_to,
        )
    )
    return session.scalar(stmt) or 0


def set_targets(
    session: Session,
    acting: Acting,
    regions: Sequence[Region],
    period: Period,
    values: Mapping[tuple[int, str], Decimal],
    *,
    seen: int,
) -> int:
    """Save the changed cells; returns how many targets changed."""
    by_id = {r.id: r for r in regions}
    for region in regions:
        if not in_scope(acting.actor, region):
            raise DomainError("只能设置本辖区的减排目标")
    if last_change(session, regions, period) != seen:
        raise StaleObjectError()
    existing = targets_of(session, regions, period)
    changed = []
    for (region_id, pollutant), tonnes in sorted(values.items()):
        if region_id not in by_id:
            raise DomainError("只能设置本辖区的减排目标")
        if tonnes < 0 or tonnes > MAX_TONNES:
            raise DomainError(f"减排目标应在 0 到 {MAX_TONNES} 吨之间")
        target = existing.get((region_id, pollutant))
        old = target.tonnes if target is not None else None
        if old is not None and old == tonnes:
            continue
        if target is None:
            target = ReductionTarget(
                region_id=region_id,
                pollutant=pollutant,
                year_from=period.year_from,
                year_to=period.year_to,
                tonnes=tonnes,
            )
            session.add(target)
        target.tonnes = tonnes
        target.updated_by_id = acting.actor.id
        target.updated_at = acting.at
        session.flush()
        session.add(
            ReductionTargetChange(
                target_id=target.id,
                old_tonnes=old,
                new_tonnes=tonnes,
                changed_by_id=acting.actor.id,
                changed_at=acting.at,
            )
        )
        changed.append(
            {
                "region": by_id[region_id].division_code,
                "pollutant": pollutant,
                "old": None if old is None else f"{old:f}",
                "new": f"{tonnes:f}",
            }
        )
    if changed:
        session.flush()
        audit.record(
            session,
            acting,
            "targets.set",
            object_type="reduction_targets",
            object_id=period.key,
            details={"period": period.key, "changes": changed},
        )
    return len(changed)

"""The city's target page: one grid per period (a year or the five-year period) of its
city and districts × pollutants, with the history of every change."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from dispatch.access import Permission, require, visible_targets
from dispatch.clock import today
from dispatch.core.pollutants import POLLUTANTS
from dispatch.db import get_session
from dispatch.errors import DomainError
from dispatch.reductions import queries, targets
from dispatch.reductions.periods import Period, choices_around, parse_period
from dispatch.web import uow
from forms.reductions import target_field, target_values, targets_form
from models import ReductionTarget, ReductionTargetChange

HISTORY_LIMIT = 50


def _period(raw: str | None) -> Period:
    try:
        return parse_period(raw or str(today().year))
    except DomainError as exc:
        flash(exc.message, "danger")
        return parse_period(str(today().year))


def _history(period: Period) -> list[ReductionTargetChange]:
    ids = visible_targets(current_user).with_only_columns(ReductionTarget.id)
    stmt = (
        select(ReductionTargetChange)
        .join(ReductionTargetChange.target)
        .where(
            ReductionTargetChange.target_id.in_(ids.scalar_subquery()),
            ReductionTarget.year_from == period.year_from,
            ReductionTarget.year_to == period.year_to,
        )
        .options(
            selectinload(ReductionTargetChange.target).selectinload(ReductionTarget.region),
            selectinload(ReductionTargetChange.changed_by),
        )
        .order_by(ReductionTargetChange.id.desc())
        .limit(HISTORY_LIMIT)
    )
    return list(get_session().scalars(stmt))


@require(Permission.TARGETS_MANAGE)
def edit() -> Any:
    """View and set the targets of one period."""
    session = get_session()
    regions = queries.target_regions(session, current_user)
    pairs = [(r.id, r.name) for r in regions]
    if request.method == "POST":
        form = targets_form(pairs)
        period = _period(form.period.data)
        if form.validate_on_submit():
            values = target_values(form, [r.id for r in regions])

            def work(s: Any) -> int:
                return targets.set_targets(
                    s, uow.acting(), regions, period, values, seen=form.seen.data
                )

            outcome = uow.run(work, form=form)
            if outcome.ok:
                saved = outcome.value
                flash(f"已保存 {saved} 项减排目标" if saved else "目标未改变", "success")
                return redirect(url_for("reductions.targets", period=period.key))
    else:
        period = _period(request.args.get("period"))
        current = targets.targets_of(session, regions, period)
        data: dict[str, Any] = {
            target_field(region_id, pollutant): f"{t.tonnes.normalize():f}"
            for (region_id, pollutant), t in current.items()
        }
        data |= {"period": period.key, "seen": targets.last_change(session, regions, period)}
        form = targets_form(pairs, data=data)
    return render_template(
        "reductions/targets.html",
        form=form,
        period=period,
        periods=choices_around(period.year_from),
        regions=regions,
        pollutants=POLLUTANTS,
        field_name=target_field,
        history=_history(period),
    )

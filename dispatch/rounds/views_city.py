"""The city's round pages: the list of rounds, opening one, its overview, deadlines, closing.

Thin views: load through the scoped selects (``visible_rounds``: a round of another city is
a 404), validate the form, hand one service call to :func:`dispatch.web.uow.run`, flash
and redirect. Counts come from :mod:`dispatch.rounds.overview`, over the viewer's own
``visible_reports``, so a district sees its own row with the same query. The review queue
and the decisions on reports are in :mod:`dispatch.rounds.views_city_review`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from dispatch.access import (
    Permission,
    get_or_404,
    has_permission,
    require,
    visible_regions,
    visible_reports,
    visible_rounds,
)
from dispatch.clock import now, today
from dispatch.core.beijing import local_date
from dispatch.db import get_session
from dispatch.rounds import overview, services
from dispatch.web import uow
from dispatch.web.pagination import page_arg, paginate
from forms.round_admin import DeadlinesForm, OpenRoundForm, RoundVersionForm
from models import DispatchRound, Region

ROUNDS_PER_PAGE = 24


def load_round(round_id: int) -> DispatchRound:
    return get_or_404(get_session(), visible_rounds(current_user), round_id, DispatchRound)


@dataclasses.dataclass(frozen=True)
class Deadline:
    """A deadline as the pages show it: the instant, and the days left in Beijing dates."""

    label: str
    at: dt.datetime

    def days_left(self, instant: dt.datetime) -> int | None:
        """Whole Beijing days until the deadline's date (0: today); None once it passed."""
        if instant > self.at:
            return None
        return (local_date(self.at) - local_date(instant)).days


def deadlines_of(rnd: DispatchRound) -> list[Deadline]:
    return [
        Deadline("企业填报截止", rnd.enterprise_deadline),
        Deadline("区县提交截止", rnd.district_deadline),
    ]


def _last_month(day: dt.date) -> dt.date:
    return day.replace(day=1) - dt.timedelta(days=1)


@require(Permission.ROUNDS_VIEW)
def index():  # type: ignore[no-untyped-def]
    db = get_session()
    stmt = visible_rounds(current_user).order_by(
        DispatchRound.year.desc(), DispatchRound.month.desc(), DispatchRound.id.desc()
    )
    page = paginate(db, stmt, page_arg(request.args.get("page")), per_page=ROUNDS_PER_PAGE)
    instant = now()
    return render_template(
        "rounds/index.html",
        page=page,
        counts=overview.by_round(db, visible_reports(current_user), page.items, instant),
        deadlines_of=deadlines_of,
        now=instant,
        can_manage=has_permission(current_user, Permission.ROUNDS_MANAGE),
    )


def _open_defaults() -> dict[str, Any]:
    """Last month, with its default deadlines."""
    month = _last_month(today())
    enterprise, district = services.default_deadlines(month.year, month.month)
    return {"month": month, "enterprise_deadline": enterprise, "district_deadline": district}


@require(Permission.ROUNDS_MANAGE)
def open_round():  # type: ignore[no-untyped-def]
    # A city user's region is their city; the service refuses any other kind of region.
    city = current_user.region
    form = OpenRoundForm(data=_open_defaults() if request.method == "GET" else None)
    if form.validate_on_submit():
        month = form.month.data
        outcome = uow.run(
            lambda db: services.open_round(
                db,
                uow.acting(),
                city,
                month.year,
                month.month,
                enterprise_deadline=form.enterprise_deadline.data,
                district_deadline=form.district_deadline.data,
            ),
            form=form,
        )
        if outcome.value is not None:
            rnd = outcome.value
            flash(f"已开启{rnd.title}调度", "success")
            return redirect(url_for("rounds.show", round_id=rnd.id))
    return render_template("rounds/open.html", form=form, city=city)


def _filterable(rows: list[overview.DistrictCounts]) -> set[int]:
    """The rows' districts the reports list can filter by: the viewer's own regions (an
    enterprise's list has no district filter)."""
    ids = [row.district_id for row in rows]
    found = get_session().scalars(
        visible_regions(current_user).where(Region.id.in_(ids)).with_only_columns(Region.id)
    )
    return set(found)


def _deadlines_form(rnd: DispatchRound) -> DeadlinesForm:
    return DeadlinesForm(
        formdata=None,
        data={
            "version": rnd.version_id,
            "enterprise_deadline": rnd.enterprise_deadline,
            "district_deadline": rnd.district_deadline,
        },
    )


def _show(rnd: DispatchRound, deadlines_form: DeadlinesForm):  # type: ignore[no-untyped-def]
    db = get_session()
    instant = now()
    rows = overview.by_district(db, visible_reports(current_user), rnd, instant)
    return render_template(
        "rounds/show.html",
        rnd=rnd,
        rows=rows,
        totals=overview.total(rows),
        overdue=overview.is_overdue(rnd, instant),
        deadlines=deadlines_of(rnd),
        now=instant,
        statuses=overview.STATES,
        deadlines_form=deadlines_form,
        close_form=RoundVersionForm(formdata=None, data={"version": rnd.version_id}),
        can_manage=has_permission(current_user, Permission.ROUNDS_MANAGE) and rnd.is_open,
        filterable=_filterable(rows),
    )


@require(Permission.ROUNDS_VIEW)
def show(round_id: int):  # type: ignore[no-untyped-def]
    rnd = load_round(round_id)
    return _show(rnd, _deadlines_form(rnd))


@require(Permission.ROUNDS_MANAGE)
def set_deadlines(round_id: int):  # type: ignore[no-untyped-def]
    rnd = load_round(round_id)
    form = DeadlinesForm()
    if form.validate_on_submit():
        outcome = uow.run(
            lambda db: services.set_deadlines(
                db,
                uow.acting(),
                rnd,
                form.enterprise_deadline.data,
                form.district_deadline.data,
                version=form.version.data,
            ),
            form=form,
        )
        if outcome.ok:
            flash("截止时间已更新", "success")
            return redirect(url_for("rounds.show", round_id=rnd.id))
    # The form as typed, with its errors, on the round's page.
    return _show(rnd, form)


@require(Permission.ROUNDS_MANAGE)
def close(round_id: int):  # type: ignore[no-untyped-def]
    rnd = load_round(round_id)
    form = RoundVersionForm()
    if not form.validate_on_submit():
        for messages in form.errors.values():
            for message in messages:
                flash(message, "danger")
        return redirect(url_for("rounds.show", round_id=rnd.id))
    outcome = uow.run(
        lambda db: services.close_round(db, uow.acting(), rnd, version=form.version.data)
    )
    if outcome.ok:
        missing = outcome.value or 0
        flash(
            f"{rnd.title}调度已关闭" + (f"，{missing} 条未提交的填报列为缺报" if missing else ""),
            "success",
        )
    return redirect(url_for("rounds.show", round_id=rnd.id))

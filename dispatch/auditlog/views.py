"""The audit log for auditors: filters by actor, action, object and date range."""

from __future__ import annotations

import datetime as dt

from flask import render_template, request
from sqlalchemy import select

from dispatch.access import Permission, require
from dispatch.clock import CHINA_TZ
from dispatch.db import get_session
from dispatch.web.pagination import page_arg, paginate
from forms.auditlog import AuditFilterForm
from models import AuditEvent

OUTCOMES = ("", "success", "failure", "denied")


def _validate(form: AuditFilterForm) -> bool:
    """Validate the filter; every field's message is its own (they name field and rule)."""
    valid = form.validate()
    if (form.outcome.data or "") not in OUTCOMES:
        form.outcome.errors = ["请选择 全部、成功、失败 或 拒绝"]
        valid = False
    start, end = form.date_from.data, form.date_to.data
    if valid and start and end and end < start:
        form.date_to.errors = ["结束日期不能早于开始日期"]
        valid = False
    return valid


def _day_start(day: dt.date) -> dt.datetime:
    """Dates are entered in Beijing time; the log stores UTC."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=CHINA_TZ).astimezone(dt.UTC)


@require(Permission.AUDIT_READ)
def events():  # type: ignore[no-untyped-def]
    form = AuditFilterForm(request.args)
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc())
    if _validate(form):
        if form.actor.data:
            stmt = stmt.where(AuditEvent.actor_username.contains(form.actor.data, autoescape=True))
        if form.action.data:
            stmt = stmt.where(AuditEvent.action.startswith(form.action.data, autoescape=True))
        if form.object_type.data:
            stmt = stmt.where(AuditEvent.object_type == form.object_type.data)
        if form.object_id.data:
            stmt = stmt.where(AuditEvent.object_id == form.object_id.data)
        if form.outcome.data:
            stmt = stmt.where(AuditEvent.outcome == form.outcome.data)
        if form.date_from.data:
            stmt = stmt.where(AuditEvent.occurred_at >= _day_start(form.date_from.data))
        if form.date_to.data:
            end = _day_start(form.date_to.data + dt.timedelta(days=1))
            stmt = stmt.where(AuditEvent.occurred_at < end)
    else:
        stmt = stmt.where(AuditEvent.id.is_(None))
    page = paginate(get_session(), stmt, page_arg(request.args.get("page")))
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "auditlog/events.html", form=form, page=page, args=args, china_tz=CHINA_TZ
    )

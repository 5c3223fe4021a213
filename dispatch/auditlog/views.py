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

# WTForms' generic messages ("不是有效的日期值") do not say what to enter; these do.
DATE_HINT = "日期格式不正确，请按 年-月-日 填写，例如 2025-06-01"
FILTER_ERRORS = {
    "date_from": DATE_HINT,
    "date_to": DATE_HINT,
    "outcome": "请选择 全部、成功、失败 或 拒绝",
}
TOO_LONG = "不能超过 64 个字符"


def _validate(form: AuditFilterForm) -> bool:
    """Validate the filter, replacing library messages with Chinese ones."""
    valid = form.validate()
    for field in form:
        if field.errors:
            field.errors = [FILTER_ERRORS.get(field.name, TOO_LONG)]
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

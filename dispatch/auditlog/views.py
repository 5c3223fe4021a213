"""The audit log for auditors: the filtered list, and the same filter exported as a workbook.

The export is itself an audit event (who exported which filter, how many events); a
workbook whose export could not be recorded is not handed out.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from dispatch import audit
from dispatch.access import Permission, require
from dispatch.auditlog.categories import OUTCOME_LABELS, action_label
from dispatch.auditlog.export import MAX_WEB_ROWS, get_layout, write_events
from dispatch.auditlog.queries import AuditCriteria, count, filtered
from dispatch.clock import CHINA_TZ
from dispatch.db import get_session
from dispatch.web import uow
from dispatch.web.downloads import send_file_stream, spooled
from dispatch.web.pagination import page_arg, paginate
from dispatch.workbooks.writer import XLSX_MIMETYPE
from forms.auditlog import AuditFilterForm
from models import AuditEvent

EXPORT_ACTION = "audit.export"


def _filter_args() -> dict[str, str]:
    """The filter as given (for links and the export's hidden copy), empty fields dropped."""
    return {k: v for k, v in request.args.items() if k in AuditFilterForm.FILTER_FIELDS and v}


@require(Permission.AUDIT_READ)
def events() -> ResponseReturnValue:
    form = AuditFilterForm(request.args)
    valid = form.validate()
    if valid:
        stmt = filtered(AuditCriteria.of(form.data)).order_by(AuditEvent.id.desc())
    else:
        stmt = filtered(AuditCriteria()).where(AuditEvent.id.is_(None))
    page = paginate(get_session(), stmt, page_arg(request.args.get("page")))
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "auditlog/events.html",
        form=form,
        page=page,
        args=args,
        # Every filter field, so the export takes exactly the filter shown.
        export_args={name: request.args.get(name, "") for name in form.FILTER_FIELDS}
        if valid
        else None,
        china_tz=CHINA_TZ,
        outcome_labels=OUTCOME_LABELS,
        action_label=action_label,
        max_rows=MAX_WEB_ROWS,
    )


@require(Permission.AUDIT_READ)
def export_events() -> ResponseReturnValue:
    form = AuditFilterForm(request.args)
    back = url_for("auditlog.events", **_filter_args())
    if not form.validate():
        flash("筛选条件有误，未导出：请按提示修改后重试", "danger")
        return redirect(back)
    criteria = AuditCriteria.of(form.data)
    stmt = filtered(criteria)
    session = get_session()
    total = count(session, stmt)
    if total > MAX_WEB_ROWS:
        flash(
            f"符合条件的事件共 {total} 条，超过单次导出上限 {MAX_WEB_ROWS} 条：请缩小时间范围"
            "分批导出，或由系统管理员使用 dispatch audit export 命令导出",
            "warning",
        )
        return redirect(back)
    acting = uow.acting()
    with spooled() as out:
        rows = write_events(
            session,
            stmt,
            out,
            criteria=criteria,
            exported_at=acting.at,
            exported_by=acting.actor.username,
        )
        details = {"filters": criteria.as_details(), "rows": rows, "via": "web"}
        recorded = uow.run(
            lambda db: audit.record(
                db, acting, EXPORT_ACTION, object_type="audit_log", details=details
            )
        )
    if not recorded.ok:
        # An export of the audit log that could not itself be logged is not handed out.
        out.close()
        return redirect(back)
    name = get_layout().download_name(criteria, acting.at.astimezone(CHINA_TZ).date())
    return send_file_stream(out, name, mimetype=XLSX_MIMETYPE, fallback="audit-log.xlsx")

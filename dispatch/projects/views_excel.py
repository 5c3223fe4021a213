"""Plan-list workbook export and import (national-export.md §1), thin views.

The export streams the year's plan list of the caller's scope (``visible_projects``)
into a temporary file that spills to disk; the import checks the whole workbook and
creates all its projects as drafts or none, showing every error by sheet, row and column.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO
from urllib.parse import quote

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from dispatch import audit
from dispatch.access import Permission, has_permission, require
from dispatch.clock import now
from dispatch.db import get_session
from dispatch.projects import excel_export, excel_import
from dispatch.projects.excel_layout import get_layout
from dispatch.projects.excel_read import MAX_BYTES, MAX_ROWS
from forms.project_import import PlanListExportForm, PlanListImportForm
from models import PlanStatus, User

# A report of thousands of lines helps nobody; the first ones show what to fix.
SHOWN_ERRORS = 500
# Workbooks up to this size stay in memory; larger ones spill to a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024


def _download(out: IO[bytes], filename: str, fallback: str) -> Response:
    """Stream a finished workbook from its temporary file, closing the file at the end."""
    size = out.tell()
    out.seek(0)

    def chunks() -> Iterator[bytes]:
        try:
            while chunk := out.read(64 * 1024):
                yield chunk
        finally:
            out.close()

    response = Response(chunks(), mimetype=excel_export.XLSX_MIMETYPE)
    response.headers["Content-Length"] = str(size)
    # RFC 6266/5987: an ASCII fallback for old clients, the Chinese name for the rest.
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


def _actor() -> User:
    return current_user._get_current_object()  # type: ignore[no-any-return]


def _export_form(args: MultiDict | None = None) -> PlanListExportForm:
    data = MultiDict(args or {})
    data.setdefault("year", str(now().year))
    data.setdefault("status", "approved")
    return PlanListExportForm(formdata=data)


def _render(form: PlanListImportForm, errors: list[excel_import.CellError] | None = None):  # type: ignore[no-untyped-def]
    errors = errors or []
    return render_template(
        "projects/import.html",
        form=form,
        export_form=_export_form(),
        errors=errors[:SHOWN_ERRORS],
        error_total=len(errors),
        layout=get_layout(),
        max_rows=MAX_ROWS,
        max_mb=MAX_BYTES // 1024 // 1024,
        can_export=has_permission(current_user, Permission.PROJECTS_EXPORT),
    )


@require(Permission.PROJECTS_EXPORT)
def export_plan_list():  # type: ignore[no-untyped-def]
    form = _export_form(request.args)
    if not form.validate():
        for messages in form.errors.values():
            for message in messages:
                flash(message, "danger")
        return redirect(url_for("projects.import_plan_list"))
    year, status = form.year.data, form.status.data
    statuses = list(PlanStatus) if status == "all" else [PlanStatus(status)]
    db = get_session()
    actor = _actor()
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (_download closes it)
    try:
        rows = excel_export.write_plan_list(db, actor, year, statuses, out)
        audit.record(
            db,
            "project.export",
            actor=actor,
            object_type="plan_list",
            details={"year": year, "status": status, "rows": rows},
        )
        db.commit()
    except BaseException:
        out.close()
        raise
    return _download(out, get_layout().download_name(year), f"plan-list-{year}.xlsx")


@require(Permission.PROJECTS_IMPORT)
def import_plan_list():  # type: ignore[no-untyped-def]
    form = PlanListImportForm()
    if not form.validate_on_submit():
        return _render(form)
    db = get_session()
    actor = _actor()
    upload = form.file.data
    filename = upload.filename or ""
    # One byte over the limit is enough for the reader to refuse the file.
    data = upload.read(MAX_BYTES + 1)
    try:
        created = excel_import.import_plan_list(db, actor, data, now=now(), filename=filename)
    except excel_import.PlanListRejected as exc:
        db.rollback()
        excel_import.record_rejected(
            db, actor=actor, filename=filename, error_count=len(exc.errors)
        )
        db.commit()
        flash(exc.message, "danger")
        return _render(form, exc.errors)
    db.commit()
    flash(
        f"导入成功：共导入 {len(created)} 个项目，均为草稿；请核对后提交审核。",
        "success",
    )
    return redirect(url_for("projects.import_plan_list"))


@require(Permission.PROJECTS_IMPORT)
def import_template():  # type: ignore[no-untyped-def]
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (_download closes it)
    excel_export.write_template(out)
    return _download(out, get_layout().template_filename, "plan-list-template.xlsx")

"""Plan-list workbook export and import (national-export.md §1), thin views.

The export streams the year's plan list of the caller's scope (``visible_projects``)
into a temporary file that spills to disk, then to the client; the import checks the whole
workbook and creates all its projects as drafts or none, showing every error by sheet, row
and column (the upload flow of :mod:`dispatch.workbooks.upload`).
"""

from __future__ import annotations

import functools

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from dispatch import audit
from dispatch.access import Permission, has_permission, require
from dispatch.db import get_session
from dispatch.projects import workbook_export, workbook_import
from dispatch.projects.workbook_layout import get_layout
from dispatch.web import uow
from dispatch.web.downloads import send_file_stream, send_written, spooled
from dispatch.workbooks.importer import MAX_BYTES, MAX_ROWS, CellError
from dispatch.workbooks.upload import error_report, upload_page
from dispatch.workbooks.writer import XLSX_MIMETYPE
from forms.project_import import PlanListExportForm, PlanListImportForm
from models import PlanStatus, Project


def _export_form(args: MultiDict | None = None) -> PlanListExportForm:
    data = MultiDict(args or {})
    data.setdefault("year", str(uow.acting().at.year))
    data.setdefault("status", "approved")
    return PlanListExportForm(formdata=data)


def _render(form: PlanListImportForm, errors: list[CellError]) -> str:
    return render_template(
        "projects/import.html",
        form=form,
        export_form=_export_form(),
        layout=get_layout(),
        max_rows=MAX_ROWS,
        max_mb=MAX_BYTES // 1024 // 1024,
        can_export=has_permission(current_user, Permission.PROJECTS_EXPORT),
        **error_report(errors),
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
    acting = uow.acting()
    with spooled() as out:
        rows = workbook_export.write_plan_list(get_session(), acting.actor, year, statuses, out)
        details = {"year": year, "status": status, "rows": rows}
        recorded = uow.run(
            lambda session: audit.record(
                session, acting, "project.export", object_type="plan_list", details=details
            )
        )
    if not recorded.ok:
        # A download that could not be logged is not handed out.
        out.close()
        return redirect(url_for("projects.import_plan_list"))
    return send_file_stream(
        out,
        get_layout().download_name(year),
        mimetype=XLSX_MIMETYPE,
        fallback=f"plan-list-{year}.xlsx",
    )


@require(Permission.PROJECTS_IMPORT)
def import_template():  # type: ignore[no-untyped-def]
    name, write = get_layout().template_filename, workbook_export.write_template
    return send_written(write, name, mimetype=XLSX_MIMETYPE, fallback="plan-list-template.xlsx")


def _imported(created: list[Project]) -> ResponseReturnValue:
    flash(f"导入成功：共导入 {len(created)} 个项目，均为草稿；请核对后提交审核。", "success")
    return redirect(url_for("projects.import_plan_list"))


@require(Permission.PROJECTS_IMPORT)
def import_plan_list():  # type: ignore[no-untyped-def]
    form = PlanListImportForm()
    page = functools.partial(_render, form)
    return upload_page(form, workbook_import.import_plan_list, page, _imported)

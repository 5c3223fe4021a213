"""Enterprise import from ``.xlsx`` (all rows or none) and its empty template."""

from __future__ import annotations

import functools

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from dispatch.access import Permission, require
from dispatch.admin import imports
from dispatch.web.downloads import send_written
from dispatch.workbooks.importer import MAX_ROWS, CellError
from dispatch.workbooks.upload import error_report, upload_page
from dispatch.workbooks.writer import XLSX_MIMETYPE
from forms.admin import ImportForm
from models import Enterprise


def _imported(created: list[Enterprise]) -> ResponseReturnValue:
    flash(f"导入成功：共导入 {len(created)} 家企业", "success")
    return redirect(url_for("admin.enterprises"))


def _render(form: ImportForm, errors: list[CellError]) -> str:
    return render_template(
        "admin/import.html",
        form=form,
        headers=imports.get_layout().headers,
        max_rows=MAX_ROWS,
        **error_report(errors),
    )


@require(Permission.ORGS_MANAGE)
def import_enterprises():  # type: ignore[no-untyped-def]
    form = ImportForm()
    page = functools.partial(_render, form)
    return upload_page(form, imports.import_enterprises, page, _imported)


@require(Permission.ORGS_MANAGE)
def import_template():  # type: ignore[no-untyped-def]
    name, write = imports.get_layout().template_filename, imports.write_template
    return send_written(write, name, mimetype=XLSX_MIMETYPE, fallback="enterprises.xlsx")

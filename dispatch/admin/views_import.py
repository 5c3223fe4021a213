"""Enterprise import from ``.xlsx`` (all rows or none) and its empty template."""

from __future__ import annotations

import io

from flask import flash, redirect, render_template, send_file, url_for

from dispatch.access import Permission, require
from dispatch.admin import imports
from dispatch.admin.common import acting_user
from dispatch.db import get_session
from forms.admin import ImportForm

# A report of thousands of lines helps nobody; the first ones show what to fix.
SHOWN_ERRORS = 500


def _render(form: ImportForm, errors: list[imports.RowError] | None = None) -> str:
    return render_template(
        "admin/import.html",
        form=form,
        errors=(errors or [])[:SHOWN_ERRORS],
        error_total=len(errors or []),
        headers=imports.HEADERS,
        max_rows=imports.MAX_ROWS,
    )


@require(Permission.ORGS_MANAGE)
def import_enterprises():  # type: ignore[no-untyped-def]
    form = ImportForm()
    if not form.validate_on_submit():
        return _render(form)
    db = get_session()
    upload = form.file.data
    filename = upload.filename or ""
    # One byte over the limit is enough for the service to refuse the file.
    data = upload.read(imports.MAX_BYTES + 1)
    actor = acting_user()
    try:
        created = imports.import_enterprises(db, data, actor=actor, filename=filename)
    except imports.ImportRejected as exc:
        db.rollback()
        imports.record_rejected(db, actor=actor, filename=filename, error_count=len(exc.errors))
        db.commit()
        flash(exc.message, "danger")
        return _render(form, exc.errors), 200
    db.commit()
    flash(f"导入成功：共导入 {len(created)} 家企业", "success")
    return redirect(url_for("admin.enterprises"))


@require(Permission.ORGS_MANAGE)
def import_template():  # type: ignore[no-untyped-def]
    return send_file(
        io.BytesIO(imports.template_workbook()),
        mimetype=imports.XLSX_MIMETYPE,
        as_attachment=True,
        download_name="企业导入模板.xlsx",
    )

"""The round's workbooks, thin views: the progress workbook, the fill workbook, its import.

- ``progress.xlsx`` (``progress:export``): the national progress workbook of the round's
  reports the caller may see (``visible_reports``): the city's all, a district's its own as
  a preview. Written to a temporary file first, audited, then streamed; a download that
  could not be logged is not handed out.
- ``fill.xlsx`` (``progress:submit``): the reports the caller can still fill, prefilled.
- ``import``: the filled workbook uploaded through :func:`dispatch.workbooks.upload.upload_page`
  (all rows or none, every error by sheet, row and column).

A round of another city is a 404 (``visible_rounds``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.orm import Session

from dispatch import audit
from dispatch.access import (
    Permission,
    get_or_404,
    has_permission,
    require,
    scope_of,
    visible_reports,
    visible_rounds,
)
from dispatch.audit import Acting
from dispatch.db import get_session
from dispatch.rounds import workbook_export, workbook_fill, workbook_import
from dispatch.rounds.workbook_layout import download_name, get_layouts
from dispatch.web import uow
from dispatch.web.downloads import send_file_stream, spooled
from dispatch.workbooks.importer import MAX_BYTES, MAX_ROWS, CellError
from dispatch.workbooks.upload import error_report, upload_page
from dispatch.workbooks.writer import XLSX_MIMETYPE
from forms.round_import import ProgressImportForm
from models import DispatchRound, User


def _round(round_id: int) -> DispatchRound:
    return get_or_404(get_session(), visible_rounds(current_user), round_id, DispatchRound)


def _preview_of(user: User, rnd: DispatchRound) -> str:
    """ "甲区预览" for a user who sees part of the round's city only, else ""."""
    return "" if scope_of(user).contains_region(rnd.city) else f"{user.org_name}预览"


def _download(
    rnd: DispatchRound,
    write: Callable[[Session, Any], dict[str, Any]],
    action: str,
    filename: str,
    fallback: str,
) -> ResponseReturnValue:
    """``write(session, out)`` into a temporary file, audit it as ``action`` with the
    details it returns, then stream it."""
    acting = uow.acting()
    with spooled() as out:
        details = write(get_session(), out)
        details = {"period": rnd.period, **details}
        recorded = uow.run(lambda session: _record(session, acting, rnd, action, details))
    if not recorded.ok:
        # A download that could not be logged is not handed out.
        out.close()
        return redirect(url_for("rounds.import_reports", round_id=rnd.id))
    return send_file_stream(out, filename, mimetype=XLSX_MIMETYPE, fallback=fallback)


def _record(
    session: Session, acting: Acting, rnd: DispatchRound, action: str, details: dict[str, Any]
) -> None:
    audit.record(
        session,
        acting,
        action,
        object_type="dispatch_round",
        object_id=rnd.id,
        details=details,
    )


@require(Permission.PROGRESS_EXPORT)
def progress_workbook(round_id: int) -> ResponseReturnValue:
    rnd = _round(round_id)
    user = uow.acting().actor
    at = uow.acting().at
    preview = _preview_of(user, rnd)

    def write(session: Session, out: Any) -> dict[str, Any]:
        written = workbook_export.write_progress(session, rnd, visible_reports(user), out, at=at)
        return {
            "rows": written.rows,
            "unsubmitted": written.unsubmitted,
            "late": written.late,
            **({"scope": user.org_name} if preview else {}),
        }

    name = download_name(get_layouts().progress.filename, rnd.year, rnd.month, preview)
    return _download(rnd, write, "progress.export", name, f"progress-{rnd.period}.xlsx")


@require(Permission.PROGRESS_SUBMIT)
def fill_workbook(round_id: int) -> ResponseReturnValue:
    rnd = _round(round_id)
    if not rnd.is_open:
        flash(f"{rnd.title}调度已关闭，不能再下载填报工作簿", "warning")
        return redirect(url_for("rounds.import_reports", round_id=rnd.id))
    user = uow.acting().actor

    def write(session: Session, out: Any) -> dict[str, Any]:
        return {"rows": workbook_fill.write_fill_workbook(session, user, rnd, out)}

    name = download_name(get_layouts().fill.filename, rnd.year, rnd.month, user.org_name)
    return _download(rnd, write, "progress.fill_download", name, f"fill-{rnd.period}.xlsx")


def _render(rnd: DispatchRound, form: ProgressImportForm, errors: list[CellError]) -> str:
    return render_template(
        "rounds/import.html",
        rnd=rnd,
        form=form,
        layout=get_layouts().fill,
        max_rows=MAX_ROWS,
        max_mb=MAX_BYTES // 1024 // 1024,
        can_export=has_permission(current_user, Permission.PROGRESS_EXPORT),
        **error_report(errors),
    )


def _imported(rnd: DispatchRound, imported: workbook_import.Imported) -> ResponseReturnValue:
    saved = len(imported.saved)
    message = f"导入成功：保存 {saved} 条填报"
    if imported.unchanged:
        message += f"，{imported.unchanged} 条未改动（未保存）"
    flash(message + "。导入只保存内容，请在下方核对后提交。", "success")
    # The grid shows what was saved and submits the complete rows: the next step.
    return redirect(url_for("rounds.grid", round_id=rnd.id))


@require(Permission.PROGRESS_SUBMIT)
def import_reports(round_id: int) -> ResponseReturnValue:
    rnd = _round(round_id)
    form = ProgressImportForm()

    def work(session: Session, acting: Acting, data: bytes, filename: str) -> Any:
        return workbook_import.import_fill(session, acting, rnd, data, filename)

    page = functools.partial(_render, rnd, form)
    return upload_page(form, work, page, functools.partial(_imported, rnd))

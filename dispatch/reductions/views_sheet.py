"""A confirmation's calculation sheet (削减量计算书): the printable page and the PDF.

The confirmation is loaded through ``visible_confirmations`` (out of scope, a draft, or an
enterprise: 404). The PDF sent is the one filed in the archive when the version was
confirmed, streamed from the evidence store after the download is recorded in the audit
log; a version confirmed before sheets were filed has none, and gets one rendered now from
its stored values (the same template, so the same content).
"""

from __future__ import annotations

import io
from typing import Any

from flask import abort, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from dispatch import audit
from dispatch.access import Permission, get_or_404, require, visible_confirmations
from dispatch.core.catalog import get_catalog
from dispatch.db import get_session
from dispatch.reductions import sheet as sheets
from dispatch.reductions import sheet_pdf
from dispatch.storage import ObjectMissing, StorageError
from dispatch.storage.current import current_storage
from dispatch.web import uow
from dispatch.web.downloads import content_disposition, send_chunks, send_file_stream, unlogged
from models import ConfirmationStatus, ReductionConfirmation

MISSING = "存储中找不到该计算书（可能已丢失或被移除），请联系系统管理员核查。"


def _confirmation(confirmation_id: int) -> ReductionConfirmation:
    row: ReductionConfirmation = get_or_404(
        get_session(), visible_confirmations(current_user), confirmation_id, ReductionConfirmation
    )
    if row.status == ConfirmationStatus.DRAFT:
        abort(404)  # a draft has no sheet: it is made on confirmation
    return row


def _sheet(row: ReductionConfirmation) -> sheets.Sheet:
    supersedes = get_session().scalar(
        select(ReductionConfirmation).where(ReductionConfirmation.superseded_by_id == row.id)
    )
    return sheets.build(get_catalog(), row, supersedes=supersedes)


@require(Permission.ACCOUNTING_VIEW)
def sheet(confirmation_id: int) -> Any:
    """The sheet as a page to read and print (the toolbar is not printed)."""
    row = _confirmation(confirmation_id)
    evidence_url = None
    if row.sheet_evidence_id is not None:
        evidence_url = url_for(
            "evidence.checklist", project_id=row.project_id, _anchor=f"file-{row.sheet_evidence_id}"
        )
    return render_template(
        "reductions/sheet.html",
        sheet=_sheet(row),
        project_id=row.project_id,
        confirmation_id=row.id,
        evidence_url=evidence_url,
    )


def _audited(row: ReductionConfirmation, **details: object) -> bool:
    outcome = uow.run(
        lambda db: audit.record(
            db,
            uow.acting(),
            "accounting.sheet_download",
            object_type="reduction_confirmation",
            object_id=row.id,
            details={
                "project": row.project.code,
                "year": row.year,
                "version": row.version,
                **details,
            },
        )
    )
    return outcome.ok


@require(Permission.ACCOUNTING_VIEW)
def sheet_pdf_download(confirmation_id: int) -> Any:
    """The filed PDF, audited, streamed from the evidence store."""
    row = _confirmation(confirmation_id)
    filed = row.sheet_evidence
    if filed is None:
        pdf = sheet_pdf.render(_sheet(row))
        if not _audited(row, filed=False, size=len(pdf)):
            return unlogged()
        return send_file_stream(
            io.BytesIO(pdf), sheets.filename(row), mimetype=sheet_pdf.CONTENT_TYPE
        )
    stored = filed.file
    try:
        chunks = current_storage().open(stored.key)
    except ObjectMissing:
        return render_template(
            "errors/error.html", code=404, title="文件不可用", message=MISSING
        ), 404
    except StorageError as exc:
        return render_template(
            "errors/error.html", code=503, title="文件存储暂不可用", message=exc.message
        ), 503
    if not _audited(row, filed=True, evidence=filed.id, sha256=stored.sha256):
        return unlogged(chunks)
    return send_chunks(
        chunks,
        stored.size,
        mimetype=sheet_pdf.CONTENT_TYPE,
        disposition=content_disposition(stored.original_name),
    )

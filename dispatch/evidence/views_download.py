"""Downloading and previewing an evidence file: after the access check, audited, streamed.

The file is loaded through ``visible_evidence`` (out of scope: 404), the event is recorded
in the audit log and committed, and only then are bytes sent: streamed from storage
through the app, or, when the store can sign a direct URL (S3), by a redirect to one valid
for a few minutes. A download is always an attachment named per RFC 6266; a preview is
served inline only for the types sniffed as PDF, PNG or JPEG, under a sandboxing
Content-Security-Policy so that nothing in the file can run as this site. An object gone
from the store is a Chinese error page, not a 500.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from flask import abort, redirect, render_template
from flask_login import current_user

from dispatch import audit
from dispatch.access import Permission, require
from dispatch.evidence.views import can_preview, load_evidence
from dispatch.storage import ObjectMissing, StorageError
from dispatch.storage.current import current_storage
from dispatch.web import uow
from dispatch.web.downloads import ascii_fallback, content_disposition, send_chunks, unlogged
from models import EvidenceFile

# The longest a signed URL may live (issue 10: at most 5 minutes).
PRESIGN_FOR = dt.timedelta(minutes=5)
# The preview is a document of its own: no scripts, no plugins, no requests but its image.
PREVIEW_CSP = (
    "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'; form-action 'none'; base-uri 'none'"
)
MISSING_MESSAGE = "存储中找不到该文件（可能已丢失或被移除），请联系系统管理员核查。"


def _unavailable(exc: StorageError):  # type: ignore[no-untyped-def]
    if isinstance(exc, ObjectMissing):
        return render_template(
            "errors/error.html", code=404, title="文件不可用", message=MISSING_MESSAGE
        ), 404
    return render_template(
        "errors/error.html", code=503, title="文件存储暂不可用", message=exc.message
    ), 503


def _audited(ev: EvidenceFile, action: str, **details: object) -> bool:
    """Record the download or preview; False (the reason flashed) if it could not be."""
    outcome = uow.run(
        lambda db: audit.record(
            db,
            uow.acting(),
            f"evidence.{action}",
            object_type="evidence_file",
            object_id=ev.id,
            details={
                "project": ev.project.code,
                "item": ev.item_code,
                "file": ev.file.original_name,
                "sha256": ev.file.sha256,
                **details,
            },
        )
    )
    return outcome.ok


@require(Permission.EVIDENCE_VIEW)
def download(evidence_id: int):  # type: ignore[no-untyped-def]
    ev = load_evidence(evidence_id)
    storage = current_storage()
    stored = ev.file
    try:
        url = storage.presign(
            stored.key,
            expires=PRESIGN_FOR,
            filename=stored.original_name,
            content_type=stored.content_type,
        )
        if url is not None:
            # Signing needs no object; a redirect to nothing would be a bare S3 error.
            storage.stat(stored.key)
            chunks = None
        else:
            chunks = storage.open(stored.key)
    except StorageError as exc:
        return _unavailable(exc)
    if not _audited(ev, "download", via="presigned" if url else "app"):
        return unlogged(chunks)
    if url is not None:
        return redirect(url)
    assert chunks is not None
    return send_chunks(
        chunks,
        stored.size,
        mimetype=stored.content_type,
        disposition=content_disposition(stored.original_name),
    )


@require(Permission.EVIDENCE_VIEW)
def preview(evidence_id: int):  # type: ignore[no-untyped-def]
    ev = load_evidence(evidence_id)
    if not can_preview(current_user, ev):
        abort(404)
    try:
        chunks = current_storage().open(ev.file.key)
    except StorageError as exc:
        return _unavailable(exc)
    if not _audited(ev, "preview"):
        return unlogged(chunks)
    name = ev.file.original_name
    disposition = (
        f"inline; filename=\"{ascii_fallback(name)}\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    response = send_chunks(
        chunks, ev.file.size, mimetype=ev.file.content_type, disposition=disposition
    )
    # Kept by dispatch.web.security, which sets the site's policy only where none is set.
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    return response

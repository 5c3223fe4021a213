"""The evidence archive (减排档案) as a zip from the evidence home (issue 10, point 8).

The projects are the caller's plan-list projects (``visible_projects``, approved or
closed), optionally narrowed to one district of the caller's area (``visible_regions``:
anything else is a 404). The zip is written from storage into a spooled temporary file,
which rolls over to disk past a few megabytes so memory stays bounded, while the request's
session is still open; the download is audited, and only then streamed from that file.
A file gone from the store makes the whole archive an error page, not a truncated zip.
"""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from dispatch import audit
from dispatch.access import Permission, require, visible_projects
from dispatch.core.catalog import get_catalog
from dispatch.core.inputs import parse_id
from dispatch.db import get_session
from dispatch.evidence.archive import ArchiveStats, stream_archive
from dispatch.evidence.views import archive_districts
from dispatch.evidence.views_download import MISSING_MESSAGE
from dispatch.storage import ObjectMissing, StorageError
from dispatch.storage.current import current_storage
from dispatch.web import uow
from dispatch.web.downloads import send_file_stream, spooled, unlogged
from models import PlanStatus, Project, Region

ARCHIVED = (PlanStatus.APPROVED, PlanStatus.CLOSED)


def _district() -> Region | None:
    """The ``district`` asked for; None for the caller's whole area; 404 if not in it."""
    raw = request.args.get("district", "")
    if raw == "":
        return None
    district_id = parse_id(raw)
    region = None
    if district_id is not None:
        region = get_session().scalar(archive_districts().where(Region.id == district_id))
    if region is None:
        abort(404)
    return region


def _failed(exc: StorageError):  # type: ignore[no-untyped-def]
    missing = isinstance(exc, ObjectMissing)
    return render_template(
        "errors/error.html",
        code=404 if missing else 503,
        title="档案无法导出" if missing else "文件存储暂不可用",
        message=MISSING_MESSAGE if missing else exc.message,
    ), 404 if missing else 503


@require(Permission.PROJECTS_EXPORT)
def archive():  # type: ignore[no-untyped-def]
    district = _district()
    all_files = request.args.get("all") == "1"
    stmt = visible_projects(current_user).where(Project.plan_status.in_(ARCHIVED))
    if district is not None:
        stmt = stmt.where(Project.district_id == district.id)
    db = get_session()
    projects = list(db.scalars(stmt.order_by(Project.district_id, Project.code)))
    stats = ArchiveStats()
    try:
        with spooled() as out:
            for chunk in stream_archive(
                db, current_storage(), get_catalog(), projects, all_files=all_files, stats=stats
            ):
                out.write(chunk)
    except StorageError as exc:
        return _failed(exc)
    area = district.name if district is not None else current_user.org_name
    details = {
        "district": district.division_code if district is not None else "all",
        "all_files": all_files,
        "projects": stats.projects,
        "files": stats.files,
        "bytes": stats.bytes,
    }
    recorded = uow.run(
        lambda session: audit.record(
            session,
            uow.acting(),
            "evidence.archive_download",
            object_type="archive",
            object_id=district.id if district is not None else "all",
            details=details,
        )
    )
    if not recorded.ok:
        # An archive whose download could not be logged is not handed out.
        return unlogged(out)
    return send_file_stream(
        out,
        f"减排档案（{area}）.zip",
        mimetype="application/zip",
        fallback="evidence-archive.zip",
    )

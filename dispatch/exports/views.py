"""The yearly package as one zip download, a thin view.

``package.zip?year=YYYY`` (``projects:export``, the permission of the plan list and the
archive downloads; every part also passes its own scoped select): the city's package, or a
district's of its own district as a preview. The zip is written into a temporary file that
spills to disk past a few megabytes (the parts are written straight into their members,
the archive's files copied from storage chunk by chunk, so memory stays bounded), while
the request's session is open; the download is audited (``package.export``) and only
then streamed. A file gone from the store makes it an error page, not a truncated zip.
"""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from dispatch import audit
from dispatch.access import Permission, require
from dispatch.clock import today
from dispatch.core.catalog import get_catalog
from dispatch.db import get_session
from dispatch.evidence.views_download import MISSING_MESSAGE
from dispatch.exports.package import Package, ZipSink, package_name, write_package
from dispatch.reductions.views_export import export_year, preview_of
from dispatch.storage import ObjectMissing, StorageError
from dispatch.storage.current import current_storage
from dispatch.web import uow
from dispatch.web.downloads import send_file_stream, spooled, unlogged


def _error(code: int, title: str, message: str) -> ResponseReturnValue:
    return render_template("errors/error.html", code=code, title=title, message=message), code


@require(Permission.PROJECTS_EXPORT)
def package() -> ResponseReturnValue:
    acting = uow.acting()
    user = acting.actor
    year = export_year(today().year)
    scope = preview_of(user)
    try:
        with spooled() as out, ZipSink(out) as sink:
            made: Package = write_package(
                get_session(), user, year, sink,
                at=acting.at, storage=current_storage(), catalog=get_catalog(), scope=scope,
            )  # fmt: skip
    except StorageError as exc:
        if isinstance(exc, ObjectMissing):
            return _error(404, "报送材料无法导出", MISSING_MESSAGE)
        return _error(503, "文件存储暂不可用", exc.message)
    details = {"year": year, **made.details, **({"scope": user.org_name} if scope else {})}

    def record(session: Session) -> None:
        audit.record(
            session,
            acting,
            "package.export",
            object_type="export_package",
            object_id=year,
            details=details,
        )

    if not uow.run(record).ok:
        # A package whose download could not be logged is not handed out.
        return unlogged(out)
    return send_file_stream(
        out, package_name(year, scope), mimetype="application/zip", fallback=f"package-{year}.zip"
    )

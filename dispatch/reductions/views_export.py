"""The accounting workbook (重点工程减排量核算（YYYY年）, national-export.md §3), a thin view.

``accounting.xlsx?year=YYYY`` (``accounting:view``): the year's current confirmations of
the caller's area, the city's all of them, a district's its own as a preview (workflow.md:
"export to national format — district: own district (preview)"). Written to a temporary
file first, audited (``accounting.export``), then streamed; a download that could not be
logged is not handed out. A year that is not one is the current year's workbook.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from dispatch import audit
from dispatch.access import Permission, require
from dispatch.clock import today
from dispatch.db import get_session
from dispatch.reductions.workbook_export import write_accounting
from dispatch.reductions.workbook_layout import get_layout
from dispatch.web import uow
from dispatch.web.downloads import send_file_stream, spooled
from dispatch.workbooks.writer import XLSX_MIMETYPE
from models import Region, RegionKind, User


def export_year(default: int) -> int:
    """The ``year`` asked for (2000–2100), else ``default``."""
    raw = request.args.get("year", "")
    if raw.isascii() and raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return default


def preview_of(user: User) -> str:
    """ "甲区预览" for a user below the city level, "" for a city user."""
    region: Region | None = user.region
    return "" if region is not None and region.kind == RegionKind.CITY else f"{user.org_name}预览"


@require(Permission.ACCOUNTING_VIEW)
def accounting_workbook() -> ResponseReturnValue:
    acting = uow.acting()
    user = acting.actor
    year = export_year(today().year)
    preview = preview_of(user)
    with spooled() as out:
        written = write_accounting(get_session(), user, year, out)
        details: dict[str, Any] = {
            "year": year,
            "rows": written.rows,
            "params": written.params,
            **({"scope": user.org_name} if preview else {}),
        }

        def record(session: Session) -> None:
            audit.record(
                session,
                acting,
                "accounting.export",
                object_type="accounting_workbook",
                object_id=year,
                details=details,
            )

        recorded = uow.run(record)
    if not recorded.ok:
        # A download that could not be logged is not handed out.
        out.close()
        return redirect(url_for("reductions.index"))
    return send_file_stream(
        out,
        get_layout().download_name(year, preview),
        mimetype=XLSX_MIMETYPE,
        fallback=f"accounting-{year}.xlsx",
    )

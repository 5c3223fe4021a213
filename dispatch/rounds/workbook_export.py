"""Writing the progress workbook (重点减排工程进展调度（YYYY年MM月）, national-export.md §2).

The round's reports stream from one scoped select (whatever the caller may see: a
district its own district's, a city all of them; the command line the whole round), with
only the columns a row needs, district and project joined in, in district and project-code
order, as Core rows: no ORM objects, no lazy loads. Each row goes to the progress sheet,
and, when it is missing or late, to the second sheet as well (xlsxwriter keeps one file
per sheet, so both fill in one pass, each top to bottom). Cells hold what they are:
numbers as numbers, dates as dates, the submission time as a Beijing date and time.

Which reports are missing depends on the moment of the export (``at``): a report not yet
submitted is 缺报 once the district deadline has passed or the round is closed, and
“not yet submitted” before that. The same data at the same moment gives the same cells.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import IO, Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from dispatch.core.beijing import CHINA_TZ
from dispatch.core.catalog import Catalog, get_catalog
from dispatch.evidence.checklist import progress_labels
from dispatch.rounds.data import FIELDS
from dispatch.rounds.services import UNSUBMITTED
from dispatch.rounds.workbook_layout import ProgressLayout, Sheet, get_layouts
from dispatch.workbooks.writer import WorkbookWriter
from models import DispatchRound, ProgressReport, Project, Region

# Rows fetched per round trip while streaming.
BATCH = 1000
YES, NO = "是", "否"

_DISTRICT = aliased(Region)
SELECTED: dict[str, Any] = {key: getattr(ProgressReport, key) for key in FIELDS} | {
    "report_status": ProgressReport.status,
    "submitted_at": ProgressReport.submitted_at,
    "late": ProgressReport.late,
    "code": Project.code,
    "name": Project.name,
    "type_code": Project.type_code,
    "district": _DISTRICT.name,
    # For the fill workbook (dispatch.rounds.workbook_fill), which reads the same rows.
    "report_id": ProgressReport.id,
    "version": ProgressReport.version_id,
    "return_reason": ProgressReport.return_reason,
    "project_id": Project.id,
}
AT = {key: i for i, key in enumerate(SELECTED)}


@dataclasses.dataclass
class Written:
    """What an export wrote: reports, and of them the unsubmitted (missing once the deadline
    has passed) and the late ones."""

    rows: int = 0
    unsubmitted: int = 0
    late: int = 0


def round_reports(base: Select[Any], rnd: DispatchRound) -> Select[Any]:
    """The round's rows of ``base`` (a select over reports joined to their projects), with
    the columns of :data:`SELECTED`, in district and project-code order."""
    return (
        base.with_only_columns(*SELECTED.values())
        .join(_DISTRICT, Project.district_id == _DISTRICT.id)
        .where(ProgressReport.round_id == rnd.id)
        .order_by(_DISTRICT.division_code, Project.code)
        .execution_options(yield_per=BATCH)
    )


def beijing(instant: dt.datetime | None) -> dt.datetime | None:
    """An instant as the Beijing wall-clock time a cell shows (Excel has no time zones)."""
    if instant is None:
        return None
    return instant.astimezone(CHINA_TZ).replace(tzinfo=None, microsecond=0)


def type_names(catalog: Catalog) -> dict[str, str]:
    return {t.code: f"{t.code} {t.name_zh}" for t in catalog.types}


def _picker(at: int) -> Callable[[Any], Any]:
    return lambda row: row[at]


def cell_getters(
    sheet: Sheet, computed: dict[str, Callable[[Any], Any]]
) -> list[Callable[[Any], Any]]:
    """Per column of ``sheet``, how its cell comes off a query row: ``computed`` for the
    keys it has, else the selected column of the same key as it is."""
    return [computed.get(c.key) or _picker(AT[c.key]) for c in sheet.columns]


def label_getters(catalog: Catalog) -> dict[str, Callable[[Any], Any]]:
    """The cells every sheet shows as words or local times rather than as stored."""
    names = type_names(catalog)
    type_at, status_at = AT["type_code"], AT["report_status"]
    construction_at, submitted_at = AT["construction_status"], AT["submitted_at"]
    return {
        "type": lambda row: names.get(row[type_at], row[type_at]),
        "status": lambda row: row[status_at].label,
        "construction_status": lambda row: row[construction_at].label,
        "submitted_at": lambda row: beijing(row[submitted_at]),
    }


class _Situation:
    """Whether a report goes to the missing and late sheet, and as what."""

    def __init__(self, layout: ProgressLayout, rnd: DispatchRound, at: dt.datetime):
        overdue = not rnd.is_open or at > rnd.district_deadline
        self.unsubmitted = layout.situations["missing" if overdue else "pending"]
        self.late = layout.situations["late"]

    def of(self, row: Any) -> str | None:
        if row[AT["report_status"]] in UNSUBMITTED:
            return self.unsubmitted
        return self.late if row[AT["late"]] else None


def fill_progress(
    book: WorkbookWriter,
    session: Session,
    rnd: DispatchRound,
    base: Select[Any],
    *,
    at: dt.datetime,
    catalog: Catalog | None = None,
) -> Written:
    """Write the progress workbook of ``rnd``'s reports in ``base`` into ``book``."""
    layout = get_layouts().progress
    common = label_getters(catalog or get_catalog())
    status_at, submitted_at, late_at = AT["report_status"], AT["submitted_at"], AT["late"]

    def late(row: Any) -> str | None:
        # Only a submission is on time or late; an unsubmitted report is on the other sheet.
        if row[submitted_at] is None:
            return None
        return YES if row[late_at] else NO

    # Evidence completeness of each project as it stands now (its reached stage).
    projects = list(
        session.scalars(
            select(Project).join(ProgressReport).where(ProgressReport.round_id == rnd.id)
        )
    )
    evidence = progress_labels(session, catalog or get_catalog(), projects)
    project_at = AT["project_id"]
    common["evidence"] = lambda row: evidence.get(row[project_at], "")
    situation = _Situation(layout, rnd, at)
    progress = book.sheet(layout.progress.name, layout.progress.columns)
    missing = book.sheet(layout.missing.name, layout.missing.columns)
    progress_cells = cell_getters(layout.progress, common | {"late": late})
    missing_cells = cell_getters(layout.missing, common | {"situation": situation.of})
    written = Written()
    for row in session.connection().execute(round_reports(base, rnd)):
        progress.row([get(row) for get in progress_cells])
        written.rows += 1
        where = situation.of(row)
        if where is not None:
            missing.row([get(row) for get in missing_cells])
            if row[status_at] in UNSUBMITTED:
                written.unsubmitted += 1
            else:
                written.late += 1
    progress.filter_all()
    missing.filter_all()
    return written


def write_progress(
    session: Session,
    rnd: DispatchRound,
    base: Select[Any],
    out: IO[bytes],
    *,
    at: dt.datetime,
) -> Written:
    """The progress workbook of ``rnd``'s reports in ``base``, written into ``out``."""
    with WorkbookWriter(out) as book:
        return fill_progress(book, session, rnd, base, at=at)

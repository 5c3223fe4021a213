"""Writing the district's offline fill workbook: the round's reports it can still fill.

One row per report the user may fill now (the states the user's fill action starts from,
in the user's scope), prefilled with the report's current values, in district and
project-code order, streamed like the progress workbook. 项目编号 keys the row; two hidden
columns carry the report's id and version, so the import can check that the row is the
report it claims to be and that nobody changed the report since the download. 建设状态
gets a dropdown of the Chinese labels; the numbers get Excel's own validation as a hint
(the import checks everything again). A second sheet explains how to fill it in.
"""

from __future__ import annotations

from typing import IO, Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from dispatch.access import REPORT_WORKFLOW, fill_action, visible_reports
from dispatch.core.catalog import Catalog, get_catalog
from dispatch.core.construction import ConstructionStatus
from dispatch.rounds.workbook_export import AT, cell_getters, label_getters, round_reports
from dispatch.rounds.workbook_layout import FillLayout, get_layouts
from dispatch.workbooks.layout import Column
from dispatch.workbooks.writer import SheetWriter, WorkbookWriter
from models import DispatchRound, ProgressReport, ReportStatus, User

STATUS_LABELS = [status.label for status in ConstructionStatus]
PERCENT_MAX = 100
# An empty fill sheet still gets its validations on this many rows (nothing to fill, but a
# sheet that behaves like the full one).
MIN_VALIDATED_ROWS = 1


def fillable(user: User, rnd: DispatchRound) -> Select[Any]:
    """The reports of ``rnd`` in ``user``'s scope that the user's fill action starts from."""
    states = sorted(REPORT_WORKFLOW[fill_action(user)].from_)
    return visible_reports(user).where(
        ProgressReport.round_id == rnd.id, ProgressReport.status.in_(states)
    )


def _validations(sheet: SheetWriter, layout: FillLayout, rows: int) -> None:
    last = max(rows, MIN_VALIDATED_ROWS)
    worksheet = layout.sheet
    status_col = worksheet.index("construction_status")
    sheet.sheet.data_validation(
        1,
        status_col,
        last,
        status_col,
        {
            "validate": "list",
            "source": STATUS_LABELS,
            "error_title": "建设状态",
            "error_message": "请从下拉列表中选择建设状态",
        },
    )
    percent = worksheet.index("percent_complete")
    sheet.sheet.data_validation(
        1,
        percent,
        last,
        percent,
        {
            "validate": "decimal",
            "criteria": "between",
            "minimum": 0,
            "maximum": PERCENT_MAX,
            "error_message": "完成进度应为 0 至 100 之间的数字",
        },
    )
    for key in ("investment_month", "investment_cumulative"):
        col = worksheet.index(key)
        sheet.sheet.data_validation(
            1,
            col,
            last,
            col,
            {
                "validate": "decimal",
                "criteria": ">=",
                "value": 0,
                "error_message": "投资（万元）应为不小于 0 的数字",
            },
        )


def _hide(book: WorkbookWriter, sheet: SheetWriter, layout: FillLayout) -> None:
    for col, column in enumerate(layout.sheet.columns):
        if column.key in layout.hidden:
            fmt = book.format(column.number_format)
            sheet.sheet.set_column(col, col, column.width, fmt, {"hidden": True})


def _help(book: WorkbookWriter, layout: FillLayout) -> None:
    sheet = book.sheet(layout.help_name, [Column("line", layout.help_header, 110)])
    for line in layout.help_lines:
        sheet.row([line])


def fill_workbook(
    book: WorkbookWriter,
    session: Session,
    user: User,
    rnd: DispatchRound,
    *,
    catalog: Catalog | None = None,
) -> int:
    """Write the fill workbook of ``rnd`` for ``user`` into ``book``; return the row count."""
    layout = get_layouts().fill
    common = label_getters(catalog or get_catalog())
    status_at, reason_at = AT["report_status"], AT["return_reason"]
    # The city's reason matters only while the report is returned.
    common["return_reason"] = lambda row: (
        row[reason_at] if row[status_at] == ReportStatus.RETURNED else None
    )
    cells = cell_getters(layout.sheet, common)
    sheet = book.sheet(layout.sheet.name, layout.sheet.columns)
    _hide(book, sheet, layout)
    rows = 0
    for row in session.connection().execute(round_reports(fillable(user, rnd), rnd)):
        sheet.row([get(row) for get in cells])
        rows += 1
    _validations(sheet, layout, rows)
    sheet.filter_all()
    _help(book, layout)
    return rows


def write_fill_workbook(session: Session, user: User, rnd: DispatchRound, out: IO[bytes]) -> int:
    """The fill workbook of ``rnd`` for ``user``, written into ``out``; the row count."""
    with WorkbookWriter(out) as book:
        return fill_workbook(book, session, user, rnd)

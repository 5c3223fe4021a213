"""Reading the plan-list workbook for import: which sheet is what, and its data rows.

Only the file's shape is checked here (recognised sheets, known and required headers, the
row limit, a readable .xlsx), with the importer skeleton of
:mod:`dispatch.workbooks.importer`; the values are checked by
:mod:`dispatch.projects.workbook_import`. Row numbers are the ones Excel shows (the header
is row 1); blank rows are skipped.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from dispatch.projects.workbook_layout import DetailSheet, Layout, TypeSheet
from dispatch.workbooks.importer import ImportSpec, Reading, SheetRow, open_workbook
from dispatch.workbooks.reader import sheet_rows

TYPE_SHEET_RE = re.compile(r"^\s*([A-Za-z]+\d+)")
# A row holding nothing but these (a pre-numbered template row) is blank.
IGNORED_FOR_BLANK = {"seq"}


@dataclasses.dataclass
class Parsed:
    """The data rows of the type sheets and the lines of the detail sheets."""

    reading: Reading
    rows: list[tuple[TypeSheet, SheetRow]] = dataclasses.field(default_factory=list)
    lines: dict[DetailSheet, list[SheetRow]] = dataclasses.field(default_factory=dict)


def _sheet_kind(title: str, layout: Layout) -> TypeSheet | DetailSheet | str | None:
    """The sheet definition, None for the summary, or an error message."""
    if title == layout.summary_name:
        return None
    for sheet_def in layout.type_sheets:
        for detail in sheet_def.details:
            if title == detail.name:
                return detail
    match = TYPE_SHEET_RE.match(title)
    if match is None:
        return f"无法识别的工作表“{title}”：工作表名应以工程类型代码开头（如“W1 …”）"
    code = match.group(1).upper()
    for sheet_def in layout.type_sheets:
        if sheet_def.type_code == code:
            return sheet_def
    known = "、".join(s.type_code for s in layout.type_sheets)
    return f"工作表“{title}”：未知的工程类型“{code}”（可用：{known}）"


def _read_sheets(workbook: Any, layout: Layout, parsed: Parsed) -> None:
    reading = parsed.reading
    for sheet in workbook.worksheets:
        title = str(sheet.title).strip()
        reading.sheet(title)
        kind = _sheet_kind(title, layout)
        if kind is None:
            continue
        if isinstance(kind, str):
            reading.add(title, None, "", kind)
            continue
        ignored = {c.header for c in kind.columns if c.key in IGNORED_FOR_BLANK}
        rows = sheet_rows(sheet)
        for row in reading.rows(title, rows, kind.columns, blank_ignoring=ignored):
            if isinstance(kind, DetailSheet):
                parsed.lines.setdefault(kind, []).append(row)
            else:
                parsed.rows.append((kind, row))


def read_workbook(data: bytes, layout: Layout) -> Parsed:
    """Every data row of every sheet; ``Rejected`` for the file itself."""
    spec = ImportSpec("project.import", "plan_list", **layout.import_texts)
    parsed = Parsed(Reading(spec))
    open_workbook(data, parsed.reading, lambda workbook: _read_sheets(workbook, layout, parsed))
    parsed.reading.refuse_if_empty(bool(parsed.rows))
    return parsed

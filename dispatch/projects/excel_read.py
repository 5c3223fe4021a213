"""Reading the plan-list workbook for import: sheets, headers and data rows.

Only the file's shape is checked here (recognised sheets, known and required headers, the
row limit, a readable .xlsx); the values are checked by :mod:`dispatch.projects.excel_import`.
Row numbers are the ones Excel shows (the header is row 1); blank rows are skipped.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

from dispatch.errors import DomainError
from dispatch.projects.excel_layout import DetailSheet, Layout, TypeSheet
from dispatch.workbooks.reader import UnreadableWorkbook, cell_text, read_upload

MAX_ROWS = 5000
MAX_BYTES = 20 * 1024 * 1024
TYPE_SHEET_RE = re.compile(r"^\s*([A-Za-z]+\d+)")
IGNORED_FOR_EMPTINESS = {"seq"}


@dataclasses.dataclass(frozen=True)
class CellError:
    """One problem; ``row`` None for a whole sheet or file, ``column`` "" for none."""

    sheet: str
    row: int | None
    column: str
    message: str


class PlanListRejected(DomainError):
    def __init__(self, errors: list[CellError]):
        super().__init__(f"导入失败：发现 {len(errors)} 处问题，未导入任何项目，请修改后重新上传。")
        self.errors = errors


@dataclasses.dataclass(frozen=True)
class SheetRow:
    sheet: str
    row: int
    cells: dict[str, Any]  # header → raw cell value

    def raw(self, header: str) -> Any:
        value = self.cells.get(header)
        return value.strip() if isinstance(value, str) else value

    def text(self, header: str) -> str:
        return cell_text(self.cells.get(header))


@dataclasses.dataclass
class Parsed:
    rows: list[tuple[TypeSheet, SheetRow]] = dataclasses.field(default_factory=list)
    lines: dict[DetailSheet, list[SheetRow]] = dataclasses.field(default_factory=dict)
    errors: list[CellError] = dataclasses.field(default_factory=list)
    order: dict[str, int] = dataclasses.field(default_factory=dict)  # sheet → position
    columns: dict[tuple[str, str], int] = dataclasses.field(default_factory=dict)


def _file_error(message: str) -> PlanListRejected:
    return PlanListRejected([CellError("", None, "", message)])


# --- reading --------------------------------------------------------------------------


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


def _read_sheet(
    title: str, sheet_def: TypeSheet | DetailSheet, rows: Iterator, out: Parsed
) -> Iterator[SheetRow]:
    header = next(rows, None) or ()
    positions: dict[str, int] = {}
    errors = []
    known = {c.header for c in sheet_def.columns}
    for index, value in enumerate(header):
        name = cell_text(value)
        if not name:
            continue
        if name not in known:
            errors.append(CellError(title, 1, name, f"无法识别的列“{name[:40]}”"))
        elif name in positions:
            errors.append(CellError(title, 1, name, f"列“{name}”重复出现"))
        positions[name] = index
        out.columns[(title, name)] = index
    for column in sheet_def.columns:
        if column.required and column.header not in positions:
            errors.append(CellError(title, 1, column.header, f"缺少列“{column.header}”"))
    out.errors.extend(errors)
    if errors:
        return
    counted = [i for h, i in positions.items() if h not in _ignored_headers(sheet_def)]
    for number, values in enumerate(rows, start=2):
        if not any(i < len(values) and cell_text(values[i]) for i in counted):
            continue
        cells = {h: values[i] if i < len(values) else None for h, i in positions.items()}
        yield SheetRow(title, number, cells)


def _ignored_headers(sheet_def: TypeSheet | DetailSheet) -> set[str]:
    return {c.header for c in sheet_def.columns if c.key in IGNORED_FOR_EMPTINESS}


def read_workbook(data: bytes, layout: Layout) -> Parsed:
    """Every data row of every sheet, or :class:`PlanListRejected` for the file itself."""
    parsed = Parsed()
    try:
        read_upload(
            data,
            lambda workbook: _read_sheets(workbook, layout, parsed),
            max_bytes=MAX_BYTES,
            not_xlsx_hint="请使用导入模板或导出的计划清单填写后上传",
        )
    except UnreadableWorkbook as exc:
        raise _file_error(exc.message) from exc
    if not parsed.rows and not parsed.errors:
        raise _file_error("文件中没有项目数据：请在各工程类型工作表的第 2 行起填写")
    return parsed


def _read_sheets(workbook: Any, layout: Layout, parsed: Parsed) -> None:
    count = 0
    for position, sheet in enumerate(workbook.worksheets):
        title = str(sheet.title).strip()
        parsed.order[title] = position
        kind = _sheet_kind(title, layout)
        if kind is None:
            continue
        if isinstance(kind, str):
            parsed.errors.append(CellError(title, None, "", kind))
            continue
        for row in _read_sheet(title, kind, sheet.iter_rows(values_only=True), parsed):
            count += 1
            if count > MAX_ROWS:
                raise _file_error(f"数据超过 {MAX_ROWS} 行，请拆分为多个文件分批导入")
            if isinstance(kind, DetailSheet):
                parsed.lines.setdefault(kind, []).append(row)
            else:
                parsed.rows.append((kind, row))

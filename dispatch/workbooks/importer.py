"""The importer skeleton every workbook import is built on: all rows or none.

An import reads the upload through :func:`open_workbook` (the guarded open of
:mod:`dispatch.workbooks.reader`), walks its sheets with a :class:`Reading` that matches
columns by header text (unknown, duplicated and missing columns are errors), skips blank
rows, counts data rows against :data:`MAX_ROWS` and collects every problem as a
:class:`CellError` (sheet, row as Excel shows it, column header, Chinese reason). The
feature then checks the values, adding its own errors to the same reading, and writes
nothing unless there are none: :meth:`Reading.raise_if_errors` raises one
:class:`Rejected` carrying them all, sorted as they stand in the file. A refused upload is
recorded in the audit log by :func:`record_rejected`, an accepted one by
:func:`record_imported`.

What differs between imports (what a row holds, what is checked, the words for the thing
imported, which come from the import's layout file) is the feature's; everything else is
here, once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from dispatch import audit
from dispatch.audit import Acting
from dispatch.errors import DomainError
from dispatch.workbooks.layout import Column
from dispatch.workbooks.reader import UnreadableWorkbook, cell_text, read_upload
from models import AuditOutcome

T = TypeVar("T")

# Limits of one upload, for every import: larger files are refused before they are opened,
# more rows are refused while reading (split the file instead).
MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 5000
# Bound parameters per IN (...) list: some SQLite builds allow 999 per statement.
IN_CHUNK = 500
# Up to this many headers, an unknown column's message lists the ones allowed.
LIST_ALLOWED_UP_TO = 12
SHOWN_TEXT = 40


@dataclasses.dataclass(frozen=True)
class ImportSpec:
    """How one kind of import is recorded, and what it says (the layout file's ``import``
    section, read by :func:`~dispatch.workbooks.layout.parse_import_texts`)."""

    audit_action: str
    audit_object_type: str
    noun: str  # what a row becomes, in the refusal message: 项目, 企业
    not_xlsx_hint: str  # how to get a proper file, after "文件不是有效的 .xlsx 格式，"
    no_data: str  # the message for a file without a single data row


@dataclasses.dataclass(frozen=True)
class CellError:
    """One problem; ``row`` None for a whole sheet or file, ``column`` "" for none."""

    sheet: str
    row: int | None
    column: str
    message: str


class Rejected(DomainError):
    """The upload was not imported; ``errors`` lists every reason."""

    def __init__(self, errors: list[CellError], spec: ImportSpec):
        super().__init__(
            f"导入失败：发现 {len(errors)} 处问题，未导入任何{spec.noun}，请修改后重新上传。"
        )
        self.errors = errors
        self.spec = spec


@dataclasses.dataclass(frozen=True)
class SheetRow:
    """One data row: its sheet, its row number as Excel shows it, its cells by header."""

    sheet: str
    row: int
    cells: dict[str, Any]

    def raw(self, header: str) -> Any:
        """The cell's value as read (numbers, dates), strings stripped."""
        value = self.cells.get(header)
        return value.strip() if isinstance(value, str) else value

    def text(self, header: str) -> str:
        """The cell as text (see :func:`~dispatch.workbooks.reader.cell_text`)."""
        return cell_text(self.cells.get(header))


def chunked(values: Iterable[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    """The values (codes read from a file, any number of them) sorted, in lists short
    enough for one ``IN (...)`` each; pass a smaller ``size`` for tuples."""
    ordered = sorted(values)  # type: ignore[type-var]
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def shown(text: str, limit: int = SHOWN_TEXT) -> str:
    """A value quoted in a message, cut short if the user typed a novel into a cell."""
    return text if len(text) <= limit else text[:limit] + "…"


class Reading:
    """One upload being read: the errors so far, the rows counted against the limit, and
    where each sheet and column stands (the report follows the file's order)."""

    def __init__(self, spec: ImportSpec, *, max_rows: int | None = None):
        self.spec = spec
        self.max_rows = MAX_ROWS if max_rows is None else max_rows
        self.errors: list[CellError] = []
        self.rows_read = 0
        self._sheet_order: dict[str, int] = {}
        self._column_order: dict[tuple[str, str], int] = {}

    def add(self, sheet: str, row: int | None, column: str, message: str) -> None:
        self.errors.append(CellError(sheet, row, column, message))

    def add_at(self, row: SheetRow, column: str, message: str) -> None:
        self.add(row.sheet, row.row, column, message)

    def fail(self, message: str) -> Rejected:
        """A refusal of the file as a whole (raised at once, earlier errors dropped)."""
        return Rejected([CellError("", None, "", message)], self.spec)

    def sheet(self, title: str) -> None:
        """Note a sheet's place in the file (before reading or skipping it)."""
        self._sheet_order.setdefault(title, len(self._sheet_order))

    def match_header(
        self, title: str, header: Sequence[Any], columns: Sequence[Column]
    ) -> dict[str, int] | None:
        """``{header text: column index}``, or None after adding every header problem."""
        known = {c.header for c in columns}
        positions: dict[str, int] = {}
        before = len(self.errors)
        for index, value in enumerate(header):
            name = cell_text(value)
            if not name:
                continue
            self._column_order.setdefault((title, name), index)
            if name not in known:
                message = f"无法识别的列“{shown(name)}”"
                if len(columns) <= LIST_ALLOWED_UP_TO:
                    message += "；表头只能是：" + "、".join(c.header for c in columns)
                self.add(title, 1, name, message)
            elif name in positions:
                self.add(title, 1, name, f"列“{name}”重复出现")
            else:
                positions[name] = index
        for column in columns:
            if column.required and column.header not in positions:
                self.add(title, 1, column.header, f"缺少列“{column.header}”")
        return positions if len(self.errors) == before else None

    def rows(
        self,
        title: str,
        sheet_rows: Iterator[Sequence[Any]],
        columns: Sequence[Column],
        *,
        blank_ignoring: Collection[str] = (),
    ) -> Iterator[SheetRow]:
        """The data rows of one sheet (the header is its first row).

        Nothing is yielded when the header has problems. A row is blank, and skipped,
        when none of its matched cells holds text (cells under the headers in
        ``blank_ignoring``, such as a pre-filled 序号, do not count); skipped rows keep
        their numbers. Every row read, blank or not, counts against the row limit, over all
        sheets.
        """
        self.sheet(title)
        positions = self.match_header(title, next(sheet_rows, None) or (), columns)
        if positions is None:
            return
        counted = [i for h, i in positions.items() if h not in blank_ignoring]
        for number, values in enumerate(sheet_rows, start=2):
            # Every row read counts, blank or not: three million near-empty rows cost the
            # reader as much as full ones.
            self.rows_read += 1
            if self.rows_read > self.max_rows:
                raise self.fail(
                    f"工作表行数超过 {self.max_rows} 行（空行也计入），"
                    "请删除多余的空行或拆分为多个文件分批导入"
                )
            width = len(values)
            if not any(i < width and cell_text(values[i]) for i in counted):
                continue
            yield SheetRow(
                title, number, {h: values[i] if i < width else None for h, i in positions.items()}
            )

    def refuse_if_empty(self, found: bool) -> None:
        """A file without data (``found`` False) and without other problems is refused."""
        if not found and not self.errors:
            raise self.fail(self.spec.no_data)

    def raise_if_errors(self) -> None:
        """:class:`Rejected` with every error, in sheet, row and column order."""
        if not self.errors:
            return

        def order(e: CellError) -> tuple[int, int, int]:
            return (
                self._sheet_order.get(e.sheet, -1),
                e.row or 0,
                self._column_order.get((e.sheet, e.column), -1),
            )

        raise Rejected(sorted(self.errors, key=order), self.spec)


def open_workbook(data: bytes, reading: Reading, read: Callable[[Any], T]) -> T:
    """``read(workbook)`` of the upload, opened read-only; a file that is not a readable
    .xlsx (empty, too large, old .xls, damaged) is refused as a whole."""
    try:
        return read_upload(
            data, read, max_bytes=MAX_BYTES, not_xlsx_hint=reading.spec.not_xlsx_hint
        )
    except UnreadableWorkbook as exc:
        raise reading.fail(exc.message) from exc


def _record(
    session: Session,
    acting: Acting,
    spec: ImportSpec,
    filename: str,
    outcome: AuditOutcome,
    details: dict[str, Any],
) -> None:
    details = {"filename": filename[:255], **details}
    audit.record(
        session,
        acting,
        spec.audit_action,
        object_type=spec.audit_object_type,
        outcome=outcome,
        details=details,
    )


def record_imported(
    session: Session, acting: Acting, spec: ImportSpec, filename: str, details: dict[str, Any]
) -> None:
    """The one audit event of an import that went through (the whole file)."""
    _record(session, acting, spec, filename, AuditOutcome.SUCCESS, details)


def record_rejected(session: Session, acting: Acting, rejected: Rejected, filename: str) -> None:
    """A refused upload is logged too (nothing else was written), so failed attempts show."""
    details = {"errors": len(rejected.errors)}
    _record(session, acting, rejected.spec, filename, AuditOutcome.FAILURE, details)

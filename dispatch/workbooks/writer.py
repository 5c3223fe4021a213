"""The streaming workbook writer: xlsxwriter in constant-memory mode.

Every workbook the app produces goes through :class:`WorkbookWriter`. In constant-memory
mode xlsxwriter keeps one row per sheet in memory and flushes it to that sheet's temporary
file when the next row starts, so memory does not grow with the number of rows; each
sheet's rows must therefore be written top to bottom (sheets may interleave: each has its
own file). Formats are created once per workbook, one per number format, never per cell.

Cells hold what they are: numbers as numbers (``Decimal`` is written with 16 significant
digits), dates as real Excel dates, text as inline strings. Strings are never read as
formulas or links, so a project name beginning with ``=`` stays text.

The writer never trusts what it is given (stored data, whatever let it in). Text that
begins like a formula (OWASP's rule: ``=``, ``+``, ``-``, ``@``, tab, carriage return) also
gets the cell property "quote prefix", as if typed after an apostrophe: the cell holds the
very same text (so it re-imports unchanged), and stays text when someone edits the cell
or copies it to another cell or workbook. A CSV saved from the workbook does not carry the
property; changing the text itself (a leading apostrophe) would, at the price of the round
trip. Characters an .xlsx cannot hold (XML-illegal controls, lone surrogates, U+FFFE and
U+FFFF) are dropped: a lone surrogate made the export fail, and xlsxwriter would write an
ESC as the escape ``_x001B_``, which Excel turns back into ESC.

Every sheet gets the same frame: bold header row, frozen; an auto-filter over the data;
printed landscape, one page wide, the header row repeated on every page and
"第 &P 页，共 &N 页" in the footer.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from types import TracebackType
from typing import IO, Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from dispatch.workbooks.layout import Column

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FOOTER = "&C第 &P 页，共 &N 页"
PAPER_A4 = 9
# A date from 1900-03-01 on is the number of days since 1899-12-30 (the 1900 date system,
# with Excel's phantom 1900-02-29), exactly the number xlsxwriter's write_datetime writes.
EXCEL_EPOCH = dt.date(1899, 12, 30).toordinal()
FIRST_PLAIN_DATE = dt.date(1900, 3, 1)
TEXT, DATE, NUMBER = "text", "date", "number"
# OWASP's formula-injection rule: text beginning with one of these is a formula (or DDE
# payload) to some spreadsheet, so it is written with the quote prefix.
FORMULA_START = frozenset("=+-@\t\r")
# What XML 1.0 cannot hold: C0 controls but tab, LF and CR; surrogates; U+FFFE, U+FFFF.
# Every one of them is unprintable, so text for which str.isprintable() holds (nearly all)
# is never searched.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class SheetWriter:
    """One sheet being written, row by row from the top."""

    def __init__(self, book: WorkbookWriter, sheet: Worksheet, columns: Sequence[Column]):
        self.sheet = sheet
        self.columns = tuple(columns)
        self.next_row = 0
        # (write method, format, text / date / number) per column, chosen once: the row
        # loop, the one hot path of every export, only looks them up.
        self._cells = [
            (self._method(c), book.format(c.number_format), self._sort(c)) for c in self.columns
        ]
        self._book = book
        self._header_format = book.header_format
        self._plain = book.plain_format

    @staticmethod
    def _sort(column: Column) -> str:
        # The constants themselves, so the row loop may compare them with ``is``.
        return TEXT if column.kind == TEXT else DATE if column.kind == DATE else NUMBER

    def _method(self, column: Column) -> Any:
        # A date column's plain dates are written as their day numbers (see ``row``).
        return self.sheet.write_string if column.kind == TEXT else self.sheet.write_number

    def _write_quoted(self, row: int, col: int, text: str) -> None:
        # Rare (text that looks like a formula), so the quoted format is looked up here
        # rather than carried through the row loop.
        quoted = self._book.quoted_format(self.columns[col].number_format)
        self.sheet.write_string(row, col, text, quoted)

    def _write_markup(self, row: int, col: int, text: str, cell_format: Format | None) -> None:
        # In constant-memory mode xlsxwriter copies a string that starts with "<r>" and
        # ends with "</r>" into the sheet as rich-text XML without escaping it; written as
        # two runs, it is escaped like any other text.
        tokens = [text[:1], self._plain, text[1:]]
        self.sheet.write_rich_string(row, col, *tokens, *([cell_format] if cell_format else []))

    def header(self, first: str | None = None) -> None:
        """The header row (``first`` replaces the first header, for a second table)."""
        for col, column in enumerate(self.columns):
            text = first if first is not None and col == 0 else column.header
            self.sheet.write_string(self.next_row, col, text, self._header_format)
        self.next_row += 1

    def row(self, values: Sequence[Any]) -> None:
        """One data row, a value per column; ``None`` (and empty text) leaves the cell empty."""
        row = self.next_row
        cells = self._cells
        for col, value in enumerate(values):
            if value is None:
                continue
            write, cell_format, sort = cells[col]
            if sort is TEXT:
                if value.__class__ is not str:
                    value = str(value)
                if not value:
                    continue
                if not value.isprintable():
                    value = XML_ILLEGAL.sub("", value)
                    if not value:
                        continue
                if value[0] in FORMULA_START:
                    self._write_quoted(row, col, value)
                    continue
                if value[:3] == "<r>" and value.endswith("</r>"):
                    self._write_markup(row, col, value, cell_format)
                    continue
            elif sort is DATE:
                if value.__class__ is not dt.date or value < FIRST_PLAIN_DATE:
                    self.sheet.write_datetime(row, col, value, cell_format)
                    continue
                # The day number straight away: a few times cheaper than write_datetime's
                # general conversion, and the same cell.
                value = value.toordinal() - EXCEL_EPOCH
            write(row, col, value, cell_format)
        self.next_row = row + 1

    def skip(self) -> None:
        """An empty row (between two tables of one sheet)."""
        self.next_row += 1

    def filter_all(self) -> None:
        """An auto-filter over the header and every row written so far."""
        self.sheet.autofilter(0, 0, max(self.next_row - 1, 0), len(self.columns) - 1)


class WorkbookWriter:
    """A workbook written into ``out`` (a binary file object, left open) on close."""

    def __init__(self, out: IO[bytes]):
        self.book = xlsxwriter.Workbook(
            out,
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        self._formats: dict[str, Format | None] = {"General": None}
        self._quoted: dict[str, Format] = {}
        self.header_format = self.book.add_format({"bold": True})
        self.plain_format = self.book.add_format()

    def format(self, number_format: str) -> Format | None:
        """The workbook's one format of ``number_format`` (None for General)."""
        if number_format not in self._formats:
            self._formats[number_format] = self.book.add_format({"num_format": number_format})
        return self._formats[number_format]

    def quoted_format(self, number_format: str) -> Format:
        """The workbook's one quote-prefixed format of ``number_format``, made on first use
        (a workbook without formula-looking text has none)."""
        if number_format not in self._quoted:
            properties: dict[str, Any] = {"quote_prefix": True}
            if number_format != "General":
                properties["num_format"] = number_format
            self._quoted[number_format] = self.book.add_format(properties)
        return self._quoted[number_format]

    def sheet(self, name: str, columns: Sequence[Column]) -> SheetWriter:
        """A new sheet (after the existing ones) with widths, print setup and header row."""
        sheet = self.book.add_worksheet(name)
        for col, column in enumerate(columns):
            # The column's format also applies to cells typed in later (a code in a text
            # column stays text), not only to the cells written here.
            sheet.set_column(col, col, column.width, self.format(column.number_format))
        sheet.freeze_panes(1, 0)
        sheet.set_landscape()
        sheet.set_paper(PAPER_A4)
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(0)
        sheet.set_footer(FOOTER)
        writer = SheetWriter(self, sheet, columns)
        writer.header()
        return writer

    def close(self) -> None:
        self.book.close()

    def __enter__(self) -> WorkbookWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # Closing after a failure too removes the sheets' temporary files; what was
        # written is incomplete and the caller throws ``out`` away.
        self.close()

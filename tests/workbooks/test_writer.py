"""The streaming writer: real numbers and dates, strings stay strings, one format per
number format, and the frame every sheet gets (frozen header, filter, print setup)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import openpyxl

from dispatch.workbooks.layout import Column
from dispatch.workbooks.writer import FOOTER, WorkbookWriter

COLUMNS = (
    Column("name", "名称", 30, "text"),
    Column("amount", "金额（万元）", 12, "decimal", "0.00"),
    Column("day", "日期", 12, "date", "yyyy-mm-dd"),
    Column("count", "数量", 8, "integer", "0"),
    Column("code", "代码", 10, "text", "@"),
)


def _write(rows: list[list], *, filtered: bool = True) -> bytes:
    out = io.BytesIO()
    with WorkbookWriter(out) as book:
        sheet = book.sheet("清单", COLUMNS)
        for row in rows:
            sheet.row(row)
        if filtered:
            sheet.filter_all()
    return out.getvalue()


def test_cells_hold_numbers_dates_and_text() -> None:
    data = _write(
        [
            ["甲", Decimal("1010.50"), dt.date(2025, 3, 1), 365, "001"],
            ["=SUM(A1:A2)", 2.25, None, None, "http://example.com"],
            ["<r>x</r>", None, None, None, 990101],
        ]
    )
    sheet = openpyxl.load_workbook(io.BytesIO(data))["清单"]
    assert [c.value for c in sheet[1]] == [c.header for c in COLUMNS]
    assert all(c.font.b for c in sheet[1])
    _name, amount, day, count, code = sheet[2]
    assert amount.data_type == "n" and amount.value == 1010.5 and amount.number_format == "0.00"
    assert day.is_date and day.value == dt.datetime(2025, 3, 1)
    assert day.number_format == "yyyy-mm-dd"
    assert count.data_type == "n" and count.value == 365
    assert code.data_type == "s" and code.value == "001" and code.number_format == "@"
    # User text is never a formula or a link, and cannot break the sheet's XML.
    formula, link = sheet["A3"], sheet["E3"]
    assert formula.data_type == "s" and formula.value == "=SUM(A1:A2)"
    assert link.value == "http://example.com" and not sheet._hyperlinks
    assert sheet["A4"].value == "<r>x</r>" and sheet["E4"].value == "990101"
    assert sheet.max_row == 4


def test_every_sheet_is_framed_for_screen_and_paper() -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(_write([["甲", 1, None, 2, "x"]])))["清单"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:E2"
    assert sheet.print_title_rows == "$1:$1"
    setup = sheet.page_setup
    assert setup.orientation == "landscape" and setup.paperSize == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    # One page wide (an absent fitToWidth is 1, ECMA-376 §18.3.1.64), as many pages long
    # as it takes.
    assert setup.fitToWidth in (None, 1) and setup.fitToHeight == 0
    assert sheet.oddFooter.center.text == FOOTER.removeprefix("&C") == "第 &P 页，共 &N 页"
    assert sheet.column_dimensions["A"].width > 30 > sheet.column_dimensions["B"].width


def test_an_empty_sheet_filters_its_header() -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(_write([])))["清单"]
    assert sheet.max_row == 1 and sheet.auto_filter.ref == "A1:E1"


def test_formats_are_made_once_per_number_format() -> None:
    out = io.BytesIO()
    with WorkbookWriter(out) as book:
        made = len(book.book.formats)  # xlsxwriter's defaults, bold header, plain
        for name in ("一", "二"):
            sheet = book.sheet(name, COLUMNS)
            for n in range(200):
                sheet.row([f"项目{n}", Decimal(n), dt.date(2025, 1, 1), n, str(n)])
        # One each for 0.00, yyyy-mm-dd, 0 and @, over two sheets and 400 rows.
        assert len(book.book.formats) == made + 4


def test_rows_stream_to_disk_not_memory() -> None:
    """constant_memory: the sheet keeps no table of past rows."""
    out = io.BytesIO()
    with WorkbookWriter(out) as book:
        sheet = book.sheet("清单", COLUMNS)
        for n in range(1000):
            sheet.row([f"项目{n}", Decimal(n), None, n, None])
        assert len(sheet.sheet.table) <= 1
    names = zipfile.ZipFile(io.BytesIO(out.getvalue())).namelist()
    assert "xl/sharedStrings.xml" not in names  # inline strings, written as they come


def test_sheets_may_be_written_in_turns() -> None:
    """Each sheet keeps its own temporary file: rows may go to any sheet in any order, as
    long as each sheet's rows come top to bottom (the plan list fills its type sheets
    from one query in code order)."""
    out = io.BytesIO()
    with WorkbookWriter(out) as book:
        first, second = book.sheet("一", COLUMNS), book.sheet("二", COLUMNS)
        for n in range(300):
            (first if n % 3 else second).row([f"项目{n}", Decimal(n), None, n, None])
        first.filter_all()
        second.filter_all()
    book_read = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    names = {title: [r[0] for r in book_read[title].iter_rows(min_row=2, values_only=True)]
             for title in ("一", "二")}  # fmt: skip
    assert names["二"] == [f"项目{n}" for n in range(0, 300, 3)]
    assert names["一"] == [f"项目{n}" for n in range(300) if n % 3]
    assert book_read["一"].auto_filter.ref == "A1:E201"


def test_every_kind_of_date_is_a_date() -> None:
    dates = [
        dt.date(2025, 3, 1),
        dt.date(1900, 3, 1),
        dt.date(1900, 1, 15),  # before Excel's phantom 1900-02-29
        dt.datetime(2025, 3, 1, 8, 30),
    ]
    sheet = openpyxl.load_workbook(
        io.BytesIO(_write([[None, None, d, None, None] for d in dates]))
    )["清单"]
    cells = [sheet.cell(row, 3) for row in range(2, 6)]
    assert all(c.is_date and c.number_format == "yyyy-mm-dd" for c in cells)
    assert [c.value for c in cells] == [
        dt.datetime(2025, 3, 1),
        dt.datetime(1900, 3, 1),
        dt.datetime(1900, 1, 15),
        dt.datetime(2025, 3, 1, 8, 30),
    ]


def test_formula_looking_text_is_quoted_not_changed() -> None:
    """OWASP's rule: text starting with = + - @ tab or CR gets the quote prefix (a cell
    property: the value keeps every character, no apostrophe is added)."""
    looks_like_formula = ['=HYPERLINK("http://x","点我")', "+1", "-1+2", "@SUM(1)", "\t=1"]
    rows = [[text, None, None, None, text] for text in looks_like_formula]
    rows.append(["甲=乙", None, None, None, "001-2"])
    out = io.BytesIO()
    with WorkbookWriter(out) as book:
        made = len(book.book.formats)
        sheet = book.sheet("清单", COLUMNS)
        for _ in range(50):
            for row in rows:
                sheet.row(row)
        # One quoted twin per number format of a text column (General, @), not per cell.
        assert len(book.book.formats) == made + 4 + 2
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue()))["清单"]
    for number, text in enumerate(looks_like_formula, start=2):
        name, code = sheet.cell(number, 1), sheet.cell(number, 5)
        assert name.value == code.value == text
        assert name.data_type == code.data_type == "s"
        assert name.quotePrefix and code.quotePrefix
        assert name.number_format == "General" and code.number_format == "@"
    plain, code = sheet.cell(len(rows) + 1, 1), sheet.cell(len(rows) + 1, 5)
    assert (plain.value, code.value) == ("甲=乙", "001-2")
    assert not plain.quotePrefix and not code.quotePrefix
    # Numbers are numbers: a negative amount is no formula and gets no prefix.
    assert not sheet.cell(1, 1).quotePrefix


def test_a_workbook_without_formula_looking_text_has_no_quoted_format() -> None:
    styles = zipfile.ZipFile(io.BytesIO(_write([["甲", Decimal("-1"), None, -2, "x"]])))
    assert "quotePrefix" not in styles.read("xl/styles.xml").decode()


def test_characters_a_workbook_cannot_hold_are_dropped() -> None:
    """The last line of defence: XML-illegal characters never reach the file (a lone
    surrogate made the export fail, a control was written as _x001B_)."""
    data = _write(
        [
            ["锅炉\x1b改造\x00", None, None, None, "\x0b001\x7f"],
            ["\ud800\ufffe\uffff\x1f", None, None, None, "=1\x08"],
            ["第一行\n\t第二行", None, None, None, "<r>\x1b</r>"],
        ]
    )
    sheet = openpyxl.load_workbook(io.BytesIO(data))["清单"]
    assert sheet["A2"].value == "锅炉改造" and sheet["E2"].value == "001\x7f"
    assert sheet["A3"].value is None  # nothing left: no cell
    assert sheet["E3"].value == "=1" and sheet["E3"].quotePrefix
    assert sheet["A4"].value == "第一行\n\t第二行"  # what XML holds is kept
    assert sheet["E4"].value == "<r></r>"

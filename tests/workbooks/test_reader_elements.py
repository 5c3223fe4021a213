"""The reader counts what openpyxl would build before it parses: a sheet of many
near-empty rows or a flood of shared strings is refused at once; a sheet whose declared
dimension understates it is still read to its last row."""

from __future__ import annotations

import io
import re
import time
import zipfile

import openpyxl
import pytest
import xlsxwriter

from dispatch.workbooks import reader


def _book(rows: int, *, blank: bool = False, strings: int = 0) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True})
    sheet = book.add_worksheet("W1")
    fmt = book.add_format({"bold": True})
    for r in range(rows):
        if blank:
            sheet.write_blank(r, 0, None, fmt)  # a styled empty cell: a row with nothing in it
        else:
            sheet.write_string(r, 0, f"项目{r}")
            sheet.write_number(r, 1, r)
    book.close()
    data = out.getvalue()
    if strings:
        data = _with_shared_strings(data, strings)
    return data


def _with_shared_strings(data: bytes, count: int) -> bytes:
    items = "".join(f"<si><t>s{i}</t></si>" for i in range(count))
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main" count="{count}" uniqueCount="{count}">{items}</sst>'
    )
    return _replace(data, "xl/sharedStrings.xml", xml.encode())


def _replace(data: bytes, name: str, body: bytes) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            if info.filename != name:
                dst.writestr(info.filename, src.read(info))
        dst.writestr(name, body)
    return out.getvalue()


def test_many_near_empty_rows_are_refused_before_parsing() -> None:
    data = _book(reader.MAX_ROW_ELEMENTS + 1, blank=True)
    started = time.monotonic()
    with pytest.raises(reader.UnreadableWorkbook, match="空行也计入"):
        reader.check_element_counts(data)
    assert time.monotonic() - started < 2
    reader.check_element_counts(_book(reader.MAX_ROW_ELEMENTS - 10, blank=True))  # within


def test_a_flood_of_shared_strings_is_refused() -> None:
    data = _book(3, strings=reader.MAX_SHARED_ELEMENTS + 1)
    with pytest.raises(reader.UnreadableWorkbook, match="文字过多"):
        reader.check_element_counts(data)


def test_an_understated_dimension_does_not_hide_rows() -> None:
    data = _book(10)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    lying = re.sub(r'<dimension ref="[^"]+"/>', '<dimension ref="A1:B2"/>', sheet)
    data = _replace(data, "xl/worksheets/sheet1.xml", lying.encode())
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert len(list(book["W1"].iter_rows(values_only=True))) == 2  # what openpyxl alone reads
    assert len(list(reader.sheet_rows(book["W1"]))) == 10
    book.close()

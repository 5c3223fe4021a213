"""Hostile workbooks for the import routes: hostile cells, near-empty rows, a zip bomb.

A workbook is described as sheets of rows of plain values (read from an export or built
from a layout), changed by :class:`Mutation` s and written with xlsxwriter, so that
formulas, error cells, huge numbers and out-of-range dates are real cells of a real file.
:func:`with_bomb` adds a member that inflates to a gibibyte (about 1 MB compressed): the
shape of the zip bomb of issue 8, without its cost to a reader that checks sizes first.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import io
import math
import struct
import zipfile
import zlib
from typing import Any

import openpyxl
import xlsxwriter
from hypothesis import strategies as st

from tests.fuzz.hostile import FIXED, huge, mixed

Sheet = tuple[str, list[list[Any]]]

# Excel holds at most this many characters in a cell.
CELL_MAX = 32_767
_OPTIONS = {
    "in_memory": True,
    "nan_inf_to_errors": True,
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "default_date_format": "yyyy-mm-dd",
}


@dataclasses.dataclass(frozen=True)
class Cell:
    """One hostile cell: ``kind`` is text, number, formula, date or bool."""

    kind: str
    value: Any
    cached: Any = None

    def __repr__(self) -> str:
        shown = repr(self.value) if len(repr(self.value)) < 80 else f"<{len(self.value)} chars>"
        return f"{self.kind}({shown}{'' if self.cached is None else f', cached={self.cached!r}'})"


@dataclasses.dataclass(frozen=True)
class Mutation:
    """Put ``cell`` at (``sheet``, ``row``, ``column``), all counted from 0 (row 0: header)."""

    sheet: int
    row: int
    column: int
    cell: Cell


NUMBERS = (2**64, -(2**63) - 1, 10**30, 1e308, -0.0, 5e-324, math.nan, math.inf, -math.inf, 2025.5)
FORMULAS = (
    ("=1/0", "#DIV/0!"),
    ('=HYPERLINK("http://x","y")', "y"),
    ("=A1", 0),
    ("=1+1", 2),
    ("=NA()", "#N/A"),
    ('=cmd|"/C calc"!A0', "=cmd"),
)
DATES = (dt.datetime(9999, 12, 31), dt.datetime(1900, 1, 1), dt.datetime(2025, 2, 28, 13, 5))


def hostile_cell() -> st.SearchStrategy[Cell]:
    text = st.one_of(st.sampled_from(FIXED), huge(), mixed())
    return st.one_of(
        st.builds(Cell, st.just("text"), text),
        st.builds(Cell, st.just("number"), st.sampled_from(NUMBERS)),
        st.sampled_from(FORMULAS).map(lambda f: Cell("formula", f[0], f[1])),
        st.builds(Cell, st.just("date"), st.sampled_from(DATES)),
        st.builds(Cell, st.just("bool"), st.booleans()),
    )


def read_sheets(data: bytes) -> list[Sheet]:
    """The values of every sheet of a workbook (an export used as a starting point)."""
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return [
            (sheet.title, [list(row) for row in sheet.iter_rows(values_only=True)])
            for sheet in workbook.worksheets
        ]
    finally:
        workbook.close()


def _write(sheet: Any, row: int, column: int, value: Any) -> None:
    if isinstance(value, Cell):
        if value.kind == "text":
            sheet.write_string(row, column, value.value[:CELL_MAX])
        elif value.kind == "number":
            sheet.write_number(row, column, float(value.value))
        elif value.kind == "formula":
            sheet.write_formula(row, column, value.value, None, value.cached)
        elif value.kind == "date":
            sheet.write_datetime(row, column, value.value)
        else:
            sheet.write_boolean(row, column, value.value)
    elif value is not None:
        sheet.write(row, column, value)


def write_workbook(
    sheets: list[Sheet], mutations: list[Mutation] = (), near_empty: tuple[int, int] = (0, 0)
) -> bytes:
    """``sheets`` with the mutations applied and ``near_empty = (sheet, count)`` rows added
    that hold one cell beyond the headers (nothing in any column the import reads)."""
    rows = [[list(r) for r in body] for _title, body in sheets]
    for m in mutations:
        body = rows[m.sheet % len(rows)]
        while len(body) <= m.row:
            body.append([])
        line = body[m.row]
        line.extend([None] * (m.column + 1 - len(line)))
        line[m.column] = m.cell
    sheet_index, count = near_empty
    if count:
        body = rows[sheet_index]
        width = max((len(r) for r in body), default=0)
        body.extend([[None] * width + ["x"] for _ in range(count)])
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, _OPTIONS)
    for (title, _body), body in zip(sheets, rows, strict=True):
        sheet = workbook.add_worksheet(title)
        for r, line in enumerate(body):
            for c, value in enumerate(line):
                _write(sheet, r, c, value)
    workbook.close()
    return out.getvalue()


@functools.cache
def _zeros(mebibytes: int) -> tuple[bytes, int]:
    """Raw deflate data of ``mebibytes`` MiB of zeros and its CRC-32, built by repeating one
    compressed MiB (a full flush makes every repetition identical): fast, unlike deflating."""
    chunk = b"\0" * (1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(mebibytes):
        crc = zlib.crc32(chunk, crc)
    return block * mebibytes + compressor.flush(), crc


def _zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of raw-deflated members ``(name, data, crc, size)`` (sizes under 4 GiB)."""
    out, central = io.BytesIO(), []
    for name, data, crc, size in members:
        offset, encoded = out.tell(), name.encode()
        header = (20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded))
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *header, 0) + encoded + data)
        central.append(
            struct.pack("<IH", 0x02014B50, 20)
            + struct.pack("<HHHHHIIIHHHHHII", *header, 0, 0, 0, 0, 0, offset)
            + encoded
        )
    directory = b"".join(central)
    start = out.tell()
    out.write(directory)
    out.write(
        struct.pack(
            "<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), start, 0
        )
    )
    return out.getvalue()


def with_bomb(xlsx: bytes, mebibytes: int = 1024) -> bytes:
    """``xlsx`` plus a member of ``mebibytes`` MiB of zeros (compression ratio ~1000:1)."""
    members = []
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source:
        for info in source.infolist():
            raw = source.read(info)
            compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
            data = compressor.compress(raw) + compressor.flush()
            members.append((info.filename, data, zlib.crc32(raw), len(raw)))
    data, crc = _zeros(mebibytes)
    members.append(("xl/media/padding.bin", data, crc, mebibytes << 20))
    return _zip(members)

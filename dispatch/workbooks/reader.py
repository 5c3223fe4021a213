"""Reading uploaded .xlsx files: the checks and the guarded open every import shares.

The enterprise import and the plan-list import differ in what they read, not in how an
upload is refused (empty, too large, old .xls, not a zip, damaged), so that lives here.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
import zipfile
from collections.abc import Callable, Iterator
from typing import IO, Any, TypeVar

import openpyxl

from dispatch.errors import DomainError

T = TypeVar("T")


class UnreadableWorkbook(DomainError):
    """The upload is not a readable .xlsx; ``message`` tells the user why."""


def cell_text(value: Any) -> str:
    """A cell as text: whole numbers lose the ``.0`` Excel gives codes typed as numbers,
    and a date without a time reads as ``YYYY-MM-DD``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    return str(value).strip()


# Bounds on what the zip inflates to, checked on the central directory before parsing.
# zipfile never inflates a member past its declared size, so the declared sizes bound the
# work; openpyxl holds the shared strings in memory, so that part gets the tightest bound.
MAX_INFLATED_TOTAL = 100 * 1024 * 1024
MAX_INFLATED_MEMBER = 60 * 1024 * 1024
MAX_SHARED_STRINGS = 20 * 1024 * 1024
MAX_RATIO = 100  # for members over 1 MiB; text XML rarely compresses beyond 30:1
_RATIO_FROM = 1024 * 1024
_BOMB = "文件解压后过大（疑似压缩炸弹），已拒绝；请在 Excel 中另存为 .xlsx 后重新上传"


def check_inflated_sizes(data: bytes) -> None:
    """Refuse a zip whose members would inflate beyond the bounds (a zip bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UnreadableWorkbook("无法读取该文件：文件已损坏或不是有效的 .xlsx 格式") from exc
    total = 0
    for info in members:
        size = info.file_size
        total += size
        limit = (
            MAX_SHARED_STRINGS
            if info.filename.endswith("sharedStrings.xml")
            else (MAX_INFLATED_MEMBER)
        )
        too_dense = size > _RATIO_FROM and size > MAX_RATIO * max(info.compress_size, 1)
        if size > limit or too_dense or total > MAX_INFLATED_TOTAL:
            raise UnreadableWorkbook(_BOMB)


# Bounds on what openpyxl would build, counted by streaming the parts before it parses:
# a sheet without a <dimension> is parsed whole on first access, so a million near-empty
# rows cost seconds and memory before any row limit can stop them; shared strings are all
# held in memory. Every row counts (MAX_ROWS of data, plus headers, summaries, slack).
MAX_ROW_ELEMENTS = 6000
MAX_CELL_ELEMENTS = 500_000
MAX_SHARED_ELEMENTS = 100_000
_TAG = rb"<(?:[A-Za-z_][\w.-]*:)?%s[\s/>]"
_ROW, _CELL, _SI = (re.compile(_TAG % name) for name in (rb"row", rb"c", rb"si"))
_SCAN = 1 << 20
_TOO_MANY = (
    "工作表的行、单元格或文字过多（空行也计入，最多约 {rows} 行），请删除多余的空行或拆分后分批导入"
)


def _count(part: IO[bytes], bounds: list[tuple[re.Pattern[bytes], int]]) -> list[int]:
    """Occurrences of each pattern in a streamed part, stopping once one passes its bound.

    A chunk is cut before its last ``<`` so no tag is split between two chunks.
    """
    counts, tail = [0] * len(bounds), b""
    while chunk := part.read(_SCAN):
        buffer = tail + chunk
        cut = buffer.rfind(b"<")
        cut = len(buffer) if cut == -1 else cut
        tail = buffer[cut:]
        for i, (pattern, limit) in enumerate(bounds):
            counts[i] += len(pattern.findall(buffer, 0, cut))
            if counts[i] > limit:
                return counts
    for i, (pattern, _limit) in enumerate(bounds):
        counts[i] += len(pattern.findall(tail))
    return counts


def check_element_counts(data: bytes) -> None:
    """Refuse a workbook holding more rows, cells or shared strings than an import reads."""
    rows = cells = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            name = info.filename
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                with archive.open(info) as part:
                    found = _count(
                        part,
                        [(_ROW, MAX_ROW_ELEMENTS - rows), (_CELL, MAX_CELL_ELEMENTS - cells)],
                    )
                rows, cells = rows + found[0], cells + found[1]
            elif name.endswith("sharedStrings.xml"):
                with archive.open(info) as part:
                    (strings,) = _count(part, [(_SI, MAX_SHARED_ELEMENTS)])
                if strings > MAX_SHARED_ELEMENTS:
                    raise UnreadableWorkbook(_TOO_MANY.format(rows=MAX_ROW_ELEMENTS))
            if rows > MAX_ROW_ELEMENTS or cells > MAX_CELL_ELEMENTS:
                raise UnreadableWorkbook(_TOO_MANY.format(rows=MAX_ROW_ELEMENTS))


def sheet_rows(sheet: Any) -> Iterator[tuple[Any, ...]]:
    """A read-only sheet's rows as values, every one of them.

    openpyxl reads no row beyond the <dimension> a file declares; a file that understates
    it would silently import only part of its rows. The element counts above bound what
    reading without it costs.
    """
    if hasattr(sheet, "reset_dimensions"):
        sheet.reset_dimensions()
    return sheet.iter_rows(values_only=True)  # type: ignore[no-any-return]


def read_upload(data: bytes, read: Callable[[Any], T], *, max_bytes: int, not_xlsx_hint: str) -> T:
    """Check the upload, open it read-only and return ``read(workbook)``.

    A :class:`DomainError` raised by ``read`` (an importer's own rejection) passes through;
    anything else openpyxl raises becomes :class:`UnreadableWorkbook`.
    """
    if not data:
        raise UnreadableWorkbook("上传的文件为空")
    if len(data) > max_bytes:
        raise UnreadableWorkbook(f"文件超过 {max_bytes // 1024 // 1024} MB，请拆分后分批导入")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableWorkbook(
            "不支持旧版 .xls 格式（或文件已加密），请在 Excel 中另存为 .xlsx 后上传"
        )
    if not data.startswith(b"PK\x03\x04"):
        raise UnreadableWorkbook(f"文件不是有效的 .xlsx 格式，{not_xlsx_hint}")
    check_inflated_sizes(data)
    try:
        check_element_counts(data)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise UnreadableWorkbook("无法读取该文件：文件已损坏或不是有效的 .xlsx 格式") from exc
    try:
        with warnings.catch_warnings():
            # Style and data-validation warnings of files saved by other tools do not
            # matter to an import that reads values only.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                return read(workbook)
            finally:
                workbook.close()
    except DomainError:
        raise
    except Exception as exc:
        # A damaged or foreign zip surfaces as many exception types inside openpyxl;
        # whichever it is, the user's answer is the same.
        raise UnreadableWorkbook("无法读取该文件：文件已损坏或不是有效的 .xlsx 格式") from exc

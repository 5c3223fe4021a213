"""Reading uploaded .xlsx files: the checks and the guarded open every import shares.

The enterprise import and the plan-list import differ in what they read, not in how an
upload is refused (empty, too large, old .xls, not a zip, damaged), so that lives here.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

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

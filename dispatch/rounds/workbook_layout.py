"""The monthly dispatch's workbook layouts: workbook_layout.yaml, read into frozen objects.

Two workbooks are described there: the progress workbook sent upward
(national-export.md §2: the round's reports, then the missing and late ones per district)
and the district's offline fill workbook (prefilled reports, filled in Excel, imported
back). The export writes and the import reads the very same :class:`Column` objects, so
the two cannot disagree. Loading is strict: the generic loader of
:mod:`dispatch.workbooks.layout` is given each sheet's key set, and every problem of the
file is reported at once in a :class:`~dispatch.workbooks.layout.LayoutError`.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from dispatch.rounds.data import FIELDS
from dispatch.workbooks.importer import ImportSpec
from dispatch.workbooks.layout import (
    Column,
    LayoutError,
    parse_columns,
    parse_import_texts,
    read_yaml,
    sheet_title,
)

LAYOUT_FILE = Path(__file__).with_name("workbook_layout.yaml")

# What each sheet may (and must) hold, by key; "evidence" is 佐证材料完整性 (e.g. 7/9).
INFO_KEYS = ("code", "name", "district", "type")
PROGRESS_KEYS = (*INFO_KEYS, *FIELDS, "status", "submitted_at", "late", "evidence")
MISSING_KEYS = ("district", "code", "name", "type", "situation", "status", "submitted_at")
FILL_KEYS = (*INFO_KEYS, "status", "return_reason", *FIELDS, "report_id", "version")
# The fill sheet's columns an import reads; the rest are there for the reader's eyes.
FILL_READ = frozenset({"code", *FIELDS, "report_id", "version"})
MISSING_LABELS = ("missing_label", "pending_label", "late_label")


@dataclasses.dataclass(frozen=True)
class Sheet:
    """One sheet: its name and columns, found by key."""

    name: str
    columns: tuple[Column, ...]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def index(self, key: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.key == key)

    def header(self, key: str) -> str:
        return self.column(key).header


@dataclasses.dataclass(frozen=True)
class ProgressLayout:
    filename: str
    progress: Sheet
    missing: Sheet
    # 情况 of the missing sheet: "missing" (after the deadline), "pending", "late".
    situations: Mapping[str, str]


@dataclasses.dataclass(frozen=True)
class FillLayout:
    filename: str
    sheet: Sheet
    hidden: frozenset[str]
    help_name: str
    help_header: str
    help_lines: tuple[str, ...]
    spec: ImportSpec


@dataclasses.dataclass(frozen=True)
class Layouts:
    progress: ProgressLayout
    fill: FillLayout


def download_name(template: str, year: int, month: int, scope: str = "") -> str:
    return template.format(year=year, month=f"{month:02d}", scope=scope)


# --- reading the YAML ----------------------------------------------------------------


def _text(raw: Any, where: str, errors: list[str]) -> str:
    if not isinstance(raw, str) or not raw.strip():
        errors.append(f"{where}: 不能为空")
        return ""
    return raw.strip()


def _filename(raw: Any, where: str, errors: list[str]) -> str:
    text = _text(raw, where, errors)
    if text and not text.endswith(".xlsx"):
        errors.append(f"{where}: 应为以 .xlsx 结尾的文件名")
    try:
        download_name(text, 2025, 1, "")
    except (KeyError, IndexError, ValueError):
        errors.append(f"{where}: 只能使用 {{year}}、{{month}}、{{scope}}")
    return text


def _sheet(raw: Any, where: str, keys: tuple[str, ...], errors: list[str]) -> Sheet:
    if not isinstance(raw, dict):
        errors.append(f"{where}: 应包含 name 和 columns")
        return Sheet("", ())
    name = _text(raw.get("name"), f"{where}.name", errors)
    if name and sheet_title(name) != name:
        errors.append(f"{where}.name: 工作表名不能含 []:*?/\\ ，且不超过 31 个字符")
    columns = parse_columns(raw.get("columns"), where, keys, errors)
    return Sheet(name, tuple(c for c in columns if isinstance(c, Column)))


def _section(raw: dict[str, Any], key: str, errors: list[str]) -> dict[str, Any]:
    section = raw.get(key)
    if not isinstance(section, dict):
        errors.append(f"{key}: 应为映射")
        return {}
    return section


def _progress(raw: dict[str, Any], errors: list[str]) -> ProgressLayout:
    section = _section(raw, "progress", errors)
    missing_raw = section.get("missing_sheet") or {}
    situations = {
        key.removesuffix("_label"): _text(
            missing_raw.get(key) if isinstance(missing_raw, dict) else None,
            f"progress.missing_sheet.{key}",
            errors,
        )
        for key in MISSING_LABELS
    }
    return ProgressLayout(
        filename=_filename(section.get("filename"), "progress.filename", errors),
        progress=_sheet(
            section.get("progress_sheet"), "progress.progress_sheet", PROGRESS_KEYS, errors
        ),
        missing=_sheet(missing_raw, "progress.missing_sheet", MISSING_KEYS, errors),
        situations=MappingProxyType(situations),
    )


def _fill(raw: dict[str, Any], errors: list[str]) -> FillLayout:
    section = _section(raw, "fill", errors)
    sheet_raw = section.get("fill_sheet")
    sheet = _sheet(sheet_raw, "fill.fill_sheet", FILL_KEYS, errors)
    hidden = (sheet_raw or {}).get("hidden", []) if isinstance(sheet_raw, dict) else []
    if not isinstance(hidden, list) or any(k not in FILL_KEYS for k in hidden):
        errors.append(f"fill.fill_sheet.hidden: 应为列键的列表（{'、'.join(FILL_KEYS)}）")
        hidden = []
    for column in sheet.columns:
        if column.key in FILL_READ and not column.required:
            errors.append(f"fill.fill_sheet: 导入读取的列 {column.key} 应设 required: true")
    help_raw = section.get("help_sheet")
    help_raw = help_raw if isinstance(help_raw, dict) else {}
    lines = help_raw.get("lines")
    if not isinstance(lines, list) or not all(isinstance(line, str) for line in lines):
        errors.append("fill.help_sheet.lines: 应为文字的列表")
        lines = []
    help_name = _text(help_raw.get("name"), "fill.help_sheet.name", errors)
    if help_name and help_name == sheet.name:
        errors.append("fill.help_sheet.name: 不能与填报工作表同名")
    texts = parse_import_texts(section.get("import"), errors)
    return FillLayout(
        filename=_filename(section.get("filename"), "fill.filename", errors),
        sheet=sheet,
        hidden=frozenset(hidden),
        help_name=help_name,
        help_header=_text(help_raw.get("header"), "fill.help_sheet.header", errors),
        help_lines=tuple(lines),
        spec=ImportSpec("progress.import", "dispatch_round", **texts),
    )


def read_layouts(path: Path = LAYOUT_FILE) -> Layouts:
    """Both layouts of ``path``; :class:`LayoutError` listing every problem."""
    raw = read_yaml(path)
    errors: list[str] = []
    errors.extend(f"{key}: 未知的部分" for key in raw if key not in ("progress", "fill"))
    layouts = Layouts(_progress(raw, errors), _fill(raw, errors))
    if errors:
        raise LayoutError(path.name, errors)
    return layouts


@functools.cache
def get_layouts() -> Layouts:
    """The layouts of the app's file, read once."""
    return read_layouts()

"""Column layouts as data: the YAML files every workbook's columns are described in.

A layout names, for each column, the key the code knows it by, the Chinese header, the
width, the kind of value it holds (text, integer, decimal, date), its Excel number format,
an optional pollutant (the column appears only where that pollutant is reported) and
whether an import requires it. A province aligning a workbook with a national template
edits the YAML, not code.

The loader is strict and knows no feature: the caller passes the keys a sheet may hold
and which of them are placeholders it expands itself (e.g. one column per catalog
parameter), and gets every problem of the file at once in a :class:`LayoutError`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import yaml

from dispatch.core.pollutants import BY_CODE

Kind = Literal["text", "integer", "decimal", "date"]
KINDS: tuple[Kind, ...] = ("text", "integer", "decimal", "date")
# The number format of a column whose layout names none.
DEFAULT_FORMATS: Mapping[str, str] = MappingProxyType(
    {"text": "General", "integer": "0", "decimal": "General", "date": "yyyy-mm-dd"}
)
COLUMN_FIELDS = frozenset({"key", "header", "width", "kind", "format", "pollutant", "required"})
PLACEHOLDER_FIELDS = frozenset({"key", "width", "formats"})
SHEET_NAME_LIMIT = 31
FORBIDDEN_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")


class LayoutError(Exception):
    """A layout file is invalid; ``errors`` lists every problem."""

    def __init__(self, name: str, errors: list[str]):
        super().__init__(f"版式文件 {name} 有误：\n" + "\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Column:
    """One column of a sheet, as the writer writes it and an import matches it."""

    key: str
    header: str
    width: float
    kind: Kind = "text"
    number_format: str = "General"
    pollutant: str | None = None
    required: bool = False


@dataclass(frozen=True)
class Placeholder:
    """A place in a column list that the caller expands into columns of its own.

    ``formats`` gives the number format of each kind of value an expanded column may hold.
    """

    key: str
    width: float
    formats: Mapping[str, str] = field(default_factory=dict, hash=False)

    def format_for(self, kind: str) -> str:
        return self.formats.get(kind) or DEFAULT_FORMATS.get(kind, "General")


def sheet_title(text: str) -> str:
    """A legal Excel sheet name: forbidden characters removed, at most 31 characters."""
    return FORBIDDEN_IN_SHEET_NAMES.sub("", text).strip()[:SHEET_NAME_LIMIT]


def read_yaml(path: Path) -> dict[str, Any]:
    """The layout file as a mapping (:class:`LayoutError` for anything else)."""
    with open(path, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    if not isinstance(raw, dict):
        raise LayoutError(path.name, [f"{path.name}: 应为映射"])
    return raw


def _width(item: dict, at: str, errors: list[str]) -> float:
    width = item.get("width")
    if not isinstance(width, int | float) or isinstance(width, bool) or width <= 0:
        errors.append(f"{at}: width 应为正数")
        return 1.0
    return float(width)


def _placeholder(item: dict, at: str, errors: list[str]) -> Placeholder:
    errors.extend(f"{at}: 未知字段 {name!r}" for name in item if name not in PLACEHOLDER_FIELDS)
    formats = item.get("formats") or {}
    if not isinstance(formats, dict) or any(k not in KINDS for k in formats):
        errors.append(f"{at}: formats 应为 类型 → 数字格式，类型为 {' / '.join(KINDS)}")
        formats = {}
    return Placeholder(item["key"], _width(item, at, errors), MappingProxyType(dict(formats)))


def _column(item: dict, at: str, errors: list[str]) -> Column:
    errors.extend(f"{at}: 未知字段 {name!r}" for name in item if name not in COLUMN_FIELDS)
    header = item.get("header")
    if not isinstance(header, str) or not header.strip():
        errors.append(f"{at}: header 不能为空")
        header = ""
    kind = item.get("kind", "text")
    if kind not in KINDS:
        errors.append(f"{at}: kind 应为 {' / '.join(KINDS)}")
        kind = "text"
    pollutant = item.get("pollutant")
    if pollutant is not None and pollutant not in BY_CODE:
        errors.append(f"{at}: pollutant 应为 {' / '.join(BY_CODE)}")
    return Column(
        key=item["key"],
        header=header.strip(),
        width=_width(item, at, errors),
        kind=kind,
        number_format=str(item.get("format") or DEFAULT_FORMATS[kind]),
        pollutant=pollutant,
        required=bool(item.get("required", False)),
    )


def parse_columns(
    raw: Any,
    where: str,
    keys: Collection[str],
    errors: list[str],
    *,
    placeholders: Collection[str] = (),
) -> list[Column | Placeholder]:
    """The columns of one sheet of a layout, in order; every problem goes to ``errors``.

    Each of ``keys`` must appear exactly once; those in ``placeholders`` become
    :class:`Placeholder` items (no header of their own), the rest :class:`Column`. Headers
    must be unique, since an import finds columns by header text.
    """
    if not isinstance(raw, list):
        errors.append(f"{where}.columns: 应为列的列表")
        return []
    allowed = ", ".join(keys)
    found: list[Column | Placeholder] = []
    seen_keys: set[str] = set()
    seen_headers: set[str] = set()
    for index, item in enumerate(raw):
        at = f"{where}.columns[{index}]"
        if not isinstance(item, dict) or item.get("key") not in keys:
            errors.append(f"{at}: key 应为以下之一：{allowed}")
            continue
        key = item["key"]
        if key in seen_keys:
            errors.append(f"{at}: 列 {key!r} 重复")
        seen_keys.add(key)
        if key in placeholders:
            found.append(_placeholder(item, at, errors))
            continue
        column = _column(item, at, errors)
        if column.header and column.header in seen_headers:
            errors.append(f"{at}: 表头“{column.header}”重复")
        seen_headers.add(column.header)
        found.append(column)
    errors.extend(f"{where}.columns: 缺少列 {key!r}" for key in keys if key not in seen_keys)
    return found


IMPORT_TEXTS = ("noun", "not_xlsx_hint", "no_data")


def parse_import_texts(raw: Any, errors: list[str]) -> dict[str, str]:
    """The ``import`` section of a layout: what the import calls a row (``noun``), how to
    get a proper file (``not_xlsx_hint``) and what an empty file is told (``no_data``)."""
    if not isinstance(raw, dict):
        errors.append("import: 应包含 " + "、".join(IMPORT_TEXTS))
        return dict.fromkeys(IMPORT_TEXTS, "")
    errors.extend(f"import: 未知字段 {key!r}" for key in raw if key not in IMPORT_TEXTS)
    texts = {}
    for key in IMPORT_TEXTS:
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            errors.append(f"import.{key}: 不能为空")
        texts[key] = str(value or "").strip()
    return texts


def load_sheet_columns(path: Path, keys: Collection[str]) -> tuple[dict[str, Any], list[Column]]:
    """A layout file of one plain sheet (``columns`` and no placeholders), checked.

    Returns the file's other entries (names, file names, the ``import`` texts parsed) and
    the columns.
    """
    raw = read_yaml(path)
    errors: list[str] = []
    columns = parse_columns(raw.get("columns"), path.stem, keys, errors)
    if "import" in raw:
        raw["import"] = parse_import_texts(raw["import"], errors)
    if errors:
        raise LayoutError(path.name, errors)
    return raw, [c for c in columns if isinstance(c, Column)]

"""The plan-list workbook layout: plan_list_layout.yaml joined with the catalog.

The YAML file says which common columns exist, their Chinese headers, widths, number
formats and pollutants; the catalog says which parameters each engineering type's methods
take. :func:`get_layout` combines them into frozen objects that the export writes and the
import reads, so the two can never disagree. Loading is strict: an unknown key, a missing
or duplicated column, or two parameters claiming the same header with different kinds
stops loading with a message naming the problem.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from dispatch.core.catalog import POLLUTANTS, Catalog, EngineeringType, ParamDef, get_catalog

LAYOUT_FILE = Path(__file__).with_name("plan_list_layout.yaml")

SUMMARY_KEYS = (
    "label", "code", "count", "total_investment", "env_investment",
    "expected_cod", "expected_nh3n", "expected_nox", "expected_vocs",
)  # fmt: skip
TYPE_KEYS = (
    "seq", "code", "name", "district_name", "division_code", "plan_year", "owner", "uscc",
    "permit_number", "longitude", "latitude", "method", "planned_start", "planned_completion",
    "total_investment", "env_investment", "params", "expected_cod", "expected_nh3n",
    "expected_nox", "expected_vocs", "construction_status", "site_address", "contact_name",
    "contact_phone", "notes", "actual_start", "actual_completion", "stable_operation_from",
)  # fmt: skip
DETAIL_KEYS = ("code", "name", "fields")
EXPANDED = {"params", "fields"}  # placeholders the catalog expands into parameter columns
POLLUTANT_KEYS = {
    "expected_cod": "COD",
    "expected_nh3n": "NH3N",
    "expected_nox": "NOx",
    "expected_vocs": "VOCs",
}
COLUMN_FIELDS = {"key", "header", "width", "format", "pollutant", "required"}
EXPANDED_FIELDS = {"key", "width", "decimal_format", "integer_format"}
SHEET_NAME_LIMIT = 31
FORBIDDEN_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")
TEXT_FORMAT = "@"


class LayoutError(Exception):
    """plan_list_layout.yaml is invalid; ``errors`` lists every problem."""

    def __init__(self, errors: list[str]):
        super().__init__("计划清单版式文件有误：\n" + "\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Column:
    """One column of a sheet.

    Parameter columns carry ``params`` (method key → the parameter it holds for rows of
    that method); a list field column of a detail sheet carries ``field_def``.
    """

    key: str
    header: str
    width: float
    number_format: str = "General"
    pollutant: str | None = None
    required: bool = False
    params: Mapping[str, ParamDef] = field(default_factory=dict, hash=False)
    field_def: ParamDef | None = None

    @property
    def is_param(self) -> bool:
        return bool(self.params)

    def param_for(self, method: str) -> ParamDef | None:
        return self.params.get(method)


@dataclass(frozen=True)
class DetailSheet:
    """The lines of one list parameter (e.g. A6 fleet), one sheet row per line."""

    name: str
    type_code: str
    list_key: str
    list_label: str
    methods: frozenset[str]
    columns: tuple[Column, ...]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def field_header(self, field_key: str) -> str:
        return self.column(f"field:{field_key}").header


@dataclass(frozen=True)
class TypeSheet:
    type_code: str
    name: str
    engineering_type: EngineeringType
    columns: tuple[Column, ...]
    details: tuple[DetailSheet, ...]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    @property
    def param_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.is_param)

    def param_header(self, method: str, key: str) -> str | None:
        for column in self.param_columns:
            param = column.param_for(method)
            if param is not None and param.key == key:
                return column.header
        return None

    def detail_for(self, method: str, list_key: str) -> DetailSheet | None:
        for detail in self.details:
            if detail.list_key == list_key and method in detail.methods:
                return detail
        return None


@dataclass(frozen=True)
class Layout:
    filename: str
    template_filename: str
    summary_name: str
    summary_total_label: str
    summary_district_header: str
    summary_columns: tuple[Column, ...]
    type_sheets: tuple[TypeSheet, ...]

    def type_sheet(self, type_code: str) -> TypeSheet:
        return next(s for s in self.type_sheets if s.type_code == type_code)

    def download_name(self, year: int) -> str:
        return self.filename.format(year=year)


def sheet_title(text: str) -> str:
    """A legal Excel sheet name: forbidden characters removed, at most 31 characters."""
    return FORBIDDEN_IN_SHEET_NAMES.sub("", text).strip()[:SHEET_NAME_LIMIT]


# --- reading the YAML ----------------------------------------------------------------


def _columns(raw: Any, where: str, keys: tuple[str, ...], errors: list[str]) -> list[dict]:
    if not isinstance(raw, list):
        errors.append(f"{where}.columns: 应为列的列表")
        return []
    found: list[dict] = []
    seen_keys: set[str] = set()
    seen_headers: set[str] = set()
    for index, item in enumerate(raw):
        at = f"{where}.columns[{index}]"
        if not isinstance(item, dict) or item.get("key") not in keys:
            errors.append(f"{at}: key 应为以下之一：{', '.join(keys)}")
            continue
        key = item["key"]
        allowed = EXPANDED_FIELDS if key in EXPANDED else COLUMN_FIELDS
        errors.extend(f"{at}: 未知字段 {name!r}" for name in item if name not in allowed)
        if key in seen_keys:
            errors.append(f"{at}: 列 {key!r} 重复")
        seen_keys.add(key)
        width = item.get("width")
        if not isinstance(width, int | float) or isinstance(width, bool) or width <= 0:
            errors.append(f"{at}: width 应为正数")
        if key not in EXPANDED:
            header = item.get("header")
            if not isinstance(header, str) or not header.strip():
                errors.append(f"{at}: header 不能为空")
            elif header in seen_headers:
                errors.append(f"{at}: 表头“{header}”重复")
            seen_headers.add(str(header))
            pollutant = item.get("pollutant")
            if pollutant is not None and pollutant not in POLLUTANTS:
                errors.append(f"{at}: pollutant 应为 {' / '.join(POLLUTANTS)}")
            if key in POLLUTANT_KEYS and pollutant != POLLUTANT_KEYS[key]:
                errors.append(f"{at}: 列 {key} 的 pollutant 应为 {POLLUTANT_KEYS[key]}")
        found.append(item)
    errors.extend(f"{where}.columns: 缺少列 {key!r}" for key in keys if key not in seen_keys)
    return found


def read_layout(path: Path = LAYOUT_FILE) -> dict[str, Any]:
    """The YAML file, checked; raise :class:`LayoutError` listing every problem."""
    with open(path, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    errors: list[str] = []
    if not isinstance(raw, dict):
        raise LayoutError([f"{path.name}: 应为映射"])
    for key in ("filename", "template_filename"):
        if not isinstance(raw.get(key), str) or not raw[key].endswith(".xlsx"):
            errors.append(f"{key}: 应为以 .xlsx 结尾的文件名")
    sections = {"summary_sheet": SUMMARY_KEYS, "type_sheet": TYPE_KEYS, "detail_sheet": DETAIL_KEYS}
    for section, keys in sections.items():
        body = raw.get(section)
        if not isinstance(body, dict) or not isinstance(body.get("name"), str):
            errors.append(f"{section}: 应包含 name 和 columns")
            continue
        body["columns"] = _columns(body.get("columns"), section, keys, errors)
    summary = raw.get("summary_sheet") or {}
    for key in ("total_label", "district_header"):
        if not isinstance(summary.get(key), str) or not summary[key]:
            errors.append(f"summary_sheet.{key}: 不能为空")
    if errors:
        raise LayoutError(errors)
    return raw


# --- joining with the catalog --------------------------------------------------------


def _plain(item: dict) -> Column:
    return Column(
        key=item["key"],
        header=item["header"],
        width=float(item["width"]),
        number_format=str(item.get("format") or "General"),
        pollutant=item.get("pollutant"),
        required=bool(item.get("required", False)),
    )


def _kind_format(item: dict, kind: str) -> str:
    if kind == "decimal":
        return str(item.get("decimal_format") or "General")
    if kind == "integer":
        return str(item.get("integer_format") or "0")
    return TEXT_FORMAT


def _must_fill(param: ParamDef) -> bool:
    return param.required and param.default is None and param.coefficient is None


def _param_columns(item: dict, catalog: Catalog, etype: EngineeringType) -> list[Column]:
    """The union of the type's methods' scalar parameters, one column per header."""
    by_header: dict[str, dict[str, ParamDef]] = {}
    for method in etype.methods:
        for param in catalog.method(method).params:
            if param.kind != "list":
                by_header.setdefault(param.label_with_unit, {})[method] = param
    columns = []
    for header, params in by_header.items():
        kinds = {p.kind for p in params.values()}
        if len(kinds) > 1:
            raise LayoutError([f"{etype.code}: 参数列“{header}”在不同核算方法中类型不同"])
        kind = kinds.pop()
        columns.append(
            Column(
                key=f"param:{header}",
                header=header,
                width=float(item["width"]),
                number_format=_kind_format(item, kind),
                required=any(_must_fill(p) for p in params.values()),
                params=MappingProxyType(params),
            )
        )
    return columns


def _details(raw: dict, catalog: Catalog, etype: EngineeringType) -> tuple[DetailSheet, ...]:
    lists: dict[str, dict[str, ParamDef]] = {}
    for method in etype.methods:
        for param in catalog.method(method).params:
            if param.kind == "list":
                lists.setdefault(param.key, {})[method] = param
    sheets = []
    for list_key, owners in lists.items():
        first = next(iter(owners.values()))
        suffix = "" if len(lists) == 1 else f"_{list_key}"
        columns: list[Column] = []
        for item in raw["columns"]:
            if item["key"] != "fields":
                columns.append(_plain(item))
                continue
            columns.extend(
                Column(
                    key=f"field:{sub.key}",
                    header=sub.label_with_unit,
                    width=float(item["width"]),
                    number_format=_kind_format(item, sub.kind),
                    required=_must_fill(sub),
                    field_def=sub,
                )
                for sub in first.fields
            )
        name = sheet_title(raw["name"].format(code=etype.code) + suffix)
        sheets.append(
            DetailSheet(
                name, etype.code, list_key, first.label_zh, frozenset(owners), tuple(columns)
            )
        )
    return tuple(sheets)


def build_layout(raw: dict[str, Any], catalog: Catalog) -> Layout:
    summary = raw["summary_sheet"]
    type_raw = raw["type_sheet"]
    sheets = []
    for etype in sorted(catalog.types, key=lambda t: (t.order, t.code)):
        columns: list[Column] = []
        for item in type_raw["columns"]:
            if item["key"] == "params":
                columns.extend(_param_columns(item, catalog, etype))
            elif item.get("pollutant") is None or item["pollutant"] in etype.pollutants:
                columns.append(_plain(item))
        headers = [c.header for c in columns]
        clashes = sorted({h for h in headers if headers.count(h) > 1})
        if clashes:
            raise LayoutError([f"{etype.code}: 表头重复：{'、'.join(clashes)}"])
        name = sheet_title(type_raw["name"].format(code=etype.code, name=etype.name_zh))
        details = _details(raw["detail_sheet"], catalog, etype)
        sheets.append(TypeSheet(etype.code, name, etype, tuple(columns), details))
    names = [s.name for s in sheets] + [d.name for s in sheets for d in s.details]
    if len(set(names)) != len(names) or summary["name"] in names:
        raise LayoutError(["工作表名称重复（截断为 31 个字符后）"])
    return Layout(
        filename=raw["filename"],
        template_filename=raw["template_filename"],
        summary_name=summary["name"],
        summary_total_label=summary["total_label"],
        summary_district_header=summary["district_header"],
        summary_columns=tuple(_plain(item) for item in summary["columns"]),
        type_sheets=tuple(sheets),
    )


@functools.lru_cache(maxsize=4)
def _cached(catalog: Catalog) -> Layout:
    return build_layout(read_layout(), catalog)


def get_layout(catalog: Catalog | None = None) -> Layout:
    """The layout for ``catalog`` (default: the app's catalog), built once per catalog."""
    return _cached(catalog or get_catalog())

"""The plan-list workbook layout: plan_list_layout.yaml joined with the catalog.

The YAML file says which common columns exist, their Chinese headers, widths, kinds,
number formats and pollutants (read by the generic loader of
:mod:`dispatch.workbooks.layout`, given this module's key sets); the catalog says which
parameters each engineering type's methods take. :func:`get_layout` combines them into
frozen objects that the export writes and the import reads, so the two can never disagree.
Loading is strict: an unknown key, a missing or duplicated column, or two parameters
claiming the same header with different kinds stops loading with a message naming the
problem.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from dispatch.core.catalog import Catalog, EngineeringType, ParamDef, get_catalog
from dispatch.core.pollutants import BY_CODE, POLLUTANTS
from dispatch.workbooks.layout import (
    Column,
    Kind,
    LayoutError,
    Placeholder,
    parse_columns,
    parse_import_texts,
    read_yaml,
    sheet_title,
)

LAYOUT_FILE = Path(__file__).with_name("plan_list_layout.yaml")

# The expected-reduction columns, one per pollutant, keyed by their projects column.
EXPECTED_KEYS = tuple(p.column for p in POLLUTANTS)
SUMMARY_KEYS = ("label", "code", "count", "total_investment", "env_investment", *EXPECTED_KEYS)
TYPE_KEYS = (
    "seq", "code", "name", "district_name", "division_code", "plan_year", "owner", "uscc",
    "permit_number", "longitude", "latitude", "method", "planned_start", "planned_completion",
    "total_investment", "env_investment", "params", *EXPECTED_KEYS, "construction_status",
    "site_address", "contact_name", "contact_phone", "notes", "actual_start",
    "actual_completion", "stable_operation_from",
)  # fmt: skip
DETAIL_KEYS = ("code", "name", "fields")
# Placeholders the catalog expands into parameter columns.
PLACEHOLDERS = frozenset({"params", "fields"})
# A catalog parameter's kind → the kind of value its cells hold.
PARAM_KINDS: Mapping[str, Kind] = MappingProxyType({"decimal": "decimal", "integer": "integer"})


@dataclass(frozen=True)
class ParamColumn(Column):
    """A type sheet's column of method parameters: method key → the parameter it holds
    for rows of that method (same header, same kind)."""

    params: Mapping[str, ParamDef] = field(default_factory=dict, hash=False)

    def param_for(self, method: str) -> ParamDef | None:
        return self.params.get(method)


@dataclass(frozen=True)
class FieldColumn(Column):
    """A detail sheet's column holding one field of a list parameter's lines."""

    field_def: ParamDef | None = field(default=None, hash=False)


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
    def param_columns(self) -> tuple[ParamColumn, ...]:
        return tuple(c for c in self.columns if isinstance(c, ParamColumn))

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
    import_texts: Mapping[str, str]

    def type_sheet(self, type_code: str) -> TypeSheet:
        return next(s for s in self.type_sheets if s.type_code == type_code)

    def download_name(self, year: int) -> str:
        return self.filename.format(year=year)


# --- reading the YAML ----------------------------------------------------------------


def _check_pollutants(columns: list[Column | Placeholder], where: str, errors: list[str]) -> None:
    """An expected-reduction column must name the pollutant whose column it is."""
    for column in columns:
        if isinstance(column, Column) and column.key in EXPECTED_KEYS:
            pollutant = BY_CODE.get(column.pollutant or "")
            if pollutant is None or pollutant.column != column.key:
                code = next(p.code for p in POLLUTANTS if p.column == column.key)
                errors.append(f"{where}: 列 {column.key} 的 pollutant 应为 {code}")


def read_layout(path: Path = LAYOUT_FILE) -> dict[str, Any]:
    """The YAML file, checked, with each sheet's ``columns`` parsed; raise
    :class:`LayoutError` listing every problem."""
    raw = read_yaml(path)
    errors: list[str] = []
    for key in ("filename", "template_filename"):
        if not isinstance(raw.get(key), str) or not raw[key].endswith(".xlsx"):
            errors.append(f"{key}: 应为以 .xlsx 结尾的文件名")
    sections = {"summary_sheet": SUMMARY_KEYS, "type_sheet": TYPE_KEYS, "detail_sheet": DETAIL_KEYS}
    for section, keys in sections.items():
        body = raw.get(section)
        if not isinstance(body, dict) or not isinstance(body.get("name"), str):
            errors.append(f"{section}: 应包含 name 和 columns")
            continue
        body["columns"] = parse_columns(
            body.get("columns"), section, keys, errors, placeholders=PLACEHOLDERS
        )
        _check_pollutants(body["columns"], section, errors)
    raw["import"] = parse_import_texts(raw.get("import"), errors)
    summary = raw.get("summary_sheet") or {}
    for key in ("total_label", "district_header"):
        if not isinstance(summary.get(key), str) or not summary[key]:
            errors.append(f"summary_sheet.{key}: 不能为空")
    if errors:
        raise LayoutError(path.name, errors)
    return raw


# --- joining with the catalog --------------------------------------------------------


def _must_fill(param: ParamDef) -> bool:
    return param.required and param.default is None and param.coefficient is None


def _param_columns(place: Placeholder, catalog: Catalog, etype: EngineeringType) -> list[Column]:
    """The union of the type's methods' scalar parameters, one column per header."""
    by_header: dict[str, dict[str, ParamDef]] = {}
    for method in etype.methods:
        for param in catalog.method(method).params:
            if param.kind != "list":
                by_header.setdefault(param.label_with_unit, {})[method] = param
    columns: list[Column] = []
    for header, params in by_header.items():
        kinds = {p.kind for p in params.values()}
        if len(kinds) > 1:
            raise LayoutError(
                LAYOUT_FILE.name, [f"{etype.code}: 参数列“{header}”在不同核算方法中类型不同"]
            )
        kind = PARAM_KINDS.get(kinds.pop(), "text")
        columns.append(
            ParamColumn(
                key=f"param:{header}",
                header=header,
                width=place.width,
                kind=kind,
                number_format=place.format_for(kind),
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
            if isinstance(item, Column):
                columns.append(item)
                continue
            for sub in first.fields:
                kind = PARAM_KINDS.get(sub.kind, "text")
                columns.append(
                    FieldColumn(
                        key=f"field:{sub.key}",
                        header=sub.label_with_unit,
                        width=item.width,
                        kind=kind,
                        number_format=item.format_for(kind),
                        required=_must_fill(sub),
                        field_def=sub,
                    )
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
            if isinstance(item, Placeholder):
                columns.extend(_param_columns(item, catalog, etype))
            elif item.pollutant is None or item.pollutant in etype.pollutants:
                columns.append(item)
        headers = [c.header for c in columns]
        clashes = sorted({h for h in headers if headers.count(h) > 1})
        if clashes:
            raise LayoutError(LAYOUT_FILE.name, [f"{etype.code}: 表头重复：{'、'.join(clashes)}"])
        name = sheet_title(type_raw["name"].format(code=etype.code, name=etype.name_zh))
        details = _details(raw["detail_sheet"], catalog, etype)
        sheets.append(TypeSheet(etype.code, name, etype, tuple(columns), details))
    names = [s.name for s in sheets] + [d.name for s in sheets for d in s.details]
    if len(set(names)) != len(names) or summary["name"] in names:
        raise LayoutError(LAYOUT_FILE.name, ["工作表名称重复（截断为 31 个字符后）"])
    return Layout(
        filename=raw["filename"],
        template_filename=raw["template_filename"],
        summary_name=summary["name"],
        summary_total_label=summary["total_label"],
        summary_district_header=summary["district_header"],
        summary_columns=tuple(c for c in summary["columns"] if isinstance(c, Column)),
        type_sheets=tuple(sheets),
        import_texts=MappingProxyType(raw["import"]),
    )


@functools.lru_cache(maxsize=4)
def _cached(catalog: Catalog) -> Layout:
    return build_layout(read_layout(), catalog)


def get_layout(catalog: Catalog | None = None) -> Layout:
    """The layout for ``catalog`` (default: the app's catalog), built once per catalog."""
    return _cached(catalog or get_catalog())

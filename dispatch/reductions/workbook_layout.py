"""The accounting workbook's layout: accounting_layout.yaml, read into frozen objects.

Three sheets (national-export.md §3): one row per project's current confirmation of the
year, one row per parameter and coefficient it used (real numbers), and the sums per
district and for the city against their targets. Loading is strict: the generic loader of
:mod:`dispatch.workbooks.layout` is given each sheet's key set, a pollutant column must
name the pollutant its key ends in, and every problem of the file is reported at once in a
:class:`~dispatch.workbooks.layout.LayoutError`.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from dispatch.workbooks.layout import (
    Column,
    LayoutError,
    parse_columns,
    read_yaml,
    sheet_title,
)
from models.reductions import POLLUTANT_COLUMN_SUFFIX

LAYOUT_FILE = Path(__file__).with_name("accounting_layout.yaml")

SUFFIXES = tuple(POLLUTANT_COLUMN_SUFFIX.values())  # cod, nh3n, nox, vocs
BY_SUFFIX = {suffix: code for code, suffix in POLLUTANT_COLUMN_SUFFIX.items()}
# The key prefixes of the columns that hold one pollutant's number.
POLLUTANT_KINDS = frozenset({"capacity", "credit", "target", "percent"})
CAPACITY_KEYS = tuple(f"capacity_{s}" for s in SUFFIXES)
CREDIT_KEYS = tuple(f"credit_{s}" for s in SUFFIXES)
PROJECT_KEYS = (
    "seq", "code", "name", "district", "type", "method", "params", *CAPACITY_KEYS,
    *CREDIT_KEYS, "confirmed_by", "confirmed_at", "stable_operation_from", "credit_rule",
    "credit_months", "version", "formula", "fingerprint",
)  # fmt: skip
PARAM_KEYS = (
    "code",
    "name",
    "category",
    "label",
    "path",
    "value",
    "text",
    "unit",
    "source",
    "table_key",
)
SUMMARY_KEYS = (
    "region",
    "division_code",
    *(f"{kind}_{s}" for s in SUFFIXES for kind in ("credit", "target", "percent")),
)
PARAM_LABELS = (
    "param_label", "coefficient_label", "entered_label", "table_label", "example_label"
)  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Sheet:
    """One sheet: its name and columns."""

    name: str
    columns: tuple[Column, ...]

    def header(self, key: str) -> str:
        return next(c.header for c in self.columns if c.key == key)


@dataclasses.dataclass(frozen=True)
class AccountingLayout:
    filename: str
    projects: Sheet
    params: Sheet
    summary: Sheet
    # The params sheet's words: param, coefficient, entered, table, example.
    labels: Mapping[str, str]

    def download_name(self, year: int, scope: str = "") -> str:
        return self.filename.format(year=year, scope=scope)


def _text(raw: Any, where: str, errors: list[str]) -> str:
    if not isinstance(raw, str) or not raw.strip():
        errors.append(f"{where}: 不能为空")
        return ""
    return raw.strip()


def _filename(raw: Any, errors: list[str]) -> str:
    text = _text(raw, "filename", errors)
    if text and not text.endswith(".xlsx"):
        errors.append("filename: 应为以 .xlsx 结尾的文件名")
    try:
        text.format(year=2025, scope="")
    except (KeyError, IndexError, ValueError):
        errors.append("filename: 只能使用 {year}、{scope}")
    return text


def _pollutants(columns: list[Column], where: str, errors: list[str]) -> None:
    """A pollutant column (``credit_nox`` …) names its pollutant; no other column names one."""
    for column in columns:
        kind, _, suffix = column.key.partition("_")
        expected = BY_SUFFIX.get(suffix) if kind in POLLUTANT_KINDS else None
        if column.pollutant != expected:
            errors.append(f"{where}: 列 {column.key} 的 pollutant 应为 {expected or '空'}")


def _sheet(raw: Any, where: str, keys: tuple[str, ...], errors: list[str]) -> Sheet:
    if not isinstance(raw, dict):
        errors.append(f"{where}: 应包含 name 和 columns")
        return Sheet("", ())
    name = _text(raw.get("name"), f"{where}.name", errors)
    if name and sheet_title(name) != name:
        errors.append(f"{where}.name: 工作表名不能含 []:*?/\\ ，且不超过 31 个字符")
    parsed = parse_columns(raw.get("columns"), where, keys, errors)
    columns = [c for c in parsed if isinstance(c, Column)]
    _pollutants(columns, where, errors)
    return Sheet(name, tuple(columns))


def read_layout(path: Path = LAYOUT_FILE) -> AccountingLayout:
    """The layout of ``path``; :class:`LayoutError` listing every problem."""
    raw = read_yaml(path)
    errors: list[str] = []
    known = ("filename", "projects_sheet", "params_sheet", "summary_sheet")
    errors.extend(f"{key}: 未知的部分" for key in raw if key not in known)
    params_raw = raw.get("params_sheet")
    params_raw = params_raw if isinstance(params_raw, dict) else {}
    labels = {
        key.removesuffix("_label"): _text(params_raw.get(key), f"params_sheet.{key}", errors)
        for key in PARAM_LABELS
    }
    sheets = (
        _sheet(raw.get("projects_sheet"), "projects_sheet", PROJECT_KEYS, errors),
        _sheet(raw.get("params_sheet"), "params_sheet", PARAM_KEYS, errors),
        _sheet(raw.get("summary_sheet"), "summary_sheet", SUMMARY_KEYS, errors),
    )
    names = [s.name for s in sheets if s.name]
    if len(set(names)) != len(names):
        errors.append("工作表名称重复")
    layout = AccountingLayout(
        _filename(raw.get("filename"), errors), *sheets, MappingProxyType(labels)
    )
    if errors:
        raise LayoutError(path.name, errors)
    return layout


@functools.cache
def get_layout() -> AccountingLayout:
    """The layout of the app's file, read once."""
    return read_layout()

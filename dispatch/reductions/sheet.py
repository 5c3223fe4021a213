"""The calculation sheet (削减量计算书) of a confirmation, as plain data.

:func:`build` gathers everything the sheet shows from the stored confirmation (never
recomputed: the sheet documents what was confirmed) and the catalog (names, labels and
units): the project, the method, every parameter and coefficient with its unit and source,
the substituted formula and result per pollutant, the credit rule, the fingerprint and
version, who entered and confirmed it and when (Beijing time), and for a correction its
reason and the version it supersedes. The printable page and the PDF render the same
:class:`Sheet` with the same template (``reductions/sheet_body.html``).

Pure: no session, no Flask, no clock; the objects are passed in.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import re
from typing import Any

from dispatch.core.accounting import CREDIT_RULE_NAMES_ZH, POLLUTANT_LABELS, format_t
from dispatch.core.beijing import CHINA_TZ
from dispatch.core.catalog import Catalog, MethodDef, ParamDef, UnknownCodeError
from models import ConfirmationStatus, ReductionConfirmation

TITLE = "削减量计算书"
_LIST_PATH = re.compile(r"^(?P<list>[a-z0-9_]+)\[(?P<row>\d+)\]\.(?P<field>[a-z0-9_]+)$")


@dataclasses.dataclass(frozen=True)
class Field:
    label: str
    value: str


@dataclasses.dataclass(frozen=True)
class Parameter:
    label: str
    value: str
    unit: str
    source: str


@dataclasses.dataclass(frozen=True)
class Table:
    """A list parameter (e.g. the retired vehicles): its columns (with units) and rows."""

    label: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclasses.dataclass(frozen=True)
class Result:
    pollutant: str
    label: str
    formula: tuple[str, ...]
    capacity: str  # t/a
    credit: str  # t in the year


@dataclasses.dataclass(frozen=True)
class Sheet:
    number: str
    year: int
    version: int
    status: str
    project: tuple[Field, ...]
    method: str
    method_formula: str
    stable_from: str
    parameters: tuple[Parameter, ...]
    tables: tuple[Table, ...]
    coefficients: tuple[Parameter, ...]
    results: tuple[Result, ...]
    credit_rule: str
    credit_rule_name: str
    credit_months: int
    warnings: tuple[str, ...]
    fingerprint: str
    people: tuple[Field, ...]
    correction: tuple[Field, ...]  # empty unless this version corrects an earlier one
    title: str = TITLE


def beijing(moment: dt.datetime | None) -> str:
    """``2025-11-24 17:30（北京时间）``; empty for None."""
    if moment is None:
        return ""
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M") + "（北京时间）"


def number(row: ReductionConfirmation) -> str:
    """The sheet's number: project code, year and version (also the file name's stem)."""
    return f"{row.project.code}-{row.year}-V{row.version}"


def filename(row: ReductionConfirmation) -> str:
    return f"{TITLE}_{number(row)}.pdf"


def _shown(param: ParamDef | None, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if param is not None and param.kind == "choice":
        return dict(param.choices).get(str(value), str(value))
    return str(value)


def _param(method: MethodDef | None, key: str) -> ParamDef | None:
    if method is None:
        return None
    try:
        return method.param(key)
    except UnknownCodeError:
        return None


def _parameters(
    method: MethodDef | None, inputs: dict[str, Any], source: str
) -> tuple[list[Parameter], list[Table]]:
    params: list[Parameter] = []
    tables: list[Table] = []
    order = [p.key for p in method.params] if method is not None else []
    keys = [k for k in order if k in inputs] + sorted(k for k in inputs if k not in order)
    for key in keys:
        param, value = _param(method, key), inputs[key]
        if isinstance(value, list):
            fields = param.fields if param is not None else ()
            columns = [f.key for f in fields] or sorted({k for r in value for k in r})
            labels = {f.key: f.label_with_unit for f in fields}
            by_key = {f.key: f for f in fields}
            tables.append(
                Table(
                    label=param.label_zh if param is not None else key,
                    columns=tuple(labels.get(c, c) for c in columns),
                    rows=tuple(
                        tuple(_shown(by_key.get(c), row.get(c)) for c in columns) for row in value
                    ),
                )
            )
            continue
        params.append(
            Parameter(
                label=param.label_zh if param is not None else key,
                value=_shown(param, value),
                unit=param.unit if param is not None else "",
                source=source,
            )
        )
    return params, tables


def _coefficient_label(method: MethodDef | None, path: str) -> str:
    match = _LIST_PATH.match(path)
    if match is None:
        param = _param(method, path)
        return param.label_zh if param is not None else path
    owner = _param(method, match["list"])
    label = match["field"]
    if owner is not None:
        with contextlib.suppress(UnknownCodeError):
            label = owner.column(match["field"]).label_zh
    owner_label = owner.label_zh if owner is not None else match["list"]
    return f"{owner_label}第{int(match['row']) + 1}行 {label}"


def _coefficient_source(catalog: Catalog, record: dict[str, Any]) -> str:
    if record.get("source") != "table":
        return "填报值（实际运行参数中给出）"
    key = str(record.get("table_key", ""))
    factor = catalog.coefficients.factors.get(key)
    parts = [f"系数表 {key}"]
    if factor is not None and factor.source:
        parts.append(factor.source)
    if record.get("example"):
        parts.append("示例默认值，应以本省发布的系数为准")
    return "；".join(parts)


def _coefficients(
    catalog: Catalog, method: MethodDef | None, records: dict[str, Any]
) -> list[Parameter]:
    return [
        Parameter(
            label=_coefficient_label(method, path),
            value=str(record.get("value", "")),
            unit=str(record.get("unit", "")),
            source=_coefficient_source(catalog, record),
        )
        for path, record in records.items()
    ]


def _results(row: ReductionConfirmation) -> list[Result]:
    by_pollutant = row.formula_by_pollutant or {}
    results = []
    for pollutant in row.pollutants:
        capacity, credit = row.capacity(pollutant), row.credit(pollutant)
        results.append(
            Result(
                pollutant=pollutant,
                label=POLLUTANT_LABELS.get(pollutant, pollutant),
                formula=tuple(by_pollutant.get(pollutant, ())),
                capacity=format_t(capacity) if capacity is not None else "—",
                credit=format_t(credit) if credit is not None else "—",
            )
        )
    return results


def _project(catalog: Catalog, row: ReductionConfirmation) -> list[Field]:
    project = row.project
    try:
        type_name = f"{project.type_code} {catalog.type(project.type_code).name_zh}"
    except UnknownCodeError:
        type_name = project.type_code
    district = project.district
    region = district.name
    if district.parent is not None:
        region = f"{district.parent.name} {region}"
    owner = project.enterprise.name if project.enterprise is not None else project.owner_unit
    return [
        Field("项目编号", project.code),
        Field("项目名称", project.name),
        Field("建设单位", owner or "—"),
        Field("所在区域", region),
        Field("工程类型", type_name),
    ]


def _who(user: Any) -> str:
    return user.display_name if user is not None else "—"


def build(
    catalog: Catalog,
    row: ReductionConfirmation,
    *,
    supersedes: ReductionConfirmation | None = None,
) -> Sheet:
    """The sheet of a confirmed ``row``; ``supersedes`` is the version it corrected."""
    try:
        method: MethodDef | None = catalog.method(row.method)
    except UnknownCodeError:
        method = None
    entered = f"{_who(row.entered_by)}，{beijing(row.entered_at)}"
    params, tables = _parameters(method, dict(row.inputs or {}), f"实际运行参数（{entered}填报）")
    correction: list[Field] = []
    if supersedes is not None:
        earlier = f"第 {supersedes.version} 版（{beijing(supersedes.confirmed_at)}核定）"
        correction = [
            Field("更正", f"本版本更正并取代{earlier}"),
            Field("更正原因", row.reason or "—"),
        ]
    elif row.reason:
        correction = [Field("更正原因", row.reason)]
    # Filed while the row is being confirmed (still a draft until the same flush).
    shown = ConfirmationStatus.CURRENT if row.status == ConfirmationStatus.DRAFT else row.status
    return Sheet(
        number=number(row),
        year=row.year,
        version=row.version,
        status=shown.label,
        project=tuple(_project(catalog, row)),
        method=f"{method.name_zh}（{row.method}）" if method is not None else row.method,
        method_formula=method.formula if method is not None else "",
        stable_from=row.stable_operation_from.isoformat(),
        parameters=tuple(params),
        tables=tuple(tables),
        coefficients=tuple(_coefficients(catalog, method, dict(row.coefficients or {}))),
        results=tuple(_results(row)),
        credit_rule=row.credit_rule,
        credit_rule_name=CREDIT_RULE_NAMES_ZH.get(row.credit_rule, row.credit_rule),
        credit_months=row.credit_months,
        warnings=tuple(row.warnings or ()),
        fingerprint=row.fingerprint,
        people=(
            Field("参数填报", entered),
            Field("核定", f"{_who(row.confirmed_by)}，{beijing(row.confirmed_at)}"),
        ),
        correction=tuple(correction),
    )

"""Writing the accounting workbook (重点工程减排量核算（YYYY年）, national-export.md §3).

The year's *current* confirmations of the projects the caller may see the accounting of
(``visible_confirmations``: a district its own, the city its subtree) stream from one
select, with only the columns a row needs, district and confirmer joined in, in district
and project-code order, as Core rows: no ORM objects, no lazy loads. The projects counted
are those the region totals count (in the plan list or closed out, ``COUNTED_STATUSES``),
so the summary sheet's sums are the sums of the project rows.

Each confirmation gives one row of the first sheet (code, name, district, type, method,
its parameters and coefficients as readable text, capacity and credit per pollutant, who
confirmed and when, then the credit rule, the substituted formulas and the fingerprint)
and one row per parameter and coefficient on the second, whose values are real numbers.
Both come from what the confirmation stored, never from the project's current plan, so
the workbook shows what was confirmed. The third sheet holds the sums per district and
for the city against their targets (:func:`dispatch.reductions.queries.progress`, sums in
SQL), the numbers the reductions page shows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from sqlalchemy import Select
from sqlalchemy.orm import Session, aliased

from dispatch.access import visible_confirmations
from dispatch.core.accounting import CREDIT_RULE_NAMES_ZH
from dispatch.core.beijing import CHINA_TZ
from dispatch.core.catalog import Catalog, MethodDef, ParamDef, get_catalog
from dispatch.reductions.periods import Period
from dispatch.reductions.queries import COUNTED_STATUSES, progress
from dispatch.reductions.workbook_layout import AccountingLayout, get_layout
from dispatch.workbooks.writer import WorkbookWriter
from models import ConfirmationStatus, Project, ReductionConfirmation, Region, User
from models.reductions import POLLUTANT_COLUMN_SUFFIX

BATCH = 1000
_DISTRICT = aliased(Region)
_CONFIRMER = aliased(User)
RC = ReductionConfirmation
SELECTED: dict[str, Any] = {
    "code": Project.code,
    "name": Project.name,
    "district": _DISTRICT.name,
    "type_code": Project.type_code,
    "method": RC.method,
    "inputs": RC.inputs,
    "coefficients": RC.coefficients,
    **{f"capacity_{s}": getattr(RC, f"capacity_{s}") for s in POLLUTANT_COLUMN_SUFFIX.values()},
    **{f"credit_{s}": getattr(RC, f"credit_{s}") for s in POLLUTANT_COLUMN_SUFFIX.values()},
    "confirmed_by": _CONFIRMER.display_name,
    "confirmed_at": RC.confirmed_at,
    "stable_operation_from": RC.stable_operation_from,
    "credit_rule": RC.credit_rule,
    "credit_months": RC.credit_months,
    "version": RC.version,
    "formula": RC.formula,
    "fingerprint": RC.fingerprint,
}
AT = {key: i for i, key in enumerate(SELECTED)}


@dataclasses.dataclass
class Written:
    """What an export wrote: project rows and parameter rows."""

    rows: int = 0
    params: int = 0


@dataclasses.dataclass(frozen=True)
class Value:
    """One parameter or coefficient a confirmation used, as the second sheet shows it."""

    is_coefficient: bool
    label: str
    path: str
    number: Decimal | None
    text: str
    unit: str
    source: str  # entered | table | example
    table_key: str = ""

    @property
    def shown(self) -> str:
        value = self.text if self.number is None else f"{self.number:f}"
        return f"{self.label} {value}" + (f" {self.unit}" if self.unit else "")


def year_confirmations(base: Select[Any], year: int) -> Select[Any]:
    """The year's counted current confirmations of ``base`` (a scoped select over
    confirmations joined to their projects), the :data:`SELECTED` columns, in order."""
    return (
        base.with_only_columns(*SELECTED.values())
        .join(_DISTRICT, Project.district_id == _DISTRICT.id)
        .outerjoin(_CONFIRMER, RC.confirmed_by_id == _CONFIRMER.id)
        .where(
            RC.status == ConfirmationStatus.CURRENT,
            RC.year == year,
            Project.plan_status.in_(COUNTED_STATUSES),
        )
        .order_by(_DISTRICT.division_code, Project.code)
        .execution_options(yield_per=BATCH)
    )


def _number(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _value(
    param: ParamDef | None, label: str, path: str, given: Any, coefficient: Mapping | None
) -> Value:
    """One stored value: a number where the parameter is a number, else its label."""
    unit = param.unit if param is not None else (coefficient or {}).get("unit", "")
    if given is None and coefficient is not None:
        source = "example" if coefficient.get("example") else "table"
        given = coefficient.get("value")
        table_key = str(coefficient.get("table_key", ""))
    else:
        source, table_key = "entered", ""
    number = None
    text = ""
    if param is not None and param.kind == "choice":
        text = dict(param.choices).get(str(given), str(given))
    elif param is not None and param.kind == "text":
        text = str(given)
    else:
        number = _number(given)
        text = "" if number is not None else str(given)
    return Value(coefficient is not None, label, path, number, text, unit, source, table_key)


def _extra(path: str, entry: Mapping) -> Value:
    """A coefficient the method's parameters do not name (e.g. the pig-equivalent ratio)."""
    if "value" in entry:
        return _value(None, path, path, None, entry)
    if path == "pig_equivalent":
        text = f"{entry.get('heads')} 头（只）折 {entry.get('pig_equivalents')} 头猪当量"
        return Value(True, "猪当量折算", path, None, text, "", "table", "pig_equivalents")
    shown = "；".join(f"{k}={v}" for k, v in entry.items() if k != "source")
    return Value(True, path, path, None, shown, "", "table")


def used_values(method: MethodDef | None, inputs: Mapping, coefficients: Mapping) -> list[Value]:
    """Every parameter and coefficient a confirmation used, in the method's order."""
    found: list[Value] = []
    seen: set[str] = set()
    for param in method.params if method is not None else ():
        if param.kind == "list":
            for index, line in enumerate(inputs.get(param.key) or ()):
                for sub in param.fields:
                    path = f"{param.key}[{index}].{sub.key}"
                    label = f"{param.label_zh}第{index + 1}行：{sub.label_zh}"
                    given, coefficient = line.get(sub.key), coefficients.get(path)
                    if given is not None or coefficient is not None:
                        found.append(_value(sub, label, path, given, coefficient))
                        seen.add(path)
            seen.add(param.key)
            continue
        given, coefficient = inputs.get(param.key), coefficients.get(param.key)
        if given is not None or coefficient is not None:
            found.append(_value(param, param.label_zh, param.key, given, coefficient))
        seen.add(param.key)
    # Inputs of a method the catalog no longer has, and coefficients no parameter names.
    for key, given in inputs.items():
        if key not in seen and not isinstance(given, list | dict):
            found.append(_value(None, key, key, given, coefficients.get(key)))
            seen.add(key)
    found.extend(_extra(path, entry) for path, entry in coefficients.items() if path not in seen)
    return found


def _beijing(instant: dt.datetime | None) -> dt.datetime | None:
    if instant is None:
        return None
    return instant.astimezone(CHINA_TZ).replace(tzinfo=None, microsecond=0)


class _Rows:
    """The cells of the first two sheets for one query row."""

    def __init__(self, layout: AccountingLayout, catalog: Catalog):
        self.layout = layout
        self.catalog = catalog
        self.types = {t.code: f"{t.code} {t.name_zh}" for t in catalog.types}
        labels = layout.labels
        self.sources = {"entered": labels["entered"], "table": labels["table"],
                        "example": labels["example"]}  # fmt: skip

    def values(self, row: Any) -> list[Value]:
        method = self.catalog.methods.get(row[AT["method"]])
        return used_values(method, row[AT["inputs"]] or {}, row[AT["coefficients"]] or {})

    def project(self, row: Any, seq: int, used: list[Value]) -> dict[str, Any]:
        method = self.catalog.methods.get(row[AT["method"]])
        rule = row[AT["credit_rule"]]
        cells = {key: row[at] for key, at in AT.items()}
        cells |= {
            "seq": seq,
            "type": self.types.get(row[AT["type_code"]], row[AT["type_code"]]),
            "method": method.name_zh if method is not None else row[AT["method"]],
            "params": "；".join(v.shown for v in used),
            "confirmed_at": _beijing(row[AT["confirmed_at"]]),
            "credit_rule": CREDIT_RULE_NAMES_ZH.get(rule, rule),
            "formula": "\n".join(row[AT["formula"]] or ()),
        }
        return cells

    def param(self, row: Any, value: Value) -> dict[str, Any]:
        labels = self.layout.labels
        return {
            "code": row[AT["code"]],
            "name": row[AT["name"]],
            "category": labels["coefficient"] if value.is_coefficient else labels["param"],
            "label": value.label,
            "path": value.path,
            "value": value.number,
            "text": value.text,
            "unit": value.unit,
            "source": self.sources[value.source],
            "table_key": value.table_key,
        }


def _summary_rows(session: Session, user: Any, year: int) -> Iterator[dict[str, Any]]:
    for found in progress(session, user, Period(year, year)):
        cells: dict[str, Any] = {
            "region": found.region.name,
            "division_code": found.region.division_code,
        }
        for cell in found.cells:
            suffix = POLLUTANT_COLUMN_SUFFIX[cell.pollutant]
            cells[f"credit_{suffix}"] = cell.credited
            cells[f"target_{suffix}"] = cell.target
            cells[f"percent_{suffix}"] = cell.percent
        yield cells


def fill_accounting(
    book: WorkbookWriter,
    session: Session,
    user: Any,
    year: int,
    *,
    catalog: Catalog | None = None,
) -> Written:
    """Write the year's accounting workbook of what ``user`` may see into ``book``."""
    layout = get_layout()
    rows = _Rows(layout, catalog or get_catalog())
    projects = book.sheet(layout.projects.name, layout.projects.columns)
    params = book.sheet(layout.params.name, layout.params.columns)
    summary = book.sheet(layout.summary.name, layout.summary.columns)
    project_keys = [c.key for c in layout.projects.columns]
    param_keys = [c.key for c in layout.params.columns]
    written = Written()
    query = year_confirmations(visible_confirmations(user), year)
    for row in session.connection().execute(query):
        used = rows.values(row)
        written.rows += 1
        cells = rows.project(row, written.rows, used)
        projects.row([cells.get(key) for key in project_keys])
        for value in used:
            cells = rows.param(row, value)
            params.row([cells.get(key) for key in param_keys])
            written.params += 1
    summary_keys = [c.key for c in layout.summary.columns]
    for cells in _summary_rows(session, user, year):
        summary.row([cells.get(key) for key in summary_keys])
    for sheet in (projects, params, summary):
        sheet.filter_all()
    return written


def write_accounting(
    session: Session, user: Any, year: int, out: IO[bytes], *, catalog: Catalog | None = None
) -> Written:
    """The year's accounting workbook of what ``user`` may see, written into ``out``."""
    with WorkbookWriter(out) as book:
        return fill_accounting(book, session, user, year, catalog=catalog)

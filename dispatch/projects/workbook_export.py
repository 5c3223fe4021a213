"""Writing the plan-list workbook (重点减排工程计划清单, national-export.md §1).

The projects stream from one scoped query (``visible_projects`` with only the columns a
row needs, district and enterprise joined in, in code order; Core rows, no ORM objects, no
lazy loads) straight into their type's sheet through the streaming writer of
:mod:`dispatch.workbooks.writer`, and their list-parameter lines into the type's detail
sheet; only the summary's running totals are kept. The summary sheet is created first, so
it is the first tab, and filled last. Cell values depend on the data only: numbers stay
numbers, dates are real Excel dates, codes are text.

Per row, the work beyond xlsxwriter's own is kept small (``bench/`` measures the ratio):
the cells that are selected columns come in one ``itemgetter`` call, and only the others
(owner, method and status names, parameters) are computed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from decimal import Decimal
from operator import itemgetter
from typing import IO, Any

from sqlalchemy import Select, null
from sqlalchemy.orm import Session, aliased

from dispatch.access import visible_projects, visible_regions
from dispatch.core.catalog import Catalog, ParamDef, get_catalog
from dispatch.core.pollutants import POLLUTANTS
from dispatch.projects.workbook_layout import (
    EXPECTED_KEYS,
    Column,
    FieldColumn,
    Layout,
    ParamColumn,
    TypeSheet,
    get_layout,
)
from dispatch.workbooks.writer import SheetWriter, WorkbookWriter
from models import ConstructionStatus, Enterprise, PlanStatus, Project, Region, RegionKind, User

# Rows fetched per round trip while streaming the projects.
BATCH = 1000
# Project columns a type sheet shows as they are, under the layout key of the same name.
DIRECT = (
    "code", "name", "plan_year", "owner_unit", "longitude", "latitude", "method",
    "planned_start", "planned_completion", "total_investment", "env_investment", "params",
    *EXPECTED_KEYS, "construction_status", "site_address", "contact_name", "contact_phone",
    "notes", "actual_start", "actual_completion", "stable_operation_from", "district_id",
    "type_code",
)  # fmt: skip
STATUS_LABELS = {status: status.label for status in ConstructionStatus}

Row = Any  # a SQLAlchemy Row of the plan-list query, read by position


@dataclasses.dataclass
class Totals:
    """Count, investments and expected reductions of a group of projects."""

    count: int = 0
    total_investment: Decimal = Decimal(0)
    env_investment: Decimal = Decimal(0)
    expected: list[Decimal] = dataclasses.field(
        default_factory=lambda: [Decimal(0)] * len(POLLUTANTS)
    )

    def add(self, total: Decimal, env: Decimal, expected: Iterable[Decimal | None]) -> None:
        self.count += 1
        self.total_investment += total
        self.env_investment += env
        self.expected = [a + (b or 0) for a, b in zip(self.expected, expected, strict=True)]

    def merge(self, other: Totals) -> None:
        self.count += other.count
        self.total_investment += other.total_investment
        self.env_investment += other.env_investment
        self.expected = [a + b for a, b in zip(self.expected, other.expected, strict=True)]


def _decimal(value: Any) -> Decimal:
    return Decimal(value if value.__class__ is str else str(value))


def _integer(value: Any) -> int:
    return int(_decimal(value))


def cell_of(param: ParamDef) -> Callable[[Any], Any]:
    """How a stored (non-empty) value of ``param`` is shown in a cell: numbers as numbers,
    a choice as its label, anything else as text."""
    if param.kind == "decimal":
        return _decimal
    if param.kind == "integer":
        return _integer
    if param.kind == "choice":
        labels = dict(param.choices)
        return lambda value: labels.get(str(value), str(value))
    return str


def param_cell(param: ParamDef, value: Any) -> Any:
    """A stored parameter value as the cell holds it (None for none)."""
    return None if value is None or value == "" else cell_of(param)(value)


# --- the query -------------------------------------------------------------------------

# The district under its own name: the scoped select may already join ``regions``.
_DISTRICT = aliased(Region)
# What a row of the plan-list query holds, by the layout key of the same name.
SELECTED = {key: getattr(Project, key) for key in DIRECT} | {
    "district_name": _DISTRICT.name,
    "division_code": _DISTRICT.division_code,
    "enterprise_name": Enterprise.name,
    "uscc": Enterprise.uscc,
    "permit_number": Enterprise.permit_number,
    # Always NULL: where a row's cells that are not selected columns are picked from.
    "nothing": null(),
}
# Where each of them stands in the row.
AT = {key: i for i, key in enumerate(SELECTED)}
PARAMS_AT, METHOD_AT = AT["params"], AT["method"]


def _rows_query(base: Select[Any], type_codes: list[str]) -> Select[Any]:
    """Every project row of the plan list, the columns a sheet row needs, in code order."""
    return (
        base.with_only_columns(*SELECTED.values())
        .join(_DISTRICT, Project.district_id == _DISTRICT.id)
        .outerjoin(Enterprise, Project.enterprise_id == Enterprise.id)
        .where(Project.type_code.in_(type_codes))
        .order_by(Project.code)
        .execution_options(yield_per=BATCH)
    )


# --- the type sheets -------------------------------------------------------------------


Plan = list[tuple[int, str, Callable[[Any], Any]]]


def _param_plans(columns: tuple[Column, ...]) -> dict[str, Plan]:
    """Method → (cell index, parameter key, cell conversion) of each parameter column it
    fills: a row only touches the parameters of its own method."""
    plans: dict[str, Plan] = {}
    for at, column in enumerate(columns):
        if isinstance(column, ParamColumn):
            for method, param in column.params.items():
                plans.setdefault(method, []).append((at, param.key, cell_of(param)))
    return plans


def _computed(column: Column, catalog: Catalog) -> Callable[[Row], Any] | None:
    """How a cell that is not a selected column as it is comes off a query row (None for
    the rest: they are picked by position, empty text is left out by the writer;
    parameters are filled by their method's plan)."""
    match column.key:
        case "owner":
            enterprise, owner = AT["enterprise_name"], AT["owner_unit"]
            return lambda row: row[enterprise] if row[enterprise] is not None else row[owner]
        case "method":
            at, names = AT["method"], {k: m.name_zh for k, m in catalog.methods.items()}
            return lambda row: names.get(row[at], row[at])
        case "construction_status":
            at = AT["construction_status"]
            return lambda row: STATUS_LABELS[row[at]]
    return None


def _detail_getter(column: Column) -> Callable[[Row, dict[str, Any]], Any]:
    if isinstance(column, FieldColumn) and column.field_def is not None:
        field_def = column.field_def
        return lambda row, line: param_cell(field_def, line.get(field_def.key))
    at = AT[column.key]  # 项目编号, 项目名称
    return lambda row, line: row[at]


class _TypeSheetWriter:
    """One type sheet and its detail sheets, written a row at a time as rows arrive."""

    def __init__(self, book: WorkbookWriter, sheet_def: TypeSheet, catalog: Catalog):
        columns = sheet_def.columns
        self.sheet = book.sheet(sheet_def.name, columns)
        # Cells that are selected columns come in one C-level pick; the others (picked
        # from the NULL column) are then computed in place. Per-cell Python calls are
        # what an export spends beyond xlsxwriter's own work.
        assert len(columns) > 1  # so that the pick is a tuple
        self.pick = itemgetter(*(AT.get(c.key, AT["nothing"]) for c in columns))
        self.computed = [(i, get) for i, c in enumerate(columns) if (get := _computed(c, catalog))]
        self.params = _param_plans(columns)
        self.seq_at = next((i for i, c in enumerate(columns) if c.key == "seq"), None)
        self.count = 0
        self.details = [
            (d.list_key, book.sheet(d.name, d.columns), [_detail_getter(c) for c in d.columns])
            for d in sheet_def.details
        ]

    def write(self, row: Row) -> None:
        values = list(self.pick(row))
        for at, get in self.computed:
            values[at] = get(row)
        params = row[PARAMS_AT] or {}
        for at, key, cell in self.params.get(row[METHOD_AT], ()):
            value = params.get(key)
            if value is not None and value != "":
                values[at] = cell(value)
        self.count += 1
        if self.seq_at is not None:
            values[self.seq_at] = self.count
        self.sheet.row(values)
        if self.details and params:
            for list_key, detail_sheet, getters in self.details:
                for line in params.get(list_key) or ():
                    detail_sheet.row([get(row, line) for get in getters])

    def finish(self) -> None:
        self.sheet.filter_all()
        for _key, detail_sheet, _getters in self.details:
            detail_sheet.filter_all()


def _write_types(
    book: WorkbookWriter,
    session: Session,
    layout: Layout,
    base: Select[Any],
    catalog: Catalog,
    district_totals: dict[int, Totals],
) -> list[tuple[TypeSheet, Totals]]:
    """Every type sheet, filled by one pass over one query (xlsxwriter keeps a file per
    sheet, so rows may go to any sheet, each sheet's rows top to bottom)."""
    writers = {s.type_code: _TypeSheetWriter(book, s, catalog) for s in layout.type_sheets}
    type_at, district_at = AT["type_code"], AT["district_id"]
    total_at, env_at = AT["total_investment"], AT["env_investment"]
    expected_of = itemgetter(*(AT[k] for k in EXPECTED_KEYS))
    # Totals per (type, district), one addition per row; summed both ways at the end.
    totals: dict[tuple[str, int], Totals] = {}
    # Core rows straight off the connection: no ORM objects and no per-row ORM processing.
    for row in session.connection().execute(_rows_query(base, list(writers))):
        key = (row[type_at], row[district_at])
        group = totals.get(key)
        if group is None:
            group = totals[key] = Totals()
        group.add(row[total_at], row[env_at], expected_of(row))
        writers[key[0]].write(row)
    by_type = {code: Totals() for code in writers}
    for (type_code, district_id), group in totals.items():
        by_type[type_code].merge(group)
        district_totals.setdefault(district_id, Totals()).merge(group)
    for writer in writers.values():
        writer.finish()
    return [(s, by_type[s.type_code]) for s in layout.type_sheets]


# --- the summary -----------------------------------------------------------------------


def _summary_row(label: str, code: str, totals: Totals, shown: Iterable[str]) -> dict:
    codes = set(shown)
    row: dict[str, Any] = {
        "label": label,
        "code": code,
        "count": totals.count,
        "total_investment": totals.total_investment,
        "env_investment": totals.env_investment,
    }
    for pollutant, value in zip(POLLUTANTS, totals.expected, strict=True):
        row[pollutant.column] = value if pollutant.code in codes else None
    return row


def _write_summary(
    sheet: SheetWriter,
    layout: Layout,
    by_type: list[tuple[TypeSheet, Totals]],
    districts: list[Region],
    district_totals: dict[int, Totals],
) -> None:
    every = [p.code for p in POLLUTANTS]

    def append(values: dict) -> None:
        sheet.row([values.get(c.key) for c in layout.summary_columns])

    grand = Totals()
    for sheet_def, totals in by_type:
        etype = sheet_def.engineering_type
        append(_summary_row(etype.name_zh, etype.code, totals, etype.pollutants))
        grand.merge(totals)
    append(_summary_row(layout.summary_total_label, "", grand, every))
    sheet.skip()
    sheet.header(first=layout.summary_district_header)
    for district in districts:
        totals = district_totals.get(district.id, Totals())
        append(_summary_row(district.name, district.division_code, totals, every))


# --- the workbook ----------------------------------------------------------------------


def fill_plan_list(
    book: WorkbookWriter,
    session: Session,
    user: User,
    year: int,
    statuses: Iterable[PlanStatus],
    *,
    catalog: Catalog | None = None,
) -> int:
    """Write the year's plan list visible to ``user`` into ``book``; return the project
    count. (Separate from :func:`write_plan_list` so the bench can count the rows.)"""
    catalog = catalog or get_catalog()
    layout = get_layout(catalog)
    base = visible_projects(user).where(
        Project.plan_year == year, Project.plan_status.in_(list(statuses))
    )
    districts = list(
        session.scalars(
            visible_regions(user)
            .where(Region.kind == RegionKind.DISTRICT)
            .order_by(Region.division_code)
        )
    )
    summary = book.sheet(layout.summary_name, layout.summary_columns)
    district_totals: dict[int, Totals] = {}
    by_type = _write_types(book, session, layout, base, catalog, district_totals)
    _write_summary(summary, layout, by_type, districts, district_totals)
    return sum(totals.count for _s, totals in by_type)


def write_plan_list(
    session: Session,
    user: User,
    year: int,
    statuses: Iterable[PlanStatus],
    out: IO[bytes],
    *,
    catalog: Catalog | None = None,
) -> int:
    """Write the year's plan list visible to ``user`` into ``out``; return the project count."""
    with WorkbookWriter(out) as book:
        return fill_plan_list(book, session, user, year, statuses, catalog=catalog)


def write_template(out: IO[bytes], *, catalog: Catalog | None = None) -> None:
    """The import template: every type sheet and detail sheet, headers only."""
    with WorkbookWriter(out) as book:
        for sheet_def in get_layout(catalog or get_catalog()).type_sheets:
            book.sheet(sheet_def.name, sheet_def.columns).filter_all()
            for detail in sheet_def.details:
                book.sheet(detail.name, detail.columns).filter_all()

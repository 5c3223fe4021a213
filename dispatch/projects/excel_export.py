"""Writing the plan-list workbook (重点减排工程计划清单, national-export.md §1).

The workbook is written with openpyxl's write-only mode: each type's projects stream from
one scoped query straight into its sheet (and the list-parameter lines into the type's
detail sheet), and only the summary's running totals are kept. The summary sheet is
created first, so it is the first tab, and filled last. Cell values depend on the data
only: numbers stay numbers (Decimal, written with 16 significant digits), dates are
real Excel dates, codes are text.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import IO, Any

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import Select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.strategy_options import Load

from dispatch.access import visible_projects, visible_regions
from dispatch.core.catalog import POLLUTANTS, Catalog, ParamDef, get_catalog
from dispatch.projects.excel_layout import Column, DetailSheet, Layout, TypeSheet, get_layout
from models import PlanStatus, Project, Region, RegionKind, User

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FONT = Font(bold=True)
# Rows fetched per round trip while streaming one type's projects.
BATCH = 500


@dataclasses.dataclass
class Totals:
    """Count, investments and expected reductions of a group of projects."""

    count: int = 0
    total_investment: Decimal = Decimal(0)
    env_investment: Decimal = Decimal(0)
    expected: dict[str, Decimal] = dataclasses.field(
        default_factory=lambda: dict.fromkeys(POLLUTANTS, Decimal(0))
    )

    def add(self, project: Project) -> None:
        self.count += 1
        self.total_investment += project.total_investment
        self.env_investment += project.env_investment
        for pollutant in POLLUTANTS:
            self.expected[pollutant] += project.expected(pollutant) or Decimal(0)


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value))


def param_cell(param: ParamDef, value: Any) -> Any:
    """A stored parameter value as the cell holds it: numbers, or the choice's label."""
    if value is None or value == "":
        return None
    if param.kind == "integer":
        return int(Decimal(str(value)))
    if param.kind == "decimal":
        return _decimal(value)
    if param.kind == "choice":
        return dict(param.choices).get(str(value), str(value))
    return str(value)


def project_value(project: Project, column: Column, catalog: Catalog, seq: int) -> Any:
    """The cell of ``column`` for ``project`` on its type sheet."""
    key = column.key
    if column.is_param:
        param = column.param_for(project.method)
        return None if param is None else param_cell(param, project.params.get(param.key))
    enterprise = project.enterprise
    match key:
        case "seq":
            return seq
        case "district_name":
            return project.district.name
        case "division_code":
            return project.district.division_code
        case "owner":
            return project.owner_name
        case "uscc":
            return enterprise.uscc if enterprise is not None else None
        case "permit_number":
            return (enterprise.permit_number or None) if enterprise is not None else None
        case "method":
            return catalog.method(project.method).name_zh
        case "construction_status":
            return project.construction_status.label
        case _ if column.pollutant is not None:
            return project.expected(column.pollutant)
    value = getattr(project, key)
    return value if value != "" else None


def _cell(sheet: Any, value: Any, column: Column) -> Any:
    if value is None:
        return None
    cell = WriteOnlyCell(sheet, value=value)
    if column.number_format != "General":
        cell.number_format = column.number_format
    return cell


def _header(sheet: Any, columns: Iterable[Column], first: str | None = None) -> None:
    cells = []
    for index, column in enumerate(columns):
        cell = WriteOnlyCell(sheet, value=first if first and index == 0 else column.header)
        cell.font = HEADER_FONT
        cells.append(cell)
    sheet.append(cells)


def _start_sheet(workbook: Any, title: str, columns: tuple[Column, ...]) -> Any:
    """A sheet with widths, a frozen header row and the header written."""
    sheet = workbook.create_sheet(title)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    _header(sheet, columns)
    return sheet


def _finish_sheet(sheet: Any, columns: tuple[Column, ...], rows: int) -> None:
    # The filter covers the data too (Excel filters only rows inside the range).
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{rows + 1}"


def _detail_rows(detail: DetailSheet, project: Project) -> Iterator[list[Any]]:
    for line in project.params.get(detail.list_key) or ():
        row = []
        for column in detail.columns:
            if column.field_def is not None:
                row.append(param_cell(column.field_def, line.get(column.field_def.key)))
            else:
                row.append(project.code if column.key == "code" else project.name)
        yield row


def _type_query(base: Select[tuple[Project]], type_code: str) -> Select[tuple[Project]]:
    loads: list[Load] = [joinedload(Project.district), joinedload(Project.enterprise)]
    return (
        base.where(Project.type_code == type_code)
        .options(*loads)
        .order_by(Project.code)
        .execution_options(yield_per=BATCH)
    )


def _write_type(
    workbook: Any,
    session: Session,
    sheet_def: TypeSheet,
    projects: Select[tuple[Project]] | None,
    catalog: Catalog,
    district_totals: dict[int, Totals],
) -> Totals:
    sheet = _start_sheet(workbook, sheet_def.name, sheet_def.columns)
    details = [(d, _start_sheet(workbook, d.name, d.columns), [0]) for d in sheet_def.details]
    totals = Totals()
    if projects is not None:
        for project in session.scalars(_type_query(projects, sheet_def.type_code)):
            totals.add(project)
            district_totals.setdefault(project.district_id, Totals()).add(project)
            sheet.append(
                [
                    _cell(sheet, project_value(project, c, catalog, totals.count), c)
                    for c in sheet_def.columns
                ]
            )
            for detail, detail_sheet, count in details:
                for line in _detail_rows(detail, project):
                    detail_sheet.append(
                        [
                            _cell(detail_sheet, v, c)
                            for v, c in zip(line, detail.columns, strict=True)
                        ]
                    )
                    count[0] += 1
            session.expunge(project)
    _finish_sheet(sheet, sheet_def.columns, totals.count)
    for detail, detail_sheet, count in details:
        _finish_sheet(detail_sheet, detail.columns, count[0])
    return totals


def _summary_row(label: str, code: str, totals: Totals, pollutants: Iterable[str]) -> dict:
    shown = set(pollutants)
    row: dict[str, Any] = {
        "label": label,
        "code": code,
        "count": totals.count,
        "total_investment": totals.total_investment,
        "env_investment": totals.env_investment,
    }
    for pollutant, value in totals.expected.items():
        row[f"expected_{pollutant.lower()}"] = value if pollutant in shown else None
    return row


def _write_summary(
    sheet: Any,
    layout: Layout,
    by_type: list[tuple[TypeSheet, Totals]],
    districts: list[Region],
    district_totals: dict[int, Totals],
) -> None:
    columns = layout.summary_columns

    def append(values: dict) -> None:
        sheet.append([_cell(sheet, values.get(c.key), c) for c in columns])

    grand = Totals()
    for sheet_def, totals in by_type:
        etype = sheet_def.engineering_type
        append(_summary_row(etype.name_zh, etype.code, totals, etype.pollutants))
        grand.count += totals.count
        grand.total_investment += totals.total_investment
        grand.env_investment += totals.env_investment
        for pollutant, value in totals.expected.items():
            grand.expected[pollutant] += value
    append(_summary_row(layout.summary_total_label, "", grand, POLLUTANTS))
    sheet.append([])
    _header(sheet, columns, first=layout.summary_district_header)
    for district in districts:
        totals = district_totals.get(district.id, Totals())
        append(_summary_row(district.name, district.division_code, totals, POLLUTANTS))


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
    workbook = openpyxl.Workbook(write_only=True)
    summary = _start_sheet(workbook, layout.summary_name, layout.summary_columns)
    district_totals: dict[int, Totals] = {}
    by_type = [
        (s, _write_type(workbook, session, s, base, catalog, district_totals))
        for s in layout.type_sheets
    ]
    _write_summary(summary, layout, by_type, districts, district_totals)
    workbook.save(out)
    return sum(totals.count for _s, totals in by_type)


def write_template(out: IO[bytes], *, catalog: Catalog | None = None) -> None:
    """The import template: every type sheet and detail sheet, headers only."""
    catalog = catalog or get_catalog()
    workbook = openpyxl.Workbook(write_only=True)
    for sheet_def in get_layout(catalog).type_sheets:
        sheet = _start_sheet(workbook, sheet_def.name, sheet_def.columns)
        _finish_sheet(sheet, sheet_def.columns, 0)
        for detail in sheet_def.details:
            detail_sheet = _start_sheet(workbook, detail.name, detail.columns)
            _finish_sheet(detail_sheet, detail.columns, 0)
    workbook.save(out)

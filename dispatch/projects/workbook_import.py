"""Import of the plan-list workbook: the export's own format, all rows or none.

Sheets are recognised by name: ``汇总`` is skipped, a type sheet is known by the type code
its name starts with, a detail sheet (``明细_A4``) holds list-parameter lines linked to
their project by 项目编号. Columns are matched by header text (plan_list_layout.yaml).
Every row goes through :func:`dispatch.projects.data.validate_project` (the web form's
rules) plus the import's own checks: division code of a district in the importer's scope,
credit code of an enterprise in that scope, no duplicate name in a district and year
(within the file or against the database). Regions and enterprises are looked up through
the scoped selects, so a code outside the importer's scope reads exactly like an unknown
one ("不存在或不在本辖区") and the report never names another district's region or
enterprise. Every problem becomes a ``CellError`` (sheet, row as Excel numbers it, column
header, Chinese reason); one problem and nothing is written.

序号 and 项目编号 are not imported (codes are generated); 项目编号 only links a row to
its detail lines. 所在区县 must agree with the division code; 排污许可证编号 and the
expected reductions are the enterprise's and the accounting's, so they are not read.
Imported projects start as drafts.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import Select, select, tuple_
from sqlalchemy.orm import Session

from dispatch.access import visible_enterprises, visible_regions
from dispatch.audit import Acting
from dispatch.clock import CHINA_TZ
from dispatch.core import inputs
from dispatch.core.catalog import Catalog, get_catalog
from dispatch.projects import services
from dispatch.projects.data import CleanProject, ProjectInput, validate_project
from dispatch.projects.workbook_layout import DetailSheet, FieldColumn, TypeSheet, get_layout
from dispatch.projects.workbook_read import Parsed, read_workbook
from dispatch.workbooks.importer import IN_CHUNK, SheetRow, chunked, record_imported
from models import ConstructionStatus, Enterprise, Project, Region, RegionKind, User, is_valid_uscc

LIST_PATH_RE = re.compile(r"^(\w+)\[(\d+)\]\.(\w+)$")
# validate_project's field → the layout column reporting it.
FIELD_COLUMNS = {
    "name": "name", "method": "method", "plan_year": "plan_year", "district": "division_code",
    "enterprise": "uscc", "owner_unit": "owner", "site_address": "site_address",
    "longitude": "longitude", "latitude": "latitude", "planned_start": "planned_start",
    "planned_completion": "planned_completion", "total_investment": "total_investment",
    "env_investment": "env_investment", "contact_name": "contact_name",
    "contact_phone": "contact_phone", "notes": "notes",
    "construction_status": "construction_status", "type_code": "method",
    "actual_start": "actual_start", "actual_completion": "actual_completion",
    "stable_operation_from": "stable_operation_from",
}  # fmt: skip
STATUS_BY_LABEL = {status.label: status.value for status in ConstructionStatus}


# --- checking -------------------------------------------------------------------------


class _Checker:
    """Turns parsed rows into clean projects, collecting every error."""

    def __init__(
        self, session: Session, user: User, parsed: Parsed, catalog: Catalog, today: dt.date
    ):
        self.session, self.user, self.parsed, self.catalog = session, user, parsed, catalog
        self.today = today
        self.reading = parsed.reading
        codes = {row.text(s.column("division_code").header) for s, row in parsed.rows}
        self.regions = self._load(visible_regions(user), Region.division_code, codes)
        uscc = {row.text(s.column("uscc").header).upper() for s, row in parsed.rows}
        self.enterprises = self._load(visible_enterprises(user), Enterprise.uscc, uscc)
        self.methods = {m.name_zh: k for k, m in catalog.methods.items()} | {
            k: k for k in catalog.methods
        }
        self.names: dict[tuple[int, int, str], SheetRow] = {}
        self.lines = self._link_lines()
        self.taken = self._taken_names()

    def _load(self, scoped: Select[Any], column: Any, values: set[str]) -> dict[str, Any]:
        """The objects of ``scoped`` (a scoped select) whose ``column`` is one of ``values``;
        what is out of scope is simply not found."""
        found: dict[str, Any] = {}
        for chunk in chunked(v for v in values if v):
            for obj in self.session.scalars(scoped.where(column.in_(chunk))):
                found[getattr(obj, column.key)] = obj
        return found

    def _taken_names(self) -> set[tuple[int, int, str]]:
        keys = {k for k in (self._name_key(s, r) for s, r in self.parsed.rows) if k}
        taken: set[tuple[int, int, str]] = set()
        # Three bound parameters per name: keep a statement under SQLite's oldest limit (999).
        for chunk in chunked(keys, IN_CHUNK // 3):
            stmt = select(Project.district_id, Project.plan_year, Project.name).where(
                tuple_(Project.district_id, Project.plan_year, Project.name).in_(chunk)
            )
            taken.update(tuple(row) for row in self.session.execute(stmt))
        return taken

    def _name_key(self, sheet_def: TypeSheet, row: SheetRow) -> tuple[int, int, str] | None:
        region = self.regions.get(row.text(sheet_def.column("division_code").header))
        # ASCII digits only: "²" passes str.isdigit() and then fails int().
        year = inputs.parse_id(row.text(sheet_def.column("plan_year").header))
        name = row.text(sheet_def.column("name").header)
        if region is None or year is None or year > 9999 or not name:
            return None
        return (region.id, year, name)

    def add(self, row: SheetRow, column: str, message: str) -> None:
        self.reading.add_at(row, column, message)

    def _link_lines(self) -> dict[tuple[DetailSheet, str], list[SheetRow]]:
        """Detail lines by (detail sheet, 项目编号), after checking every code links."""
        codes_of: dict[str, set[str]] = {}
        for sheet_def, row in self.parsed.rows:
            codes_of.setdefault(sheet_def.type_code, set()).add(
                row.text(sheet_def.column("code").header)
            )
        linked: dict[tuple[DetailSheet, str], list[SheetRow]] = {}
        for detail, rows in self.parsed.lines.items():
            header = detail.column("code").header
            for row in rows:
                code = row.text(header)
                if not code:
                    self.add(row, header, "项目编号不能为空：用于对应工程类型工作表中的项目")
                elif code not in codes_of.get(detail.type_code, set()):
                    message = f"项目编号“{inputs.shown(code)}”在 {detail.type_code} 工作表中不存在"
                    self.add(row, header, message)
                else:
                    linked.setdefault((detail, code), []).append(row)
        return linked

    # --- one row ------------------------------------------------------------------------

    def check(self) -> list[CleanProject]:
        seen_codes: dict[tuple[str, str], SheetRow] = {}
        cleans = []
        for sheet_def, row in self.parsed.rows:
            code = row.text(sheet_def.column("code").header)
            if sheet_def.details and code:
                first = seen_codes.setdefault((sheet_def.type_code, code), row)
                if first is not row:
                    message = (
                        f"项目编号“{inputs.shown(code)}”与第 {first.row} 行重复，无法对应明细行"
                    )
                    self.add(row, sheet_def.column("code").header, message)
            clean = self._row(sheet_def, row)
            if clean is not None:
                cleans.append(clean)
        return cleans

    def _region(self, sheet_def: TypeSheet, row: SheetRow, flagged: set[str]) -> Region | None:
        header = sheet_def.column("division_code").header
        code = row.text(header)
        region = self.regions.get(code)
        problem = None
        if not code:
            problem = "行政区划代码不能为空"
        elif region is None:
            problem = f"行政区划代码 {inputs.shown(code)} 不存在或不在本辖区"
        elif region.kind != RegionKind.DISTRICT:
            problem = f"行政区划代码 {code}（{region.name}）不是区县级区划"
        if problem:
            self.add(row, header, problem)
            flagged.add("district")
            return None
        name_header = sheet_def.column("district_name").header
        shown = row.text(name_header)
        if shown and shown != region.name:
            message = f"所在区县“{inputs.shown(shown)}”与行政区划代码 {code}（{region.name}）不一致"
            self.add(row, name_header, message)
        return region

    def _enterprise(
        self, sheet_def: TypeSheet, row: SheetRow, flagged: set[str]
    ) -> Enterprise | None:
        header = sheet_def.column("uscc").header
        code = row.text(header).upper()
        if not code:
            return None
        if not is_valid_uscc(code):
            problem = f"统一社会信用代码“{code[:40]}”无效：应为 18 位，且校验位符合 GB 32100-2015"
        elif code not in self.enterprises:
            problem = f"统一社会信用代码 {code} 不存在或不在本辖区：须为本辖区已录入的企业"
        else:
            return self.enterprises[code]
        self.add(row, header, problem)
        flagged.add("enterprise")
        return None

    def _params(self, sheet_def: TypeSheet, row: SheetRow, method: str) -> dict[str, Any]:
        name = self.catalog.method(method).name_zh
        params: dict[str, Any] = {}
        for column in sheet_def.param_columns:
            param = column.param_for(method)
            if param is None:
                if row.text(column.header):
                    self.add(row, column.header, f"该列不适用于核算方法“{name}”，请留空")
                continue
            value = row.raw(column.header)
            params[param.key] = None if value == "" else value
        code = row.text(sheet_def.column("code").header)
        for detail in sheet_def.details:
            if method in detail.methods:
                lines = self.lines.get((detail, code), []) if code else []
                params[detail.list_key] = [_line(detail, line) for line in lines]
        return params

    def _row(self, sheet_def: TypeSheet, row: SheetRow) -> CleanProject | None:
        header = {c.key: c.header for c in sheet_def.columns}
        flagged: set[str] = set()
        before = len(self.reading.errors)
        region = self._region(sheet_def, row, flagged)
        enterprise = self._enterprise(sheet_def, row, flagged)
        method_text = row.text(header["method"])
        method = self.methods.get(method_text, method_text)
        if not method_text:
            self.add(row, header["method"], "核算方法不能为空")
            flagged.add("method")
        status = row.text(header["construction_status"])
        raw = ProjectInput(
            name=row.raw(header["name"]),
            type_code=sheet_def.type_code,
            method=method,
            plan_year=row.raw(header["plan_year"]),
            district=region,
            enterprise=enterprise,
            owner_unit="" if enterprise is not None else row.raw(header["owner"]) or "",
            site_address=row.raw(header["site_address"]) or "",
            longitude=row.raw(header["longitude"]),
            latitude=row.raw(header["latitude"]),
            planned_start=row.raw(header["planned_start"]),
            planned_completion=row.raw(header["planned_completion"]),
            total_investment=row.raw(header["total_investment"]),
            env_investment=row.raw(header["env_investment"]),
            contact_name=row.raw(header.get("contact_name", "")) or "",
            contact_phone=row.raw(header.get("contact_phone", "")) or "",
            notes=row.raw(header.get("notes", "")) or "",
            construction_status=STATUS_BY_LABEL.get(status, status) or "not_started",
            actual_start=row.raw(header.get("actual_start", "")),
            actual_completion=row.raw(header.get("actual_completion", "")),
            stable_operation_from=row.raw(header.get("stable_operation_from", "")),
            params=(
                self._params(sheet_def, row, method)
                if method in sheet_def.engineering_type.methods
                else {}
            ),
        )
        clean, errors = validate_project(self.catalog, raw, today=self.today)
        for field, messages in errors.items():
            if field in flagged:
                continue
            for message in messages:
                self._field_error(sheet_def, row, method, field, message)
        self._check_name(sheet_def, row)
        return clean if len(self.reading.errors) == before else None

    def _field_error(
        self, sheet_def: TypeSheet, row: SheetRow, method: str, field: str, message: str
    ) -> None:
        if not field.startswith("param:"):
            key = FIELD_COLUMNS.get(field, "method")
            self.add(row, sheet_def.column(key).header, message)
            return
        path = field.removeprefix("param:")
        code = row.text(sheet_def.column("code").header)
        match = LIST_PATH_RE.match(path)
        if match is not None:
            list_key, index, field_key = match.group(1), int(match.group(2)), match.group(3)
            detail = sheet_def.detail_for(method, list_key)
            lines = self.lines.get((detail, code), []) if detail else []
            if detail is not None and index < len(lines):
                self.add(lines[index], detail.field_header(field_key), message)
                return
        detail = sheet_def.detail_for(method, path.split("[", 1)[0])
        if detail is not None:
            where = (
                f"（明细表“{detail.name}”中项目编号为“{inputs.shown(code)}”的行）"
                if code
                else "（请填写项目编号并在明细表中填写对应行）"
            )
            self.add(row, sheet_def.column("code").header, message + where)
            return
        column = sheet_def.param_header(method, path) or sheet_def.column("method").header
        self.add(row, column, message)

    def _check_name(self, sheet_def: TypeSheet, row: SheetRow) -> None:
        key = self._name_key(sheet_def, row)
        if key is None:
            return
        header = sheet_def.column("name").header
        region = self.regions[row.text(sheet_def.column("division_code").header)]
        first = self.names.setdefault(key, row)
        if first is not row:
            message = (
                f"与工作表“{first.sheet}”第 {first.row} 行重名："
                f"{region.name}{key[1]}年的项目名称不能重复"
            )
            self.add(row, header, message)
        elif key in self.taken:
            self.add(row, header, f"{region.name}{key[1]}年已有同名项目“{key[2]}”")


def _line(detail: DetailSheet, line: SheetRow) -> dict[str, Any]:
    values = {}
    for column in detail.columns:
        if isinstance(column, FieldColumn) and column.field_def is not None:
            value = line.raw(column.header)
            values[column.field_def.key] = None if value == "" else value
    return values


def check_workbook(
    session: Session, user: User, data: bytes, *, today: dt.date, catalog: Catalog | None = None
) -> tuple[list[CleanProject], Parsed]:
    """The clean projects of the workbook, or ``Rejected`` with every error.

    ``today`` (the importer's Beijing date) bounds the actual dates, as on the form.
    """
    catalog = catalog or get_catalog()
    parsed = read_workbook(data, get_layout(catalog))
    cleans = _Checker(session, user, parsed, catalog, today).check()
    parsed.reading.raise_if_errors()
    return cleans, parsed


def import_plan_list(
    session: Session, acting: Acting, data: bytes, filename: str = ""
) -> list[Project]:
    """Create every project of the workbook as a draft, or none (``Rejected``)."""
    today = acting.at.astimezone(CHINA_TZ).date()
    cleans, parsed = check_workbook(session, acting.actor, data, today=today)
    created = [services.create_project(session, acting, clean, action="import") for clean in cleans]
    years = sorted({p.plan_year for p in created})
    details = {"rows": len(created), "years": years, "codes": [p.code for p in created][:50]}
    record_imported(session, acting, parsed.reading.spec, filename, details)
    return created

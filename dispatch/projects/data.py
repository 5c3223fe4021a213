"""Validation of a project's fields (common fields + catalog-defined parameters).

The same rules serve the web form, the Excel import and change requests, so a value is
accepted or refused identically wherever it enters. Errors are collected, not raised one
by one, and each names its field in Chinese.

Hostile input is refused with the shared rules of :mod:`dispatch.core.inputs`: text is
clean (no control, direction or, in names, invisible characters) and no longer than its
column (``TEXT_LIMITS``); numbers are ASCII decimals with the digits of their column;
dates fall in a window: planned dates from ``PLANNED_YEARS_BEFORE`` years before the plan
year to ``PLANNED_YEARS_AFTER`` years after it (a plan may carry on work begun a few
years earlier and runs at most a decade), actual dates from 2000 to tomorrow (the
caller's Beijing date, so a progress entered just after midnight elsewhere still passes).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from dispatch.core import inputs
from dispatch.core.accounting import AccountingResult, AccountingValidationError, compute
from dispatch.core.catalog import Catalog, CatalogError
from dispatch.core.checker import Checker, Errors, as_text
from dispatch.core.construction import ConstructionState, date_errors
from models import ConstructionStatus, Enterprise, Region, RegionKind

LON_RANGE = (Decimal(73), Decimal(136))
LAT_RANGE = (Decimal(3), Decimal(54))
MAX_MONEY = Decimal("999999999999")
YEAR_RANGE = (2000, 2100)
PLANNED_YEARS_BEFORE = 5
PLANNED_YEARS_AFTER = 10
# Column sizes (models.projects): what a form, an import cell or a change may hold.
TEXT_LIMITS = {
    "name": 200,
    "owner_unit": 128,
    "site_address": 255,
    "contact_name": 64,
    "notes": 2000,
}
# Names of people and organisations: invisible characters would make look-alikes.
IDENTIFIERS = frozenset({"name", "owner_unit", "contact_name"})
# (digits, decimals) of the Numeric columns.
COORDINATE_DIGITS = (9, 6)
MONEY_DIGITS = (14, 2)

# Field keys used for errors; parameters are "param:<key>".
FIELD_LABELS = {
    "name": "项目名称",
    "type_code": "工程类型",
    "method": "核算方法",
    "plan_year": "计划年度",
    "district": "所在区县",
    "enterprise": "建设单位",
    "owner_unit": "建设单位（非企业）",
    "site_address": "建设地点",
    "longitude": "经度",
    "latitude": "纬度",
    "planned_start": "计划开工日期",
    "planned_completion": "计划完工日期",
    "total_investment": "总投资（万元）",
    "env_investment": "环保投资（万元）",
    "contact_name": "联系人",
    "contact_phone": "联系电话",
    "notes": "备注",
    "construction_status": "建设状态",
    "actual_start": "实际开工日期",
    "actual_completion": "实际完工日期",
    "stable_operation_from": "稳定运行日期",
}


@dataclasses.dataclass
class ProjectInput:
    """Raw values as they arrive from a form or a workbook row (strings, dates, numbers)."""

    name: Any = None
    type_code: Any = None
    method: Any = None
    plan_year: Any = None
    district: Region | None = None
    enterprise: Enterprise | None = None
    owner_unit: Any = ""
    site_address: Any = ""
    longitude: Any = None
    latitude: Any = None
    planned_start: Any = None
    planned_completion: Any = None
    total_investment: Any = None
    env_investment: Any = None
    contact_name: Any = ""
    contact_phone: Any = ""
    notes: Any = ""
    construction_status: Any = ConstructionStatus.NOT_STARTED.value
    params: dict[str, Any] = dataclasses.field(default_factory=dict)
    actual_start: Any = None
    actual_completion: Any = None
    stable_operation_from: Any = None


@dataclasses.dataclass
class CleanProject:
    """Validated values, ready to be written to a Project."""

    name: str
    type_code: str
    method: str
    plan_year: int
    district: Region
    enterprise: Enterprise | None
    owner_unit: str
    site_address: str
    longitude: Decimal
    latitude: Decimal
    planned_start: dt.date
    planned_completion: dt.date
    total_investment: Decimal
    env_investment: Decimal
    contact_name: str
    contact_phone: str
    notes: str
    construction_status: ConstructionStatus
    params: dict[str, Any]
    result: AccountingResult
    actual_start: dt.date | None = None
    actual_completion: dt.date | None = None
    stable_operation_from: dt.date | None = None


def planned_window(plan_year: int | None) -> tuple[dt.date, dt.date]:
    """The dates a plan of ``plan_year`` may give as planned start and completion."""
    if plan_year is None:
        return inputs.EARLIEST_DATE, inputs.LATEST_DATE
    return (
        dt.date(plan_year - PLANNED_YEARS_BEFORE, 1, 1),
        dt.date(plan_year + PLANNED_YEARS_AFTER, 12, 31),
    )


def actual_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """The dates an actual start, completion or stable operation may have: none in the
    future beyond tomorrow (a Beijing date; a day's grace for time zones and midnight)."""
    return inputs.EARLIEST_DATE, today + dt.timedelta(days=1)


_text = as_text


def _decimal(
    errors: Errors, field: str, value: Any, digits: tuple[int, int], *, required: bool = True
) -> Decimal | None:
    return Checker(FIELD_LABELS, errors).decimal(field, value, digits, required=required)


def _date(
    errors: Errors,
    field: str,
    value: Any,
    window: tuple[dt.date, dt.date],
    *,
    required: bool = True,
) -> dt.date | None:
    return Checker(FIELD_LABELS, errors).date(field, value, window, required=required)


def _limited(errors: Errors, field: str, value: Any, *, required: bool) -> str:
    return Checker(FIELD_LABELS, errors).text(
        field,
        value,
        max_length=TEXT_LIMITS[field],
        required=required,
        multiline=field == "notes",
        identifier=field in IDENTIFIERS,
    )


def _plan_year(errors: Errors, value: Any) -> int | None:
    low, high = YEAR_RANGE
    try:
        return inputs.parse_int(_text(value), FIELD_LABELS["plan_year"], minimum=low, maximum=high)
    except inputs.InputError:
        errors.add(
            "plan_year",
            f"计划年度应为 {low} 至 {high} 之间的年份，当前为“{inputs.shown(_text(value))}”",
        )
        return None


def _phone(errors: Errors, value: Any) -> str:
    try:
        return inputs.check_phone(_text(value), FIELD_LABELS["contact_phone"])
    except inputs.InputError as exc:
        errors.add("contact_phone", exc.message)
        return ""


def validate_project(
    catalog: Catalog, raw: ProjectInput, *, today: dt.date
) -> tuple[CleanProject | None, Errors]:
    """Check every field; return the clean values or the errors (never both).

    ``today`` is the caller's Beijing date (from the app clock or the acting moment):
    actual dates may not be later than the day after it.
    """
    errors = Errors()
    name = _limited(errors, "name", raw.name, required=True)
    type_code = _text(raw.type_code).upper()
    method = _text(raw.method)
    etype = None
    try:
        etype = catalog.type(type_code)
    except CatalogError:
        errors.add("type_code", f"工程类型“{inputs.shown(type_code)}”不存在")
    if etype is not None and method not in etype.methods:
        allowed = "、".join(f"{m}（{catalog.method(m).name_zh}）" for m in etype.methods)
        shown = inputs.shown(method)
        errors.add("method", f"核算方法“{shown}”不适用于 {type_code}，可选：{allowed}")

    year = _plan_year(errors, raw.plan_year)

    district = raw.district
    if district is None or district.kind != RegionKind.DISTRICT:
        errors.add("district", "所在区县不能为空，且必须是区县级区划")
    enterprise = raw.enterprise
    owner_unit = _limited(errors, "owner_unit", raw.owner_unit, required=False)
    if enterprise is not None and district is not None and enterprise.district_id != district.id:
        errors.add("enterprise", f"建设单位“{enterprise.name}”不属于{district.name}")
    if enterprise is None and not owner_unit:
        errors.add("owner_unit", "未选择企业时，须填写建设单位（如政府部门、街道办）")

    site_address = _limited(errors, "site_address", raw.site_address, required=True)
    lon = _decimal(errors, "longitude", raw.longitude, COORDINATE_DIGITS)
    lat = _decimal(errors, "latitude", raw.latitude, COORDINATE_DIGITS)
    if lon is not None and not LON_RANGE[0] <= lon <= LON_RANGE[1]:
        errors.add("longitude", "经度应在 73 至 136 之间（中国境内，WGS-84）")
    if lat is not None and not LAT_RANGE[0] <= lat <= LAT_RANGE[1]:
        errors.add("latitude", "纬度应在 3 至 54 之间（中国境内，WGS-84）")

    planned = planned_window(year)
    start = _date(errors, "planned_start", raw.planned_start, planned)
    end = _date(errors, "planned_completion", raw.planned_completion, planned)
    if start and end and end < start:
        errors.add("planned_completion", "计划完工日期不能早于计划开工日期")

    total = _decimal(errors, "total_investment", raw.total_investment, MONEY_DIGITS)
    env = _decimal(errors, "env_investment", raw.env_investment, MONEY_DIGITS)
    for field, value in (("total_investment", total), ("env_investment", env)):
        if value is not None and not Decimal(0) <= value <= MAX_MONEY:
            errors.add(field, f"{FIELD_LABELS[field]}应为不小于 0 的金额")
    if total is not None and env is not None and env > total:
        errors.add("env_investment", "环保投资不能大于总投资")

    contact_name = _limited(errors, "contact_name", raw.contact_name, required=False)
    contact_phone = _phone(errors, raw.contact_phone)
    notes = _limited(errors, "notes", raw.notes, required=False)
    try:
        status = ConstructionStatus(_text(raw.construction_status) or "not_started")
    except ValueError:
        shown = inputs.shown(_text(raw.construction_status))
        errors.add("construction_status", f"建设状态“{shown}”无效")
        status = ConstructionStatus.NOT_STARTED

    actual = _actual_dates(errors, raw, status, actual_window(today))

    result = None
    if etype is not None and method in etype.methods:
        try:
            result = compute(method, raw.params, catalog=catalog)
        except AccountingValidationError as exc:
            for error in exc.errors:
                errors.add(f"param:{error.param}", error.message)
    if errors:
        return None, errors
    assert result is not None and district is not None and year is not None
    return (
        CleanProject(
            name=name,
            type_code=type_code,
            method=method,
            plan_year=year,
            district=district,
            enterprise=enterprise,
            owner_unit="" if enterprise is not None else owner_unit,
            site_address=site_address,
            longitude=lon,  # type: ignore[arg-type]
            latitude=lat,  # type: ignore[arg-type]
            planned_start=start,  # type: ignore[arg-type]
            planned_completion=end,  # type: ignore[arg-type]
            total_investment=total,  # type: ignore[arg-type]
            env_investment=env,  # type: ignore[arg-type]
            contact_name=contact_name,
            contact_phone=contact_phone,
            notes=notes,
            construction_status=status,
            params=result.inputs,
            result=result,
            actual_start=actual[0],
            actual_completion=actual[1],
            stable_operation_from=actual[2],
        ),
        errors,
    )


def _actual_dates(
    errors: Errors, raw: ProjectInput, status: ConstructionStatus, window: tuple[dt.date, dt.date]
) -> tuple[dt.date | None, dt.date | None, dt.date | None]:
    """Actual dates are optional, but a status that has been reached needs its date."""
    start = _date(errors, "actual_start", raw.actual_start, window, required=False)
    done = _date(errors, "actual_completion", raw.actual_completion, window, required=False)
    stable = _date(
        errors, "stable_operation_from", raw.stable_operation_from, window, required=False
    )
    # The one construction rule (dispatch.core.construction), shared with monthly reports.
    for field, message in date_errors(ConstructionState(status, start, done, stable)):
        errors.add(field, message)
    return start, done, stable

"""Validation of a project's fields (common fields + catalog-defined parameters).

The same rules serve the web form, the Excel import and change requests, so a value is
accepted or refused identically wherever it enters. Errors are collected, not raised one
by one, and each names its field in Chinese.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from dispatch.core.accounting import AccountingResult, AccountingValidationError, compute
from dispatch.core.catalog import Catalog, CatalogError
from models import ConstructionStatus, Enterprise, Region, RegionKind

LON_RANGE = (Decimal(73), Decimal(136))
LAT_RANGE = (Decimal(3), Decimal(54))
MAX_MONEY = Decimal("999999999999")

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


class Errors(dict[str, list[str]]):
    """field → messages, in the order found."""

    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _decimal(errors: Errors, field: str, value: Any, *, required: bool = True) -> Decimal | None:
    text = _text(value)
    if not text:
        if required:
            errors.add(field, f"{FIELD_LABELS[field]}不能为空")
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        errors.add(field, f"{FIELD_LABELS[field]}应为数字，当前为“{text}”")
        return None
    if not number.is_finite():
        errors.add(field, f"{FIELD_LABELS[field]}应为数字，当前为“{text}”")
        return None
    return number


def _date(errors: Errors, field: str, value: Any, *, required: bool = True) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        if required:
            errors.add(field, f"{FIELD_LABELS[field]}不能为空")
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors.add(field, f"{FIELD_LABELS[field]}应为日期（格式 YYYY-MM-DD），当前为“{text}”")
        return None


def _limited(errors: Errors, field: str, value: Any, limit: int, *, required: bool) -> str:
    text = _text(value)
    if required and not text:
        errors.add(field, f"{FIELD_LABELS[field]}不能为空")
    if len(text) > limit:
        errors.add(field, f"{FIELD_LABELS[field]}不能超过 {limit} 个字符")
    return text


def validate_project(catalog: Catalog, raw: ProjectInput) -> tuple[CleanProject | None, Errors]:
    """Check every field; return the clean values or the errors (never both)."""
    errors = Errors()
    name = _limited(errors, "name", raw.name, 200, required=True)
    type_code = _text(raw.type_code).upper()
    method = _text(raw.method)
    etype = None
    try:
        etype = catalog.type(type_code)
    except CatalogError:
        errors.add("type_code", f"工程类型“{type_code}”不存在")
    if etype is not None and method not in etype.methods:
        allowed = "、".join(f"{m}（{catalog.method(m).name_zh}）" for m in etype.methods)
        errors.add("method", f"核算方法“{method}”不适用于 {type_code}，可选：{allowed}")

    year = None
    year_text = _text(raw.plan_year)
    if not year_text.isdigit() or not 2000 <= int(year_text) <= 2100:
        errors.add("plan_year", f"计划年度应为 2000 至 2100 之间的年份，当前为“{year_text}”")
    else:
        year = int(year_text)

    district = raw.district
    if district is None or district.kind != RegionKind.DISTRICT:
        errors.add("district", "所在区县不能为空，且必须是区县级区划")
    enterprise = raw.enterprise
    owner_unit = _limited(errors, "owner_unit", raw.owner_unit, 128, required=False)
    if enterprise is not None and district is not None and enterprise.district_id != district.id:
        errors.add("enterprise", f"建设单位“{enterprise.name}”不属于{district.name}")
    if enterprise is None and not owner_unit:
        errors.add("owner_unit", "未选择企业时，须填写建设单位（如政府部门、街道办）")

    site_address = _limited(errors, "site_address", raw.site_address, 255, required=True)
    lon = _decimal(errors, "longitude", raw.longitude)
    lat = _decimal(errors, "latitude", raw.latitude)
    if lon is not None and not LON_RANGE[0] <= lon <= LON_RANGE[1]:
        errors.add("longitude", "经度应在 73 至 136 之间（中国境内，WGS-84）")
    if lat is not None and not LAT_RANGE[0] <= lat <= LAT_RANGE[1]:
        errors.add("latitude", "纬度应在 3 至 54 之间（中国境内，WGS-84）")

    start = _date(errors, "planned_start", raw.planned_start)
    end = _date(errors, "planned_completion", raw.planned_completion)
    if start and end and end < start:
        errors.add("planned_completion", "计划完工日期不能早于计划开工日期")

    total = _decimal(errors, "total_investment", raw.total_investment)
    env = _decimal(errors, "env_investment", raw.env_investment)
    for field, value in (("total_investment", total), ("env_investment", env)):
        if value is not None and not Decimal(0) <= value <= MAX_MONEY:
            errors.add(field, f"{FIELD_LABELS[field]}应为不小于 0 的金额")
    if total is not None and env is not None and env > total:
        errors.add("env_investment", "环保投资不能大于总投资")

    contact_name = _limited(errors, "contact_name", raw.contact_name, 64, required=False)
    contact_phone = _limited(errors, "contact_phone", raw.contact_phone, 32, required=False)
    notes = _limited(errors, "notes", raw.notes, 2000, required=False)
    try:
        status = ConstructionStatus(_text(raw.construction_status) or "not_started")
    except ValueError:
        errors.add("construction_status", f"建设状态“{_text(raw.construction_status)}”无效")
        status = ConstructionStatus.NOT_STARTED

    actual = _actual_dates(errors, raw, status)

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
    errors: Errors, raw: ProjectInput, status: ConstructionStatus
) -> tuple[dt.date | None, dt.date | None, dt.date | None]:
    """Actual dates are optional, but a status that has been reached needs its date."""
    start = _date(errors, "actual_start", raw.actual_start, required=False)
    done = _date(errors, "actual_completion", raw.actual_completion, required=False)
    stable = _date(errors, "stable_operation_from", raw.stable_operation_from, required=False)
    if status.rank >= ConstructionStatus.COMPLETED.rank and done is None:
        errors.add("actual_completion", f"建设状态为“{status.label}”时须填写实际完工日期")
    if status == ConstructionStatus.STABLE_OPERATION and stable is None:
        errors.add("stable_operation_from", "建设状态为“稳定运行”时须填写稳定运行日期")
    if start and done and done < start:
        errors.add("actual_completion", "实际完工日期不能早于实际开工日期")
    if done and stable and stable < done:
        errors.add("stable_operation_from", "稳定运行日期不能早于实际完工日期")
    return start, done, stable

"""Helpers of the plan-list workbook tests: projects through the services, workbooks, uploads."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from decimal import Decimal
from typing import Any

import openpyxl
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from dispatch.audit import Acting
from dispatch.core import pollutants
from dispatch.core.catalog import get_catalog
from dispatch.projects import services
from dispatch.projects.data import ProjectInput, validate_project
from dispatch.projects.samples import sample_params
from dispatch.projects.workbook_layout import get_layout
from models import Enterprise, Project, Region, User
from tests.conftest import START, post_form

CATALOG = get_catalog()
LAYOUT = get_layout()
YEAR = 2025
# Every (type, method) pair of the catalog: 18 pairs over the 14 types.
TYPE_METHODS = [(t.code, m) for t in CATALOG.types for m in t.methods]
ERROR_ROW = re.compile(
    r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", re.DOTALL
)


def project_input(
    district: Region,
    type_code: str,
    method: str,
    name: str,
    *,
    n: int = 0,
    enterprise: Enterprise | None = None,
    year: int = YEAR,
    params: dict[str, Any] | None = None,
    **fields: Any,
) -> ProjectInput:
    values: dict[str, Any] = {
        "name": name,
        "type_code": type_code,
        "method": method,
        "plan_year": year,
        "district": district,
        "enterprise": enterprise,
        "owner_unit": "" if enterprise else f"{district.name}住房和城乡建设局",
        "site_address": f"{district.name}测试路 {n + 1} 号",
        "longitude": f"{117 + n / 1000:.6f}",
        "latitude": "36.651234",
        "planned_start": dt.date(year, 3, 1) + dt.timedelta(days=n),
        "planned_completion": dt.date(year, 11, 30),
        "total_investment": f"{1000 + n * 10}.50",
        "env_investment": f"{800 + n}.25",
        "contact_name": "张三",
        "contact_phone": "0531-8888" + f"{n:04d}",
        "notes": f"第 {n} 个测试项目",
        "params": params if params is not None else sample_params(method, 1 + n % 3),
    }
    values.update(fields)
    return ProjectInput(**values)


def make_project(
    db: Session,
    app: Flask,
    actor: User,
    raw: ProjectInput,
    *,
    approver: User | None = None,
) -> Project:
    """Create (and, with an approver, submit and approve) a project through the services."""
    clean, errors = validate_project(CATALOG, raw, today=START.date())
    assert clean is not None, errors
    with app.app_context():
        acting = Acting(actor, START)
        project = services.create_project(db, acting, clean)
        if approver is not None:
            services.submit(db, acting, project, version=project.version_id)
            services.approve(db, Acting(approver, START), project, version=project.version_id)
        db.flush()
    return project


def workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def to_bytes(book: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export(client: FlaskClient, year: int = YEAR, status: str | None = None) -> bytes:
    query = f"/projects/export.xlsx?year={year}" + (f"&status={status}" if status else "")
    response = client.get(query)
    assert response.status_code == 200, response.status_code
    return response.data


def upload(client: FlaskClient, data: bytes, filename: str = "计划清单.xlsx"):  # type: ignore[no-untyped-def]
    return post_form(
        client,
        "/projects/import",
        {"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def reported_errors(page: str) -> list[tuple[str, str, str, str]]:
    """(工作表, 行, 列, 原因) of every line of the error report table."""
    table = page.split('data-testid="import-errors"', 1)
    if len(table) < 2:
        return []
    return [
        tuple(html.unescape(cell).strip() for cell in match)  # type: ignore[misc]
        for match in ERROR_ROW.findall(table[1])
    ]


def header_index(sheet: Any) -> dict[str, int]:
    return {cell.value: cell.column for cell in sheet[1] if cell.value}


def sheet_rows(sheet: Any) -> list[dict[str, Any]]:
    headers = [cell.value for cell in sheet[1]]
    return [
        dict(zip(headers, (c.value for c in row), strict=True))
        for row in sheet.iter_rows(min_row=2)
    ]


def numeric(value: Any) -> Any:
    """Parameters compared by value: Excel numbers keep no trailing zeros ("8.0" → 8)."""
    if isinstance(value, list):
        return [{k: numeric(v) for k, v in row.items()} for row in value]
    if isinstance(value, dict):
        return {k: numeric(v) for k, v in value.items()}
    if isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            return value
    return value


def snapshot(project: Project) -> dict[str, Any]:
    """Every plan field of a project (not its code, status, ids or timestamps)."""
    return {
        "name": project.name,
        "type_code": project.type_code,
        "method": project.method,
        "plan_year": project.plan_year,
        "district_id": project.district_id,
        "enterprise_id": project.enterprise_id,
        "owner_unit": project.owner_unit,
        "site_address": project.site_address,
        "longitude": project.longitude,
        "latitude": project.latitude,
        "planned_start": project.planned_start,
        "planned_completion": project.planned_completion,
        "total_investment": project.total_investment,
        "env_investment": project.env_investment,
        "contact_name": project.contact_name,
        "contact_phone": project.contact_phone,
        "notes": project.notes,
        "construction_status": project.construction_status,
        "actual_start": project.actual_start,
        "actual_completion": project.actual_completion,
        "stable_operation_from": project.stable_operation_from,
        "params": numeric(project.params),
        "expected": {code: project.expected(code) for code in pollutants.CODES},
    }

"""The plan-list import applies the form's rules to every cell: hostile cells are reported
by sheet, row and column, nothing is imported, and nothing answers 500.

Findings: ``²`` as the plan year and ``1e999999999`` in a parameter cell were 500s at the
import; the A4 material name took any length; direction controls were stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from models import Project
from tests.projects.excel_helpers import (
    LAYOUT,
    export,
    make_project,
    project_input,
    reported_errors,
    to_bytes,
    upload,
    workbook,
)

A1 = LAYOUT.type_sheet("A1")
A4 = LAYOUT.type_sheet("A4")
A4_LINES = A4.details[0]


def _set(sheet_def: Any, header: str, value: Any) -> Callable[[Any], None]:
    """A mutation: write ``value`` into the first data row's ``header`` column."""

    def mutate(book: Any) -> None:
        sheet = book[sheet_def.name]
        column = next(c.column for c in sheet[1] if c.value == header)
        sheet.cell(row=2, column=column, value=value)

    return mutate


CASES = [
    (_set(A1, A1.column("plan_year").header, "2025²"), A1.name, "计划年度", "计划年度应为"),
    (_set(A1, "标态干烟气量（Nm³/h）", "1e999999999"), A1.name, "标态干烟气量（Nm³/h）",
     "应为数字"),
    (_set(A1, "标态干烟气量（Nm³/h）", "NaN"), A1.name, "标态干烟气量（Nm³/h）", "应为数字"),
    (_set(A1, A1.column("notes").header, "备注\u202eexe"), A1.name, "备注",
     "备注不能包含文字方向控制字符（U+202E）"),
    (_set(A1, A1.column("name").header, "锅炉\u200b改造"), A1.name, "项目名称",
     "项目名称不能包含不可见字符（U+200B）"),
    (_set(A1, A1.column("contact_phone").header, "随便"), A1.name, "联系电话",
     "联系电话格式不正确"),
    (_set(A1, A1.column("planned_completion").header, dt.datetime(9999, 12, 31)), A1.name,
     "计划完工日期", "计划完工日期不能晚于 2035-12-31"),
    (_set(A1, A1.column("actual_start").header, dt.datetime(2030, 1, 1)), A1.name,
     "实际开工日期", "实际开工日期不能晚于 2025-06-03"),
    (_set(A4_LINES, A4_LINES.field_header("name"), "厂" * 300), A4_LINES.name, "材料名称",
     "材料名称过长：最多 100 个字符，当前 300 个"),
]  # fmt: skip


@pytest.fixture
def exported(db, app, client, login_as, world) -> bytes:  # type: ignore[no-untyped-def]
    """The city's export of an A1 and an A4 project, then the projects rolled back."""
    login_as("city")
    savepoint = db.begin_nested()
    for type_code, method, n in (("A1", "flue_gas", 0), ("A4", "voc_substitution", 1)):
        raw = project_input(world.district_a, type_code, method, f"甲区{type_code}项目", n=n)
        make_project(db, app, world.users["district_a"], raw, approver=world.users["city"])
    data = export(client)
    savepoint.rollback()
    db.expire_all()
    return data


@pytest.mark.parametrize(("mutate", "sheet", "column", "message"), CASES)
def test_hostile_cells_are_reported_not_imported(
    db, client, exported, mutate, sheet, column, message
):
    before = db.scalar(select(func.count()).select_from(Project))
    book = workbook(exported)
    mutate(book)

    response = upload(client, to_bytes(book))

    assert response.status_code == 200
    errors = reported_errors(response.get_data(as_text=True))
    found = [e for e in errors if e[0] == sheet and e[2] == column]
    assert any(message in e[3] for e in found), errors
    assert all(len(e[3]) < 300 for e in errors)
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Project)) == before


def test_the_untouched_export_imports(db, client, exported):
    before = db.scalar(select(func.count()).select_from(Project))
    assert upload(client, exported).status_code == 302
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Project)) == before + 2

"""Dates in a window and phone numbers of a Chinese shape.

Findings: planned dates 0001-01-01 and 9999-12-31 and actual dates in year 9999 were
accepted; contact_phone (project form, admin user) took anything.

Windows (dispatch.projects.data): planned dates from five years before the plan year to
ten after it; actual dates from 2000 to tomorrow, by the app clock's Beijing date (the
test clock stands at 2025-06-02 09:00 in Beijing).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from dispatch.core.catalog import get_catalog
from dispatch.projects.data import validate_project
from models import User
from tests.conftest import post_form
from tests.hostile.helpers import create, field_errors, project_count, project_form
from tests.projects.helpers import TODAY, project_input


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("planned_start", "0001-01-01", "计划开工日期不能早于 2020-01-01"),
        ("planned_completion", "9999-12-31", "计划完工日期不能晚于 2035-12-31"),
        ("planned_completion", "2025-02-30", "计划完工日期不是有效日期"),
        ("actual_start", "9999-12-31", "实际开工日期不能晚于 2025-06-03"),
        ("actual_start", "1999-12-31", "实际开工日期不能早于 2000-01-01"),
    ],
)
def test_dates_outside_their_window_are_refused(login_as, db, world, field, value, message):
    client = login_as("district_a")
    response = create(client, project_form(world, **{field: value}))
    assert response.status_code == 200
    assert any(message in e for e in field_errors(response.get_data(as_text=True)))
    assert project_count(db) == 0


def test_actual_dates_may_be_tomorrow_but_not_later(login_as, db, world):
    client = login_as("district_a")
    # A completed project carries its actual start too (dispatch.core.construction).
    completed = {"construction_status": "completed", "actual_start": "2025-05-01"}
    later = project_form(world, **completed, actual_completion="2025-06-04")
    response = create(client, later)
    assert response.status_code == 200
    errors = field_errors(response.get_data(as_text=True))
    assert any("实际完工日期不能晚于 2025-06-03" in e for e in errors), errors
    assert project_count(db) == 0
    tomorrow = project_form(world, **completed, actual_completion="2025-06-03")
    assert create(client, tomorrow).status_code == 302
    assert project_count(db) == 1


def test_the_import_rules_bound_dates_too(world):
    """validate_project is what the import and change requests run: the same windows."""
    raw = project_input(
        world,
        planned_start=dt.date(1, 1, 1),
        planned_completion=dt.datetime(9999, 12, 31),
        construction_status="completed",
        actual_completion="9999-12-31",
    )
    clean, errors = validate_project(get_catalog(), raw, today=TODAY)
    assert clean is None
    assert errors["planned_start"] == ["计划开工日期不能早于 2020-01-01"]
    assert errors["planned_completion"] == ["计划完工日期不能晚于 2035-12-31"]
    assert errors["actual_completion"][0] == "实际完工日期不能晚于 2025-06-03"


@pytest.mark.parametrize("phone", ["随便写写", "12345", "=1+1", "0531-86123456; DROP"])
def test_project_contact_phone_must_look_like_a_phone_number(login_as, db, world, phone):
    client = login_as("district_a")
    response = create(client, project_form(world, contact_phone=phone))
    assert response.status_code == 200
    errors = field_errors(response.get_data(as_text=True))
    assert any("联系电话格式不正确" in e for e in errors), errors
    assert project_count(db) == 0


@pytest.mark.parametrize("phone", ["13812345678", "0531-86123456", "0531-86123456转8001", ""])
def test_mobile_and_landline_numbers_are_accepted(login_as, db, world, phone):
    client = login_as("district_a")
    assert create(client, project_form(world, contact_phone=phone)).status_code == 302


def test_admin_user_phone_must_look_like_a_phone_number(login_as, db, world):
    client = login_as("admin")
    data = {
        "username": "li_si",
        "display_name": "李四",
        "phone": "call me maybe",
        "role": "district",
        "region_id": str(world.district_a.id),
        "enterprise_uscc": "",
        "password": "Another#Pass2025",
        "confirm_password": "Another#Pass2025",
    }
    response = post_form(client, "/admin/users/new", data)
    assert response.status_code == 200
    assert "联系电话格式不正确" in response.get_data(as_text=True)
    db.expire_all()
    assert db.scalar(select(User).where(User.username == "li_si")) is None

"""Numbers and ids: ASCII digits only, within the database's integer range; decimals finite
and bounded; out-of-range ids in paths are 404, in forms a message on the field.

Findings: digits that ``str.isdigit()`` accepts and ``int()`` refuses (``²``) in
plan_year, year, district, district_id, enterprise_id and version were 500s; integers
beyond 64 bits in ids and path segments overflowed SQLite (500); ``1e999999999`` in a
catalog parameter overflowed the decimal context (500) in the form and the change request;
a garbage enterprise_id silently became "no enterprise"; a bad export ``year`` said
不是有效的整数 without naming the field.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import PlanStatus, Project
from tests.conftest import post_form
from tests.hostile.helpers import alerts, create, field_errors, project_count, project_form
from tests.projects.helpers import make_project

HUGE = "99999999999999999999"  # beyond 64 bits
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


# --- ids in paths ----------------------------------------------------------------------


def test_path_ids_are_ascii_digits_within_the_database_range(app, db, world, login_as):
    with app.app_context():
        project = make_project(db, world)
    client = login_as("district_a")
    assert client.get(f"/projects/{project.id}").status_code == 200
    for segment in (HUGE, str(2**31), str(project.id).translate(ARABIC_INDIC), "0"):
        assert client.get(f"/projects/{segment}").status_code == 404, segment
        assert client.get(f"/projects/{segment}/edit").status_code == 404, segment


def test_huge_ids_in_admin_and_review_paths_are_404(login_as):
    admin = login_as("admin")
    for path in (
        f"/admin/users/{HUGE}/edit",
        f"/admin/regions/{HUGE}/edit",
        f"/admin/enterprises/{HUGE}/edit",
    ):
        assert admin.get(path).status_code == 404, path


def test_huge_change_request_id_is_404(login_as):
    client = login_as("city")
    response = post_form(
        client, f"/projects/change-requests/{HUGE}/approve", {"version": "1"}, token_from="/"
    )
    assert response.status_code == 404


# --- integers in forms and query strings ------------------------------------------------


@pytest.mark.parametrize("query", ["year=²", "district=²", "year=٢٠٢٥", f"district={HUGE}"])
def test_list_filters_ignore_non_ascii_digits(login_as, query):
    response = login_as("city").get(f"/projects/?{query}&page=²")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("plan_year", "2025²", "计划年度应为整数（只能使用 0-9），“2025²”无效"),
        ("plan_year", "٢٠٢٥", "计划年度应为整数（只能使用 0-9）"),
        ("district_id", "²", "所选区县无效"),
        ("district_id", HUGE, "所选区县无效"),
        ("enterprise_id", "²", "所选建设单位无效"),
        ("enterprise_id", HUGE, "所选建设单位无效"),
        ("enterprise_id", "garbage", "所选建设单位无效"),
    ],
)
def test_bad_numbers_and_ids_in_the_project_form_are_field_errors(
    login_as, db, world, field, value, message
):
    client = login_as("district_a")
    # With the owner unit filled in, a garbage enterprise used to pass as "no enterprise".
    response = create(client, project_form(world, owner_unit="某单位", **{field: value}))
    assert response.status_code == 200
    assert any(message in error for error in field_errors(response.get_data(as_text=True)))
    assert project_count(db) == 0


@pytest.mark.parametrize("value", ["1e999999999", "-1e999999999", "NaN", "Infinity", "٥٠٠٠٠٠"])
def test_non_finite_or_foreign_parameter_numbers_are_field_errors(login_as, db, world, value):
    client = login_as("district_a")
    response = create(client, project_form(world, p_gas_flow=value))
    assert response.status_code == 200
    errors = field_errors(response.get_data(as_text=True))
    assert any("标态干烟气量（Nm³/h）应为数字" in e for e in errors), errors
    assert project_count(db) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("total_investment", "1e999999999", "总投资（万元）应为数字"),
        ("total_investment", "1" * 13, "总投资（万元）数值过大：整数部分最多 12 位"),
        ("env_investment", "1.005", "环保投资（万元）最多保留 2 位小数"),
        ("longitude", "117.1234567", "经度最多保留 6 位小数"),
        ("p_hours", "9" * 30, "运行小时数（h/a）应在 1 至 8784 之间"),
    ],
)
def test_decimals_are_bounded_by_their_column_or_the_catalog(
    login_as, db, world, field, value, message
):
    client = login_as("district_a")
    response = create(client, project_form(world, **{field: value}))
    assert response.status_code == 200
    assert any(message in e for e in field_errors(response.get_data(as_text=True)))
    assert project_count(db) == 0


def test_change_request_with_an_overflowing_parameter_is_a_field_error(app, db, world, login_as):
    with app.app_context():
        project = make_project(db, world, status=PlanStatus.APPROVED)
    client = login_as("district_a")
    page = f"/projects/{project.id}/change"
    data = project_form(
        world,
        name=project.name,
        p_gas_flow="1e999999999",
        reason="烟气量核定值调整",
        version=str(project.version_id),
    )
    response = post_form(client, page, data)
    assert response.status_code == 200
    assert any(
        "标态干烟气量（Nm³/h）应为数字" in e for e in field_errors(response.get_data(as_text=True))
    )
    db.refresh(project)
    assert project.change_requests == []


@pytest.mark.parametrize("year", ["²", "2025²", "٢٠٢٥", HUGE, "1999", ""])
def test_bad_export_year_names_the_field(login_as, year):
    client = login_as("city")
    response = client.get(f"/projects/export.xlsx?year={year}", follow_redirects=True)
    assert response.status_code == 200
    messages = alerts(response.get_data(as_text=True))
    assert messages
    assert all(m.startswith("计划年度") or m == "请填写计划年度" for m in messages), messages


# --- dates in the audit-log filter -------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date_from=0001-01-01", "开始日期：开始日期不能早于 2000-01-01"),
        ("date_to=9999-12-31", "结束日期：结束日期不能晚于 2100-12-31"),
        ("date_from=0001-01-01&date_to=9999-12-31", "开始日期不能早于 2000-01-01"),
    ],
)
def test_audit_filter_dates_out_of_range_are_refused_with_a_message(login_as, query, message):
    response = login_as("auditor").get(f"/audit/events?{query}&page=²")
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


def test_a_garbage_enterprise_is_never_saved_as_no_enterprise(login_as, db, world):
    client = login_as("district_a")
    create(client, project_form(world, enterprise_id="abc", owner_unit="某单位"))
    assert db.scalar(select(Project).where(Project.enterprise_id.is_(None))) is None

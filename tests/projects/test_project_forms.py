"""Creating and editing drafts through the catalog-generated form."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from models import AuditEvent, PlanStatus, Project
from tests.conftest import post_form
from tests.projects.helpers import make_project

A1_FORM = {
    "name": "甲区化工有限公司加热炉超低排放改造",
    "plan_year": "2025",
    "owner_unit": "",
    "site_address": "甲区工业路 9 号",
    "longitude": "117.05",
    "latitude": "36.65",
    "planned_start": "2025-03-01",
    "planned_completion": "2025-12-31",
    "total_investment": "800",
    "env_investment": "650.5",
    "construction_status": "preparation",
    "contact_name": "李工",
    "contact_phone": "13800000000",
    "notes": "",
    "p_gas_flow": "500000",
    "p_nox_before": "150",
    "p_nox_after": "50",
    "p_hours": "7920",
}


def _form(world, **overrides):
    data = dict(
        A1_FORM, district_id=str(world.district_a.id), enterprise_id=str(world.enterprise_a.id)
    )
    data.update(overrides)
    return data


NEW_A1 = "/projects/new?type=A1&method=flue_gas"


def test_choose_type_then_method(login_as):
    client = login_as("district_a")
    page = client.get("/projects/new?type=A2").get_data(as_text=True)
    assert "fuel_elimination" in page and "flue_gas" in page
    form = client.get("/projects/new?type=A4&method=voc_substitution").get_data(as_text=True)
    # Parameters come from the catalog, with Chinese labels and units.
    assert "p_materials__0__use_before" in form
    assert "（t/a）" in form


def test_district_creates_a_draft_with_expected_reductions(login_as, db, world):
    client = login_as("district_a")
    response = post_form(client, NEW_A1, _form(world))
    assert response.status_code == 302, response.get_data(as_text=True)
    project = db.scalar(select(Project).where(Project.name == A1_FORM["name"]))
    assert project.plan_status == PlanStatus.DRAFT
    assert project.code == "990101-2025-A1-001"
    assert project.expected_nox == Decimal("396.000000")
    assert project.env_investment == Decimal("650.50")
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "396.0000" in page
    assert "NOx = 500000 Nm³/h × (150 − 50) mg/Nm³ × 7920 h × 10⁻⁹ = 396.0000 t/a" in page
    assert db.scalar(select(func.count()).where(AuditEvent.action == "project.create")) == 1


def test_codes_increment_per_district_year_and_type(login_as, db, world):
    client = login_as("district_a")
    post_form(client, NEW_A1, _form(world))
    post_form(client, NEW_A1, _form(world, name="第二个项目"))
    codes = sorted(db.scalars(select(Project.code)))
    assert codes == ["990101-2025-A1-001", "990101-2025-A1-002"]


@pytest.mark.parametrize(
    "overrides, field_message",
    [
        ({"p_nox_after": "180"}, "不能高于"),
        ({"p_hours": "9000"}, "8784"),
        ({"p_gas_flow": "abc"}, "数字"),
        ({"p_gas_flow": ""}, "请填写标态干烟气量（Nm³/h）"),
        ({"longitude": "150"}, "经度应在 73 至 136 之间"),
        ({"planned_completion": "2025-01-01"}, "计划完工日期不能早于计划开工日期"),
        ({"env_investment": "900"}, "环保投资不能大于总投资"),
        ({"name": ""}, "项目名称不能为空"),
        ({"plan_year": "20x5"}, "计划年度"),
        ({"enterprise_id": "", "owner_unit": ""}, "须填写建设单位"),
        ({"construction_status": "completed"}, "建设状态为“已完工”时须填写实际完工日期"),
        (
            {"construction_status": "stable_operation", "actual_completion": "2025-05-01"},
            "建设状态为“稳定运行”时须填写稳定运行日期",
        ),
        (
            {"actual_start": "2025-05-01", "actual_completion": "2025-04-01"},
            "实际完工日期不能早于实际开工日期",
        ),
    ],
)
def test_bad_input_is_a_chinese_message_and_keeps_the_values(
    login_as, db, world, overrides, field_message
):
    client = login_as("district_a")
    response = post_form(client, NEW_A1, _form(world, **overrides))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert field_message in page
    assert 'value="甲区工业路 9 号"' in page  # what the user typed is still on the form
    assert db.scalar(select(func.count()).select_from(Project)) == 0


def test_enterprise_of_another_district_is_refused(login_as, db, world):
    client = login_as("city")
    response = post_form(client, NEW_A1, _form(world, enterprise_id=str(world.enterprise_b.id)))
    assert "不属于甲区" in response.get_data(as_text=True)


def test_district_cannot_create_in_another_district(login_as, db, world):
    client = login_as("district_a")
    response = post_form(client, NEW_A1, _form(world, district_id=str(world.district_b.id)))
    assert response.status_code == 200
    # A district outside the user's scope is not one of the choices: said as such.
    assert "所选区县无效" in response.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(Project)) == 0


def test_duplicate_name_in_district_and_year(login_as, db, world):
    client = login_as("district_a")
    post_form(client, NEW_A1, _form(world))
    response = post_form(client, NEW_A1, _form(world))
    assert "已有同名项目" in response.get_data(as_text=True)


def test_list_parameters_round_trip_through_the_form(login_as, db, world):
    client = login_as("district_a")
    data = _form(world, name="涂装线源头替代")
    for key in ("p_gas_flow", "p_nox_before", "p_nox_after", "p_hours"):
        data.pop(key)
    data.update(
        {
            "p_materials__0__name": "溶剂型涂料",
            "p_materials__0__use_before": "120",
            "p_materials__0__voc_before": "60",
            "p_materials__0__use_after": "120",
            "p_materials__0__voc_after": "10",
        }
    )
    response = post_form(client, "/projects/new?type=A4&method=voc_substitution", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    project = db.scalar(select(Project).where(Project.name == "涂装线源头替代"))
    assert project.expected_vocs == Decimal("60.000000")
    edit = client.get(f"/projects/{project.id}/edit").get_data(as_text=True)
    assert 'value="溶剂型涂料"' in edit


def test_edit_draft_and_history(login_as, app, db, world):
    with app.app_context():
        project = make_project(db, world)
    client = login_as("district_a")
    page = client.get(f"/projects/{project.id}/edit").get_data(as_text=True)
    assert 'value="500000"' in page
    data = _form(world, name=project.name, p_gas_flow="250000", version=str(project.version_id))
    response = post_form(
        client, f"/projects/{project.id}/edit", data, token_from=f"/projects/{project.id}/edit"
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.refresh(project)
    assert project.expected_nox == Decimal("198.000000")
    history = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "修改" in history and "核算参数" in history

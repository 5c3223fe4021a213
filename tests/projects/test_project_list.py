"""The plan list: filters, search, sorting, pagination and totals of the filtered set."""

from __future__ import annotations

import re

import pytest

from models import ConstructionStatus, PlanStatus
from tests.projects.helpers import make_project

LIVESTOCK = {
    "species": "pig",
    "head_count": "10000",
    "cod_coefficient": "36",
    "nh3n_coefficient": "1.8",
    "removal_before": "60",
    "removal_after": "95",
}


@pytest.fixture
def plan(app, db, world):
    with app.app_context():
        return {
            "boiler": make_project(db, world, status=PlanStatus.APPROVED, name="锅炉超低排放改造"),
            "farm": make_project(
                db, world, status=PlanStatus.APPROVED, name="生猪养殖场粪污治理",
                type_code="W6", method="livestock", params=dict(LIVESTOCK),
                planned_completion="2025-05-31",
            ),
            "other": make_project(
                db, world, status=PlanStatus.APPROVED, name="乙区焦化炉改造",
                district=world.district_b, enterprise=world.enterprise_b, actor_key="district_b",
            ),
            "next_year": make_project(db, world, name="明年的项目", plan_year=2026,
                                      planned_start="2026-01-01", planned_completion="2026-12-31"),
        }  # fmt: skip


def _codes(page: str) -> list[str]:
    return re.findall(r">(99010\d-\d{4}-[AW]\d-\d{3})<", page)


def test_filters(login_as, plan, world, db):
    client = login_as("city")
    get = lambda q: client.get(f"/projects/?{q}").get_data(as_text=True)  # noqa: E731
    assert len(_codes(get("year=2025"))) == 3
    assert _codes(get("year=2026")) == [plan["next_year"].code]
    assert _codes(get(f"year=2025&district={world.district_b.id}")) == [plan["other"].code]
    assert _codes(get("year=2025&type=W6")) == [plan["farm"].code]
    assert _codes(get("year=2025&medium=water")) == [plan["farm"].code]
    assert len(_codes(get("year=2025&medium=air"))) == 2
    assert _codes(get("year=2025&plan_status=draft")) == []
    assert len(_codes(get("year=2025&plan_status=approved"))) == 3
    assert len(_codes(get("year=2025&construction_status=not_started"))) == 3
    assert _codes(get("year=2025&construction_status=completed")) == []
    # The clock says 2025-06-02: the farm's planned completion (05-31) has passed.
    assert _codes(get("year=2025&overdue=1")) == [plan["farm"].code]
    plan["farm"].plan_status = PlanStatus.WITHDRAWN  # out of the plan: no longer overdue
    db.commit()
    assert _codes(get("year=2025&overdue=1")) == []
    assert _codes(get("year=2025&q=焦化")) == [plan["other"].code]
    assert len(_codes(get(f"year=2025&q={world.enterprise_a.uscc}"))) == 2
    assert _codes(get(f"year=2025&q={plan['boiler'].code}")) == [plan["boiler"].code]
    assert len(_codes(get("year=&q=改造"))) == 2  # empty year: every year


def test_garbage_filters_are_ignored_not_errors(login_as, plan):
    client = login_as("city")
    response = client.get(
        "/projects/?year=abc&district=x&plan_status=nope&sort=evil&page=-3&overdue=maybe"
    )
    assert response.status_code == 200


def test_sorting(login_as, plan):
    client = login_as("city")
    asc = _codes(client.get("/projects/?year=2025&sort=total_investment").get_data(as_text=True))
    desc = _codes(client.get("/projects/?year=2025&sort=code&dir=desc").get_data(as_text=True))
    assert desc == sorted(desc, reverse=True)
    assert len(asc) == 3


def test_totals_follow_the_filtered_set(login_as, plan):
    client = login_as("city")
    page = client.get("/projects/?year=2025").get_data(as_text=True)
    assert 'data-testid="total-NOx">792.0000<' in page  # two flue-gas projects × 396
    assert 'data-testid="total-COD">126.0000<' in page
    page = client.get("/projects/?year=2025&type=W6").get_data(as_text=True)
    assert 'data-testid="total-NOx">0.0000<' in page
    assert 'data-testid="total-NH3N">6.3000<' in page


def test_pagination(app, db, world, login_as):
    with app.app_context():
        for n in range(35):
            make_project(db, world, name=f"批量项目{n:02d}")
    client = login_as("district_a")
    first = client.get("/projects/?year=2025").get_data(as_text=True)
    second = client.get("/projects/?year=2025&page=2").get_data(as_text=True)
    assert len(_codes(first)) == 30 and len(_codes(second)) == 5
    assert "第 1 / 2 页，共 35 条" in first
    assert not set(_codes(first)) & set(_codes(second))


def test_overdue_badge_and_construction_status_label(login_as, plan, db):
    plan["boiler"].construction_status = ConstructionStatus.UNDER_CONSTRUCTION
    db.commit()
    client = login_as("city")
    page = client.get(f"/projects/{plan['farm'].id}").get_data(as_text=True)
    assert "逾期" in page
    assert "在建" in client.get(f"/projects/{plan['boiler'].id}").get_data(as_text=True)

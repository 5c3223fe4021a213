"""Scopes and scoped selects: who sees which regions, enterprises, projects and requests.

The world has two cities: every check that a city sees its own subtree also checks that it
does not see the other city's.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dispatch.access import (
    EVERYWHERE,
    NOWHERE,
    ROLE_PERMISSIONS,
    Permission,
    Scope,
    in_scope,
    scope_of,
    visible_change_requests,
    visible_enterprises,
    visible_projects,
    visible_regions,
)
from dispatch.audit import Acting
from models import PlanStatus, Project, Role
from tests.projects.helpers import NOW, make_project


def _names(db, stmt) -> set[str]:  # type: ignore[no-untyped-def]
    return {obj.name for obj in db.scalars(stmt)}


def test_scope_of_each_kind_of_user(world):
    users = world.users
    assert scope_of(users["enterprise_a"]) == Scope(enterprise_id=world.enterprise_a.id)
    assert scope_of(users["district_a"]) == Scope(region_path=world.district_a.path)
    assert scope_of(users["city"]) == Scope(region_path=world.city.path)
    assert scope_of(users["other_city"]) == Scope(region_path=world.other_city.path)
    assert scope_of(users["admin"]) == EVERYWHERE
    # The auditor sits in the city but acts on no organisation.
    assert scope_of(users["auditor"]) == NOWHERE
    assert scope_of(None) == NOWHERE


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("city", {"测试市", "甲区", "乙区"}),
        ("other_city", {"邻市", "丙区"}),
        ("district_a", {"甲区"}),
        ("admin", {"测试省", "测试市", "甲区", "乙区", "邻市", "丙区"}),
        ("enterprise_a", set()),
        ("auditor", set()),
    ],
)
def test_visible_regions(db, world, key, expected):
    assert _names(db, visible_regions(world.users[key])) == expected


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("city", {"甲区化工有限公司", "乙区热电有限公司"}),
        ("other_city", {"丙区建材有限公司"}),
        ("district_b", {"乙区热电有限公司"}),
        ("admin", {"甲区化工有限公司", "乙区热电有限公司", "丙区建材有限公司"}),
        # enterprises:view is what lets a user see enterprises at all.
        ("enterprise_a", set()),
        ("auditor", set()),
    ],
)
def test_visible_enterprises(db, world, key, expected):
    assert _names(db, visible_enterprises(world.users[key])) == expected


def test_enterprises_view_is_what_opens_visible_enterprises(db, world, monkeypatch):
    district = world.users["district_a"]
    assert _names(db, visible_enterprises(district)) == {"甲区化工有限公司"}
    without = ROLE_PERMISSIONS[Role.DISTRICT] - {Permission.ENTERPRISES_VIEW}
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.DISTRICT, without)
    assert _names(db, visible_enterprises(district)) == set()
    # The scope is unchanged: it is the permission that closed the select.
    assert _names(db, visible_regions(district)) == {"甲区"}


@pytest.fixture
def projects(app, db, world) -> dict[str, Project]:
    """An approved and a draft project in district A, an approved one in the other city."""
    with app.app_context():
        return {
            "approved_a": make_project(db, world, status=PlanStatus.APPROVED, name="甲区入库项目"),
            "draft_a": make_project(db, world, status=PlanStatus.DRAFT, name="甲区草稿项目"),
            "other": make_project(
                db, world, status=PlanStatus.APPROVED, name="邻市入库项目",
                district=world.other_district, enterprise=world.other_enterprise,
                actor_key="other_city",
            ),
        }  # fmt: skip


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("city", {"甲区入库项目", "甲区草稿项目"}),
        ("other_city", {"邻市入库项目"}),
        ("district_a", {"甲区入库项目", "甲区草稿项目"}),
        ("district_b", set()),
        # Enterprises see their projects once in the plan list, never drafts.
        ("enterprise_a", {"甲区入库项目"}),
        ("enterprise_b", set()),
        ("admin", set()),
        ("auditor", set()),
    ],
)
def test_visible_projects(db, world, projects, key, expected):
    assert _names(db, visible_projects(world.users[key])) == expected


def test_type_codes_limit_projects_for_a_city_wide_scope(db, world, projects):
    """The shape a city department will use: its city's subtree, only its own types."""
    city_wide = Scope(region_path=world.city.path)
    assert _names(db, city_wide.projects(select(Project))) == {"甲区入库项目", "甲区草稿项目"}
    air = Scope(region_path=world.city.path, type_codes=frozenset({"A1"}))
    assert _names(db, air.projects(select(Project))) == {"甲区入库项目", "甲区草稿项目"}
    water = Scope(region_path=world.city.path, type_codes=frozenset({"W1", "W2"}))
    assert _names(db, water.projects(select(Project))) == set()


def test_visible_change_requests_follow_the_project(app, db, world, projects):
    from dispatch.projects import services

    with app.app_context():
        mine = services.request_change(
            db, Acting(world.users["district_a"], at=NOW), projects["approved_a"], None, "关停",
            version=projects["approved_a"].version_id,
        )  # fmt: skip
        theirs = services.request_change(
            db, Acting(world.users["other_city"], at=NOW), projects["other"], None, "关停",
            version=projects["other"].version_id,
        )  # fmt: skip
        db.commit()

    def ids(key: str) -> set[int]:
        return {r.id for r in db.scalars(visible_change_requests(world.users[key]))}

    assert ids("city") == {mine.id}
    assert ids("district_a") == {mine.id}
    assert ids("other_city") == {theirs.id}
    assert ids("district_b") == set()
    assert ids("admin") == set()


def test_in_scope_is_for_region_users_only(world):
    users = world.users
    assert in_scope(users["city"], world.district_a)
    assert not in_scope(users["city"], world.other_district)
    assert not in_scope(users["district_a"], world.district_b)
    assert not in_scope(users["admin"], world.district_a)
    assert not in_scope(users["enterprise_a"], world.district_a)

"""Each role lands on its own home page with its own navigation and tiles.

Menus and tiles are derived from the permission table; the expected lists here are written
out by hand, so a change to the table that changes what a role sees fails this test.
"""

from __future__ import annotations

import re

import pytest

from dispatch.access import ROLE_PERMISSIONS, Permission, required_permission
from dispatch.home.tiles import HOME_FEATURES
from dispatch.web.nav import NAV_BY_ROLE, NAV_ITEMS
from models import Role

HOME_TITLES = {
    "enterprise_a": "企业工作台",
    "district_a": "区县工作台",
    "city": "市局工作台",
    "admin": "系统管理",
    "security": "安全管理",
    "auditor": "安全审计",
}
ROLE_OF = {
    "enterprise_a": Role.ENTERPRISE,
    "district_a": Role.DISTRICT,
    "city": Role.CITY,
    "admin": Role.ADMIN,
    "security": Role.SECURITY,
    "auditor": Role.AUDITOR,
}
SOON = "即将上线"
# (label, available) per role: the menus as they were before they were derived.
MENUS = {
    Role.ENTERPRISE: [("首页", True), ("计划清单", True), ("月度调度", True), ("佐证材料", True)],
    Role.DISTRICT: [
        ("首页", True), ("计划清单", True), ("月度调度", True), ("佐证材料", True),
        ("减排核算", True), ("统计分析", True), ("导入导出", True),
    ],
    Role.CITY: [
        ("首页", True), ("计划清单", True), ("月度调度", True), ("佐证材料", True),
        ("审核队列", True), ("减排核算", True), ("统计分析", True), ("导入导出", True),
    ],
    Role.ADMIN: [
        ("首页", True), ("用户管理", True), ("行政区划", True), ("企业管理", True),
        ("企业导入", True),
    ],
    Role.SECURITY: [("首页", True), ("账户安全", True), ("安全策略", True)],
    Role.AUDITOR: [("首页", True), ("审计日志", True), ("登录记录", True)],
}  # fmt: skip
TILES = {
    Role.ENTERPRISE: ["我的减排项目", "月度进展填报", "佐证材料上传"],
    Role.DISTRICT: ["计划清单", "月度调度", "佐证材料预审"],
    Role.CITY: ["计划清单审核", "月度调度", "佐证材料审核", "减排核算与导出"],
    Role.ADMIN: ["用户管理", "行政区划", "企业管理", "企业导入"],
    Role.SECURITY: ["账户安全", "安全策略"],
    Role.AUDITOR: ["审计日志", "登录记录"],
}


def _nav_labels(page: str) -> list[str]:
    nav = page.split('data-testid="main-nav"', 1)[1].split("</ul>", 1)[0]
    return [label.strip() for label in re.findall(r">\s*([^<>]+?)\s*(?:<small>|</a>)", nav)]


def _tile_titles(page: str) -> list[str]:
    tiles = page.split('data-testid="home-tiles"', 1)[1]
    return [t.strip() for t in re.findall(r'<h2 class="h6">(?:<a [^>]*>)?([^<]+)', tiles)]


def test_menus_derived_from_the_permission_table_are_the_role_menus():
    for role, menu in MENUS.items():
        assert [(i.label, i.endpoint is not None) for i in NAV_BY_ROLE[role]] == menu, role


@pytest.mark.parametrize("key", list(HOME_TITLES))
def test_role_home_navigation_and_tiles(login_as, key):
    client = login_as(key)
    page = client.get("/").get_data(as_text=True)
    assert HOME_TITLES[key] in page
    assert _nav_labels(page) == [label for label, _ in MENUS[ROLE_OF[key]]]
    assert page.count(f"<small>({SOON})</small>") == sum(not ok for _, ok in MENUS[ROLE_OF[key]])
    assert _tile_titles(page) == TILES[ROLE_OF[key]]
    for other, titles in HOME_TITLES.items():
        if other != key:
            assert f'data-testid="home-title">{titles}' not in page


def test_business_navigation_is_hidden_from_admin_and_auditor(login_as):
    admin_page = login_as("admin").get("/").get_data(as_text=True)
    assert "计划清单" not in admin_page and "审计日志" not in admin_page
    assert "用户管理" in admin_page


def test_every_nav_and_tile_link_resolves_for_its_role(app, world):
    from tests.conftest import login

    for key, role in ROLE_OF.items():
        c = app.test_client()
        login(c, world.users[key].username, world.password)
        page = c.get("/").get_data(as_text=True)
        links = re.findall(r'class="(?:nav-link|stretched-link)[^"]*" href="([^"]+)"', page)
        assert links, role
        for href in links:
            assert c.get(href).status_code == 200, (role, href)


def test_entries_need_the_permission_their_view_requires(app):
    """A menu entry or tile never shows to someone its page would answer 404."""
    entries = [(i.endpoint, {i.permission}) for i in NAV_ITEMS] + [
        (t.endpoint, t.requires) for variants in HOME_FEATURES for t in variants
    ]
    for endpoint, needs in entries:
        if endpoint is None:
            continue
        guard = required_permission(app.view_functions[endpoint])
        assert guard is not None, endpoint
        for role, granted in ROLE_PERMISSIONS.items():
            if needs <= granted:
                assert guard in granted, (endpoint, role)


def test_placeholders_are_gated_by_permissions_roles_hold():
    """The permissions of features still to come are granted, so their entries show."""
    for permission in (Permission.ROUNDS_VIEW, Permission.EVIDENCE_VIEW):
        holders = {r for r, granted in ROLE_PERMISSIONS.items() if permission in granted}
        assert holders == {Role.ENTERPRISE, Role.DISTRICT, Role.CITY}
    holders = {r for r, g in ROLE_PERMISSIONS.items() if Permission.REDUCTIONS_VIEW in g}
    assert holders == {Role.CITY}


@pytest.mark.parametrize(
    ("key", "stats"),
    [
        # The second city's districts and enterprise are not counted by the first city.
        ("city", {"stat-districts": 2, "stat-enterprises": 2}),
        ("district_a", {"stat-enterprises": 1}),
        ("other_city", {"stat-districts": 1, "stat-enterprises": 1}),
        ("admin", {"stat-users": 9, "stat-enterprises": 3, "stat-regions": 6}),
    ],
)
def test_home_figures_are_scoped(login_as, key, stats):
    page = login_as(key).get("/").get_data(as_text=True)
    for testid, value in stats.items():
        assert f'data-testid="{testid}">{value}<' in page, testid

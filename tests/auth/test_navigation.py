"""Each role lands on its own home page with its own navigation."""

from __future__ import annotations

import re

import pytest

from dispatch.web.nav import NAV_BY_ROLE
from models import Role

HOME_TITLES = {
    "enterprise_a": "企业工作台",
    "district_a": "区县工作台",
    "city": "市局工作台",
    "admin": "系统管理",
    "auditor": "安全审计",
}
ROLE_OF = {
    "enterprise_a": Role.ENTERPRISE,
    "district_a": Role.DISTRICT,
    "city": Role.CITY,
    "admin": Role.ADMIN,
    "auditor": Role.AUDITOR,
}


def _nav_labels(page: str) -> list[str]:
    nav = page.split('data-testid="main-nav"', 1)[1].split("</ul>", 1)[0]
    return [label.strip() for label in re.findall(r">\s*([^<>]+?)\s*(?:<small>|</a>)", nav)]


@pytest.mark.parametrize("key", list(HOME_TITLES))
def test_role_home_and_navigation(login_as, key):
    client = login_as(key)
    page = client.get("/").get_data(as_text=True)
    assert HOME_TITLES[key] in page
    expected = [item.label for item in NAV_BY_ROLE[ROLE_OF[key]]]
    assert _nav_labels(page) == expected
    for other, titles in HOME_TITLES.items():
        if other != key:
            assert f'data-testid="home-title">{titles}' not in page


def test_business_navigation_is_hidden_from_admin_and_auditor(login_as):
    admin_page = login_as("admin").get("/").get_data(as_text=True)
    assert "计划清单" not in admin_page and "审计日志" not in admin_page
    assert "用户管理" in admin_page


def test_every_nav_link_resolves_for_its_role(app, world, client):
    from tests.conftest import login

    for key, role in ROLE_OF.items():
        c = app.test_client()
        login(c, world.users[key].username, world.password)
        page = c.get("/").get_data(as_text=True)
        for href in re.findall(r'class="nav-link[^"]*" href="([^"]+)"', page):
            assert c.get(href).status_code == 200, (role, href)

"""Every demo account signs in through the real login form in chromium and lands on its own
home page, with its own navigation and no console errors (a CSP violation is one).

The app is served for real (werkzeug in a thread, free port on 127.0.0.1) on a fresh
database migrated by Alembic and seeded with the demo city; the browser, the server and the
console watch are shared with the other browser tests (``tests.browser.live``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from dispatch.demo import ACCOUNTS, DEMO_PASSWORD
from dispatch.web.nav import NAV_BY_ROLE
from tests.browser import live

pytestmark = pytest.mark.browser

# What each demo account must see as the heading of its home page.
HOME_TITLES = {
    "admin": "系统管理",
    "security": "安全管理",
    "auditor": "安全审计",
    "city": "市局工作台 · 济南市",
    "lixia": "区县工作台 · 历下区",
    "shizhong": "区县工作台 · 市中区",
    "ent_lixia": "企业工作台 · 济南历下热力有限公司",
    "ent_shizhong": "企业工作台 · 济南市中汽车维修有限公司",
}
ROLES = {username: role for username, _display, role, _org in ACCOUNTS}


@pytest.fixture(scope="module")
def live_server(
    new_database_url: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Base URL of the app served on a fresh, migrated database holding the demo city."""
    with live.demo_site(new_database_url(), tmp_path_factory.mktemp("instance")) as base:
        yield base


@pytest.fixture(scope="module")
def screenshot_dir(backend: str) -> Path:
    return live.screenshot_dir(backend)


def test_every_demo_account_sees_its_home_page(
    live_server: str, browser: Browser, screenshot_dir: Path
) -> None:
    assert set(HOME_TITLES) == set(ROLES), "every demo account needs an expected home title"
    for username, expected_title in HOME_TITLES.items():
        _check_account(live_server, browser, screenshot_dir, username, expected_title)


def _check_account(
    base: str, browser: Browser, screenshot_dir: Path, username: str, expected_title: str
) -> None:
    watched = live.WatchedPage(browser)
    page = watched.page
    try:
        # An anonymous visit to the home page ends on the login form.
        live.sign_in(page, base, username, DEMO_PASSWORD)

        title = page.get_by_test_id("home-title")
        assert title.inner_text().strip() == expected_title, username

        nav = page.get_by_test_id("main-nav")
        items = nav.locator(":scope > li")
        expected_nav = NAV_BY_ROLE[ROLES[username]]
        texts = [t.strip() for t in items.all_inner_texts()]
        assert len(texts) == len(expected_nav), f"{username}: nav {texts}"
        for item, text in zip(expected_nav, texts, strict=True):
            if item.endpoint is None:
                assert text == f"{item.label} (即将上线)", f"{username}: {text!r}"
            else:
                assert text == item.label, f"{username}: {text!r}"
        # The links that exist actually lead somewhere for this account.
        for link in nav.locator("a.nav-link").all():
            assert link.get_attribute("href"), username

        page.screenshot(path=str(screenshot_dir / f"{username}.png"), full_page=True)
        watched.assert_clean(username)
    finally:
        watched.close()


def test_console_collector_sees_a_csp_violation(live_server: str, browser: Browser) -> None:
    """Guards the check above: an inline script (forbidden by the CSP) is reported by the
    console watch every browser test uses."""
    with live.watched_page(browser) as watched:
        page = watched.page
        page.goto(f"{live_server}/login")
        page.evaluate(
            """() => {
                const script = document.createElement("script");
                script.textContent = "document.body.dataset.inline = 'ran';";
                document.body.appendChild(script);
            }"""
        )
        page.wait_for_timeout(200)
        errors = watched.console_errors
        assert page.evaluate("document.body.dataset.inline") is None
        assert any("Content Security Policy" in e for e in errors), errors
        with pytest.raises(AssertionError, match="Content Security Policy"):
            watched.assert_clean("csp")

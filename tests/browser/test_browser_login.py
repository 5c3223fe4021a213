"""Every demo account signs in through the real login form in chromium and lands on its own
home page, with its own navigation and no console errors (a CSP violation is one).

The app is served for real (werkzeug in a thread, free port on 127.0.0.1) on a fresh
database migrated by Alembic and seeded with the demo city. The browser is never skipped:
a missing /usr/bin/chromium fails the test with the command that installs it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Error, sync_playwright
from werkzeug.serving import make_server

from dispatch.app import create_app
from dispatch.config import Settings
from dispatch.db import Database, get_session
from dispatch.demo import ACCOUNTS, DEMO_PASSWORD, seed_demo
from dispatch.web.nav import NAV_BY_ROLE
from tests.conftest import TEST_SECRET, migrate

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO_ROOT = Path(__file__).resolve().parents[2]

# What each demo account must see as the heading of its home page.
HOME_TITLES = {
    "admin": "系统管理",
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
    url = new_database_url()
    engine = migrate(url)
    settings = Settings(
        env="development",
        instance_path=tmp_path_factory.mktemp("instance"),
        database_url=url,
        secret_key=TEST_SECRET,
    )
    app = create_app(settings, database=Database(engine))
    with app.app_context():
        session = get_session()
        seed_demo(session)
        session.commit()

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} not found: install it with "
            "'apt-get install -y chromium fonts-noto-cjk' (browser tests are never skipped)",
            pytrace=False,
        )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def screenshot_dir(backend: str) -> Path:
    path = REPO_ROOT / "test-results" / "screenshots" / backend
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_every_demo_account_sees_its_home_page(
    live_server: str, browser: Browser, screenshot_dir: Path
) -> None:
    assert set(HOME_TITLES) == set(ROLES), "every demo account needs an expected home title"
    for username, expected_title in HOME_TITLES.items():
        _check_account(live_server, browser, screenshot_dir, username, expected_title)


def _check_account(
    base: str, browser: Browser, screenshot_dir: Path, username: str, expected_title: str
) -> None:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    console_errors: list[str] = []
    page_errors: list[Error] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        source = message.location.get("url", "")
        # Any console error (a CSP violation, a missing asset, a script error) fails.
        console_errors.append(f"{page.url}: {message.text} ({source})")

    def on_page_error(error: Error) -> None:
        page_errors.append(error)

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    try:
        # An anonymous visit to the home page ends on the login form.
        page.goto(f"{base}/")
        assert page.url.startswith(f"{base}/login"), page.url
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        with page.expect_navigation():
            page.click("button[type=submit]:has-text('登录')")
        assert page.url == f"{base}/", f"{username}: landed on {page.url}"

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
        assert not console_errors, f"{username}: console errors {console_errors}"
        assert not page_errors, f"{username}: page errors {page_errors}"
    finally:
        context.close()


def test_console_collector_sees_a_csp_violation(live_server: str, browser: Browser) -> None:
    """Guards the check above: an inline script (forbidden by the CSP) is reported."""
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", on_console)
    try:
        page.goto(f"{live_server}/login")
        page.evaluate(
            """() => {
                const script = document.createElement("script");
                script.textContent = "document.body.dataset.inline = 'ran';";
                document.body.appendChild(script);
            }"""
        )
        page.wait_for_timeout(200)
        assert page.evaluate("document.body.dataset.inline") is None
        assert any("Content Security Policy" in e for e in errors), errors
    finally:
        context.close()

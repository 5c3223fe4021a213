"""What every browser test shares: Debian chromium driven by playwright, the app served for
real on a free port, a page whose console errors are collected, and where screenshots go.

The browser is never skipped: a missing /usr/bin/chromium fails the test with the command
that installs it. Screenshots are kept under ``test-results/screenshots/<backend>/`` at the
repository root (ignored by git), so a run on each backend leaves its own set to look at.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    sync_playwright,
)
from sqlalchemy import Engine
from werkzeug.serving import make_server

from dispatch.app import create_app
from dispatch.config import Settings
from dispatch.db import Database, get_session
from dispatch.demo import seed_demo
from tests.conftest import TEST_SECRET, migrate

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
SCREENSHOTS = REPO_ROOT / "test-results" / "screenshots"


@contextlib.contextmanager
def serve(app: Flask) -> Iterator[str]:
    """Serve ``app`` (werkzeug in a thread, free port on 127.0.0.1); yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def fresh_app(
    url: str, instance: Path, *, clock: Callable[[], dt.datetime] | None = None, **settings: object
) -> tuple[Flask, Engine]:
    """The app in development mode on the freshly migrated database ``url``, with the
    test secret and any other ``settings`` given; the engine is the caller's to dispose."""
    engine = migrate(url)
    config = Settings(
        env="development",
        instance_path=instance,
        database_url=url,
        secret_key=TEST_SECRET,
        **settings,  # type: ignore[arg-type]
    )
    extra = {"clock": clock} if clock is not None else {}
    return create_app(config, database=Database(engine), **extra), engine


@contextlib.contextmanager
def serving(app: Flask, engine: Engine) -> Iterator[str]:
    """Serve ``app`` (see :func:`serve`), and dispose of its engine afterwards."""
    try:
        with serve(app) as base:
            yield base
    finally:
        engine.dispose()


@contextlib.contextmanager
def demo_site(url: str, instance: Path, **settings: object) -> Iterator[str]:
    """The demo city (``dispatch demo``) served on a fresh database; yields its base URL."""
    app, engine = fresh_app(url, instance, **settings)
    with app.app_context():
        session = get_session()
        seed_demo(session)
        session.commit()
    with serving(app, engine) as base:
        yield base


@contextlib.contextmanager
def launch_chromium() -> Iterator[Browser]:
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


def screenshot_dir(backend: str, *parts: str) -> Path:
    path = SCREENSHOTS.joinpath(backend, *parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


class WatchedPage:
    """A fresh browser context (its own cookies: one signed-in user) and one page whose
    console errors and uncaught script errors are collected. Any console error counts: a
    CSP violation, a missing asset, a script error."""

    def __init__(self, browser: Browser, *, timeout_ms: int = 10_000) -> None:
        self.context: BrowserContext = browser.new_context(
            locale="zh-CN", viewport={"width": 1366, "height": 800}
        )
        self.context.set_default_timeout(timeout_ms)
        self.page: Page = self.context.new_page()
        self.console_errors: list[str] = []
        self.page_errors: list[Error] = []
        self.page.on("console", self._on_console)
        self.page.on("pageerror", self._on_page_error)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            source = message.location.get("url", "")
            self.console_errors.append(f"{self.page.url}: {message.text} ({source})")

    def _on_page_error(self, error: Error) -> None:
        self.page_errors.append(error)

    def assert_clean(self, who: str = "") -> None:
        assert not self.console_errors, f"{who}: console errors {self.console_errors}"
        assert not self.page_errors, f"{who}: page errors {self.page_errors}"

    def close(self) -> None:
        self.context.close()


@contextlib.contextmanager
def watched_page(browser: Browser) -> Iterator[WatchedPage]:
    watched = WatchedPage(browser)
    try:
        yield watched
    finally:
        watched.close()


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    """Through the real login form, from an anonymous visit to the home page."""
    page.goto(f"{base}/")
    assert page.url.startswith(f"{base}/login"), page.url
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("button[type=submit]:has-text('登录')")
    assert page.url == f"{base}/", f"{username}: landed on {page.url}"

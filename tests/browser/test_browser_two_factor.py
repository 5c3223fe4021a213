"""Two-factor sign-in in chromium: the security officer's role requires it, so the first
sign-in goes from the password to the QR code page; the test reads the secret shown there
as a person would type it into an authenticator app, computes the codes with pyotp, and
signs out and in again with a code. Screenshots of every page are kept.

The app runs on the system clock here (the codes are computed at the real time); the
server and the browser are those of the other browser tests (``tests.browser.live``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Browser

from dispatch.demo import DEMO_PASSWORD
from tests.browser import live

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_server(
    new_database_url: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The demo city served with two-factor required of the security officer."""
    instance = tmp_path_factory.mktemp("instance")
    with live.demo_site(new_database_url(), instance, totp_roles=("security",)) as base:
        yield base


@pytest.fixture(scope="module")
def shots(backend: str) -> Path:
    return live.screenshot_dir(backend, "two_factor")


def _password_step(page, base: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/")
    assert page.url.startswith(f"{base}/login"), page.url
    page.fill("input[name=username]", "security")
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]:has-text('登录')")


def test_enrol_with_the_qr_code_then_sign_in_with_a_code(
    live_server: str, browser: Browser, shots: Path
) -> None:
    base = live_server
    with live.watched_page(browser) as watched:
        page = watched.page
        _password_step(page, base)
        assert page.url == f"{base}/account/two-factor", page.url

        qr = page.get_by_test_id("totp-qr")
        assert qr.is_visible()
        # The QR code is an image the app drew itself (a data URI), and it loaded.
        assert qr.get_attribute("src").startswith("data:image/png;base64,")
        assert page.evaluate("document.querySelector('[data-testid=totp-qr]').naturalWidth") > 0
        page.screenshot(path=str(shots / "1-enrol-qr.png"), full_page=True)

        secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
        totp = pyotp.TOTP(secret)
        page.fill("input[name=code]", totp.now())
        with page.expect_navigation():
            page.click("button[type=submit]:has-text('确认启用')")
        assert page.url == f"{base}/account/two-factor/recovery-codes", page.url
        codes = page.get_by_test_id("recovery-codes").locator("li").all_inner_texts()
        assert len(codes) == 10
        page.screenshot(path=str(shots / "2-recovery-codes.png"), full_page=True)
        with page.expect_navigation():
            page.click("a:has-text('我已保存，继续')")
        assert page.url == f"{base}/", page.url
        assert page.get_by_test_id("home-title").inner_text().strip() == "安全管理"

        with page.expect_navigation():
            page.click("button[type=submit]:has-text('退出')")
        assert page.url.startswith(f"{base}/login"), page.url

        _password_step(page, base)
        assert page.url == f"{base}/login/two-factor", page.url
        # The code of the next time step: the enrolling code's step is spent, and the
        # next one is inside the accepted window whichever step the clock is in now.
        page.fill("input[name=code]", totp.at(time.time() + totp.interval))
        page.screenshot(path=str(shots / "3-second-step.png"), full_page=True)
        with page.expect_navigation():
            page.click("button[type=submit]:has-text('验证并登录')")
        assert page.url == f"{base}/", page.url
        assert page.get_by_test_id("home-title").inner_text().strip() == "安全管理"
        page.goto(f"{base}/account")
        assert "已启用" in page.get_by_test_id("two-factor").inner_text()
        page.screenshot(path=str(shots / "4-signed-in-account.png"), full_page=True)
        watched.assert_clean("security")

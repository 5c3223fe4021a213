"""Sign-in history (登录记录): time, address and outcome, each account's own on 我的账户,
every account's for the auditor (the other officers' included)."""

from __future__ import annotations

import re

from tests.conftest import login

ADDRESS = "10.1.2.3"


def _rows(page: str, testid: str) -> list[list[str]]:
    table = page.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [
        [
            re.sub(r"\s+", " ", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def _sign_in(app, username: str, password: str, address: str = ADDRESS):  # type: ignore[no-untyped-def]
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = address
    return browser, login(browser, username, password)


def test_own_history_lists_failures_lockout_and_success_with_time_and_address(
    app, world, clock
) -> None:
    for _ in range(5):
        _sign_in(app, "dist_a", "Wrong#pass2025")
    clock.advance(minutes=16)  # the lock has run out
    browser, response = _sign_in(app, "dist_a", world.password, "10.9.9.9")
    assert response.status_code == 302
    _sign_in(app, "dist_b", "Wrong#pass2025")  # someone else's attempt

    page = browser.get("/account").get_data(as_text=True)
    rows = _rows(page, "my-sign-ins")
    assert [row[1:] for row in rows] == [
        ["10.9.9.9", "登录成功"],
        [ADDRESS, "账户被锁定（连续登录失败）"],
        *[[ADDRESS, "失败：密码错误"]] * 5,
    ]
    # Beijing time: the suite starts at 01:00 UTC, 09:00 in Beijing.
    assert rows[0][0] == "2025-06-02 09:16:00"
    assert rows[1][0] == "2025-06-02 09:00:00"


def test_a_locked_attempt_is_shown_as_refused(app, world, clock) -> None:
    for _ in range(5):
        _sign_in(app, "dist_a", "Wrong#pass2025")
    _sign_in(app, "dist_a", world.password)  # right password, still locked
    clock.advance(minutes=16)
    browser, _ = _sign_in(app, "dist_a", world.password)
    labels = [
        row[2] for row in _rows(browser.get("/account").get_data(as_text=True), "my-sign-ins")
    ]
    assert labels[:3] == ["登录成功", "拒绝：账户锁定中", "账户被锁定（连续登录失败）"]


def test_the_auditor_sees_every_account_including_the_other_officers(app, world, login_as) -> None:
    _sign_in(app, "admin_user", world.password, "10.0.0.1")
    _sign_in(app, "security_user", "Wrong#pass2025", "10.0.0.2")
    _sign_in(app, "nobody_here", "Wrong#pass2025", "10.0.0.3")
    auditor = login_as("auditor")
    rows = _rows(auditor.get("/audit/sign-ins").get_data(as_text=True), "sign-ins")
    assert [row[1:] for row in rows[:4]] == [
        ["auditor_user", "127.0.0.1", "登录成功"],
        ["nobody_here", "10.0.0.3", "失败：用户名不存在"],
        ["security_user", "10.0.0.2", "失败：密码错误"],
        ["admin_user", "10.0.0.1", "登录成功"],
    ]
    by_name = _rows(auditor.get("/audit/sign-ins?q=security").get_data(as_text=True), "sign-ins")
    assert [row[1] for row in by_name] == ["security_user"]
    failures = _rows(
        auditor.get("/audit/sign-ins?outcome=failure").get_data(as_text=True), "sign-ins"
    )
    assert {row[1] for row in failures} == {"security_user", "nobody_here"}


def test_no_one_else_reads_every_account_s_history(app, world, login_as) -> None:
    for key in ("admin", "security", "city", "enterprise_a"):
        browser, _ = _sign_in(app, world.users[key].username, world.password)
        assert browser.get("/audit/sign-ins").status_code == 404, key
        assert browser.get("/account").status_code == 200, key

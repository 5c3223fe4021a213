"""The password policy (等保 口令复杂度): its refusals, in Chinese, naming the field, and the
passwords it must keep accepting (the published demo password, the suite's own)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dispatch.auth import passwords
from dispatch.demo.orgs import ACCOUNTS, DEMO_PASSWORD
from models import AuditEvent, User
from tests.conftest import login, post_form
from tests.factories import PASSWORD

SHORT = "密码长度不能少于 10 个字符"
CLASSES = "密码须包含大写字母、小写字母、数字、特殊符号中的至少 3 类"
USERNAME = "密码不能包含用户名（不区分大小写）"
COMMON = "密码过于常见（在常用密码表中），容易被猜中"


def built_on(word: str) -> str:
    return f"密码由常用密码“{word}”加数字或符号构成，容易被猜中"


@pytest.mark.parametrize(
    ("password", "username", "reasons"),
    [
        # The example: nine characters, and on the common list.
        ("Password1", "zhang_san", [SHORT, COMMON]),
        ("Ab1!xyz", "zhang_san", [SHORT]),
        ("lowercase2025", "zhang_san", [CLASSES]),
        ("NOSYMBOLSORDIGITS", "zhang_san", [CLASSES]),
        ("Zhang_San#2025", "zhang_san", [USERNAME]),  # in any case
        ("x-ZHANG_SAN-2025!", "zhang_san", [USERNAME]),
        ("Charlie123", "zhang_san", [COMMON]),  # long enough, three classes, listed
        ("1Q2w3e4r5t", "zhang_san", [COMMON]),
        ("Password123!", "zhang_san", [built_on("password")]),
        ("P@ssw0rd2025", "zhang_san", [built_on("password")]),  # look-alike digits
        ("Admin@12345", "zhang_san", [built_on("admin")]),
        ("!!Welcome2025", "zhang_san", [built_on("welcome")]),
        ("short", "short", [SHORT, CLASSES, USERNAME, COMMON]),
    ],
)
def test_refusals_name_every_reason(password: str, username: str, reasons: list[str]) -> None:
    assert passwords.policy_errors(password, username) == reasons


@pytest.mark.parametrize(
    "password", ["Jinan@2025!x", "Tq7#mWv9pL", "lixia-Heat-2025", "济南Heat2025x", "Summer2025Fun!"]
)
def test_strong_passwords_pass(password: str) -> None:
    assert passwords.policy_errors(password, "zhang_san") == []


def test_the_demo_and_test_passwords_still_pass() -> None:
    for username, *_rest in ACCOUNTS:
        assert passwords.policy_errors(DEMO_PASSWORD, username) == [], username
    for username in ("ent_a", "dist_a", "city_user", "admin_user", "security_user", "spare"):
        assert passwords.policy_errors(PASSWORD, username) == [], username


def test_the_common_list_is_bundled_lower_case_with_its_licence() -> None:
    listed = passwords.common_passwords()
    assert len(listed) == 10_000
    assert all(entry == entry.lower() for entry in listed)
    assert {"password", "123456", "qwerty", "password1", "charlie123"} <= listed
    notice = passwords.COMMON_PASSWORDS_FILE.with_name("common_passwords.NOTICE").read_text()
    assert "SecLists" in notice and "MIT License" in notice


def test_change_password_page_shows_the_reasons_on_the_field(client, world, db) -> None:
    login(client, "city_user", world.password)
    for new, reason in (("Password1", SHORT), ("Password123!", built_on("password"))):
        response = post_form(
            client,
            "/account/password",
            {"current_password": world.password, "new_password": new, "confirm_password": new},
        )
        assert response.status_code == 200
        assert f"新密码：{reason}" in response.get_data(as_text=True)
    db.expire_all()
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "auth.password_change")) is None
    assert login(client.application.test_client(), "city_user", world.password).status_code == 302


def test_admin_form_refuses_a_common_initial_password(world, db, login_as) -> None:
    data = {
        "username": "wang_wu",
        "display_name": "王五",
        "role": "district",
        "region_id": str(world.district_a.id),
        "password": "Admin@12345",
        "confirm_password": "Admin@12345",
    }
    response = post_form(login_as("admin"), "/admin/users/new", data)
    assert response.status_code == 200
    assert f"初始密码：{built_on('admin')}" in response.get_data(as_text=True)
    assert db.scalar(select(User).where(User.username == "wang_wu")) is None

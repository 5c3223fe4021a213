"""Password expiry (DISPATCH_PASSWORD_MAX_AGE_DAYS): off by default; when set, a sign-in
with an older password must change it before any other page opens."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select

from dispatch.config import ConfigError, Settings
from models import AuditEvent, User
from tests.conftest import login, post_form

MAX_AGE = 90


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, password_max_age_days=MAX_AGE)


def _age_password(db, world, key: str, days: float) -> User:  # type: ignore[no-untyped-def]
    user = world.users[key]
    user.password_changed_at = user.password_changed_at - dt.timedelta(days=days)
    db.commit()
    return user


def _expired_events(db) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    db.expire_all()
    stmt = select(AuditEvent).where(AuditEvent.action == "auth.password_expired")
    return list(db.scalars(stmt))


def test_an_expired_password_must_be_changed_before_anything_else(client, world, db) -> None:
    user = _age_password(db, world, "district_a", MAX_AGE + 1)
    response = login(client, user.username, world.password)
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/password"
    page = client.get("/account/password").get_data(as_text=True)
    assert f"您的密码已使用超过 {MAX_AGE} 天，已过期：请先修改密码" in page
    for path in ("/", "/projects/", "/account"):
        assert client.get(path).headers["Location"] == "/account/password", path
    db.expire_all()
    assert db.get(User, user.id).must_change_password is True
    [event] = _expired_events(db)
    assert (event.actor_id, event.details["max_age_days"]) == (user.id, MAX_AGE)

    changed = post_form(
        client,
        "/account/password",
        {
            "current_password": world.password,
            "new_password": "Renewed#2025pw",
            "confirm_password": "Renewed#2025pw",
        },
    )
    assert changed.status_code == 302
    assert client.get("/").status_code == 200
    db.expire_all()
    assert db.get(User, user.id).must_change_password is False
    # The new password starts a new period: the next sign-in goes straight in.
    again = client.application.test_client()
    assert login(again, user.username, "Renewed#2025pw").headers["Location"] == "/"


def test_a_password_younger_than_the_limit_signs_in_as_usual(client, world, db) -> None:
    user = _age_password(db, world, "district_a", MAX_AGE - 1)
    assert login(client, user.username, world.password).headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert _expired_events(db) == []


def test_expiry_is_checked_at_sign_in_only_after_the_password_is_right(client, world, db) -> None:
    user = _age_password(db, world, "district_a", MAX_AGE + 30)
    assert login(client, user.username, "Wrong#pass2025").status_code == 200
    db.expire_all()
    assert db.get(User, user.id).must_change_password is False
    assert _expired_events(db) == []


def test_the_account_page_and_the_policy_page_show_the_period(app, world, login_as) -> None:
    page = login_as("city").get("/account").get_data(as_text=True)
    assert f"{MAX_AGE} 天，至" in page
    officer = app.test_client()
    assert login(officer, "security_user", world.password).status_code == 302
    policy = officer.get("/security/policy").get_data(as_text=True)
    assert f"{MAX_AGE} 天，到期后登录须先修改密码" in policy


def test_setting_is_read_from_the_environment_and_checked() -> None:
    assert Settings.from_env({}).password_max_age_days == 0
    env = {"DISPATCH_PASSWORD_MAX_AGE_DAYS": "180"}
    assert Settings.from_env(env).password_max_age_days == 180
    with pytest.raises(ConfigError, match="DISPATCH_PASSWORD_MAX_AGE_DAYS"):
        Settings.from_env({"DISPATCH_PASSWORD_MAX_AGE_DAYS": "三个月"})
    with pytest.raises(ConfigError, match="DISPATCH_PASSWORD_MAX_AGE_DAYS"):
        Settings.from_env({"DISPATCH_PASSWORD_MAX_AGE_DAYS": "-1"})

"""The security officer's two-factor reset (a lost phone): audited, ends the user's
sessions, and only the security officer may do it (404 for everyone else)."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from dispatch.app import create_app
from dispatch.db import Database
from models import AuditEvent, RecoveryCode, TwoFactor, UserSession
from tests.auth.totp_helpers import code_at, enrol, second_step
from tests.conftest import START, csrf_token, login, post_form


def _reset(client, user_id: int):  # type: ignore[no-untyped-def]
    path = f"/security/accounts/{user_id}/two-factor/reset"
    return client.post(path, data={"csrf_token": csrf_token(client, "/")})


def test_the_security_officer_resets_two_factor(app, db, world, login_as, clock):
    user = world.users["district_a"]
    secret, _ = enrol(db, user, START)
    users_browser = app.test_client()
    login(users_browser, user.username, world.password)
    assert second_step(users_browser, code_at(secret, clock())).headers["Location"] == "/"

    officer = login_as("security")
    page = officer.get(f"/security/accounts/{user.id}").get_data(as_text=True)
    assert "已启用" in page and "重置两步验证" in page

    response = post_form(
        officer,
        f"/security/accounts/{user.id}/two-factor/reset",
        {},
        token_from=f"/security/accounts/{user.id}",
    )

    assert response.headers["Location"] == f"/security/accounts/{user.id}"
    db.expire_all()
    assert db.get(TwoFactor, user.id) is None
    assert not db.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all()
    live = db.scalars(
        select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    ).all()
    assert live == []
    assert users_browser.get("/").headers["Location"].startswith("/login")
    event = db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event is not None and event.action == "security.totp_reset"
    assert event.actor_id == world.users["security"].id and event.object_id == str(user.id)
    assert "未启用" in officer.get(f"/security/accounts/{user.id}").get_data(as_text=True)
    # Without two-factor (not required of a district): the password alone signs in again.
    fresh = app.test_client()
    assert login(fresh, user.username, world.password).headers["Location"] == "/"


def test_nothing_to_reset_is_refused_with_a_message(app, db, world, login_as):
    user = world.users["district_a"]
    officer = login_as("security")
    response = _reset(officer, user.id)
    assert response.status_code == 302
    page = officer.get(response.headers["Location"]).get_data(as_text=True)
    assert "未启用两步验证，无需重置" in page
    assert (
        db.scalars(select(AuditEvent).where(AuditEvent.action == "security.totp_reset")).all() == []
    )


@pytest.mark.parametrize("actor", ["admin", "auditor", "city", "district_a", "enterprise_a"])
def test_no_one_else_may_reset(app, db, world, login_as, actor):
    user = world.users["district_b"]
    enrol(db, user, START)
    client = login_as(actor)
    assert _reset(client, user.id).status_code == 404
    db.expire_all()
    assert db.get(TwoFactor, user.id) is not None


def test_after_a_reset_a_required_role_enrols_again(
    settings, engine, session_factory, clock, db, world
):  # type: ignore[no-untyped-def]
    enforcing = dataclasses.replace(settings, totp_roles=("city",))
    app = create_app(enforcing, database=Database(engine, session_factory), clock=clock)
    user = world.users["city"]
    enrol(db, user, START)
    officer = app.test_client()
    login(officer, world.users["security"].username, world.password)
    _reset(officer, user.id)

    client = app.test_client()
    assert login(client, user.username, world.password).headers["Location"] == "/account/two-factor"


def test_the_security_officer_cannot_reset_their_own(app, db, world, login_as):
    officer_user = world.users["security"]
    officer = login_as("security")
    enrol(db, officer_user, START)  # enrolled after this sign-in: no second step needed here
    response = _reset(officer, officer_user.id)
    page = officer.get(response.headers["Location"]).get_data(as_text=True)
    assert "不能重置自己的两步验证" in page
    db.expire_all()
    assert db.get(TwoFactor, officer_user.id) is not None


def test_the_accounts_list_shows_who_has_two_factor(app, db, world, login_as):
    enrol(db, world.users["district_a"], START)
    officer = login_as("security")
    page = officer.get("/security/accounts?q=" + world.users["district_a"].username)
    text = page.get_data(as_text=True)
    assert "两步验证" in text and "已启用" in text
    other = officer.get("/security/accounts?q=" + world.users["district_b"].username)
    assert "未启用" in other.get_data(as_text=True)

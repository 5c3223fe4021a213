"""Two-factor enrolment: the QR code page, confirming with a current code, the recovery
codes shown once, regenerating them, the secret sealed at rest, and the roles that must
enrol before they can do anything (DISPATCH_TOTP_ROLES)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pyotp
import pytest
from sqlalchemy import select

from dispatch.app import create_app
from dispatch.auth import totp
from dispatch.config import ConfigError, Settings
from dispatch.db import Database
from models import AuditEvent, RecoveryCode, Role, TwoFactor, UserSession
from tests.auth.totp_helpers import BOX, code_at, enrol, second_step
from tests.conftest import START, login, post_form
from tests.factories import PASSWORD

SECRET_RE = re.compile(r'data-testid="totp-secret">([A-Z2-7 ]+)<')
CODE_RE = re.compile(r"<li>([a-z2-9]{4}-[a-z2-9]{4})</li>")


def _secret_on(page: str) -> str:
    match = SECRET_RE.search(page)
    assert match, "no secret on the enrolment page"
    return match.group(1).replace(" ", "")


def _actions(db, user_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    return list(
        db.scalars(
            select(AuditEvent.action).where(AuditEvent.actor_id == user_id).order_by(AuditEvent.id)
        )
    )


def test_enrolment_with_the_qr_code_page(app, db, world, login_as, clock):
    client = login_as("district_a")
    user = world.users["district_a"]

    page = client.get("/account/two-factor").get_data(as_text=True)
    assert 'src="data:image/png;base64,' in page  # drawn by the app, no external service
    secret = _secret_on(page)
    # A reload shows the same secret (the phone may already have scanned it).
    assert _secret_on(client.get("/account/two-factor").get_data(as_text=True)) == secret

    wrong = post_form(client, "/account/two-factor", {"code": "123456"})
    assert wrong.status_code == 200 and "验证码错误或已过期" in wrong.get_data(as_text=True)
    db.expire_all()
    assert db.get(TwoFactor, user.id) is None

    done = post_form(client, "/account/two-factor", {"code": code_at(secret, clock())})
    assert done.headers["Location"] == "/account/two-factor/recovery-codes"
    shown = client.get("/account/two-factor/recovery-codes").get_data(as_text=True)
    codes = CODE_RE.findall(shown)
    assert len(codes) == 10 and len(set(codes)) == 10
    # Shown once: a reload finds them gone.
    again = client.get("/account/two-factor/recovery-codes")
    assert again.headers["Location"] == "/account"

    db.expire_all()
    tf = db.get(TwoFactor, user.id)
    assert tf is not None and tf.enrolled_at == clock()
    assert tf.last_used_step == totp.time_step(clock())
    # The database holds neither the secret nor the codes in clear.
    assert secret not in tf.sealed_secret and BOX.open(tf.sealed_secret, user.id) == secret
    rows = db.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all()
    assert len(rows) == 10
    assert not {r.code_hash for r in rows} & {c.replace("-", "") for c in codes}
    assert _actions(db, user.id)[-1] == "auth.totp_enrol"
    account = client.get("/account").get_data(as_text=True)
    assert "已启用" in account and "剩余恢复码 10 个" in account
    # Enrolled: the enrolment page sends the user back to the account page.
    assert client.get("/account/two-factor").headers["Location"] == "/account"


def test_a_sealed_secret_opens_only_for_its_account_and_key(db, world):
    sealed = BOX.seal("JBSWY3DPEHPK3PXP", 7)
    assert BOX.open(sealed, 7) == "JBSWY3DPEHPK3PXP"
    with pytest.raises(totp.SealError):
        BOX.open(sealed, 8)
    with pytest.raises(totp.SealError):
        totp.SecretBox("another-secret-key-of-the-app-0123456789").open(sealed, 7)


def test_regenerating_recovery_codes_needs_a_code_and_voids_the_old(app, db, world, client, clock):
    user = world.users["district_a"]
    secret, old_codes = enrol(db, user, START)
    login(client, user.username, world.password)
    second_step(client, code_at(secret, clock()))

    refused = post_form(
        client, "/account/two-factor/recovery-codes/new", {"code": "000000"}, token_from="/account"
    )
    assert refused.headers["Location"] == "/account"
    db.expire_all()
    hashes = set(db.scalars(select(RecoveryCode.code_hash)))
    assert len(hashes) == 10

    clock.advance(seconds=30)
    response = post_form(
        client,
        "/account/two-factor/recovery-codes/new",
        {"code": code_at(secret, clock())},
        token_from="/account",
    )
    assert response.headers["Location"] == "/account/two-factor/recovery-codes"
    new_codes = CODE_RE.findall(client.get(response.headers["Location"]).get_data(as_text=True))
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    db.expire_all()
    assert not set(db.scalars(select(RecoveryCode.code_hash))) & hashes
    assert _actions(db, user.id)[-1] == "auth.recovery_codes_regenerate"

    client.post("/logout", data={"csrf_token": _token(client)})
    login(client, user.username, world.password)
    assert second_step(client, old_codes[0]).status_code == 200
    assert second_step(client, new_codes[0]).headers["Location"] == "/"


def _token(client) -> str:  # type: ignore[no-untyped-def]
    from tests.conftest import csrf_token

    return csrf_token(client, "/")


@pytest.fixture
def enforcing_app(settings, engine, session_factory, clock):  # type: ignore[no-untyped-def]
    """The app with two-factor required of the city and the three officers."""
    enforcing = dataclasses.replace(settings, totp_roles=("city", "admin", "security", "auditor"))
    return create_app(enforcing, database=Database(engine, session_factory), clock=clock)


def test_a_required_role_enrols_before_anything_else(enforcing_app, db, world, clock):
    client = enforcing_app.test_client()
    user = world.users["city"]

    response = login(client, user.username, world.password)

    assert response.headers["Location"] == "/account/two-factor"
    # Not signed in: every other page asks for the login.
    assert client.get("/").headers["Location"].startswith("/login")
    assert client.get("/projects/").headers["Location"].startswith("/login")
    db.expire_all()
    assert not db.scalars(select(UserSession).where(UserSession.user_id == user.id)).all()

    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "您的角色必须使用两步验证登录" in page
    secret = _secret_on(page)
    done = post_form(client, "/account/two-factor", {"code": code_at(secret, clock())})
    assert done.headers["Location"] == "/account/two-factor/recovery-codes"
    assert len(CODE_RE.findall(client.get(done.headers["Location"]).get_data(as_text=True))) == 10
    assert client.get("/").status_code == 200  # signed in now
    db.expire_all()
    assert db.get(TwoFactor, user.id) is not None

    # The next sign-in asks for a code.
    client.post("/logout", data={"csrf_token": _token(client)})
    clock.advance(seconds=30)
    assert login(client, user.username, world.password).headers["Location"] == "/login/two-factor"


def test_a_role_not_required_signs_in_with_the_password(enforcing_app, world):
    client = enforcing_app.test_client()
    user = world.users["district_a"]
    assert login(client, user.username, world.password).headers["Location"] == "/"


def test_a_live_session_without_two_factor_is_held_at_enrolment(enforcing_app, db, world, clock):
    """A session that outlived its enrolment (the role became required, the row went)."""
    client = enforcing_app.test_client()
    user = world.users["city"]
    secret, _ = enrol(db, user, START)
    login(client, user.username, world.password)
    assert second_step(client, code_at(secret, clock())).headers["Location"] == "/"
    db.delete(db.get(TwoFactor, user.id))
    db.commit()

    for path in ("/", "/projects/", "/account"):
        assert client.get(path).headers["Location"] == "/account/two-factor", path
    assert client.get("/account/two-factor").status_code == 200


def test_must_change_password_comes_after_enrolment(enforcing_app, db, world, clock):
    user = world.users["auditor"]
    user = db.merge(user)
    user.must_change_password = True
    db.commit()
    client = enforcing_app.test_client()
    login(client, user.username, PASSWORD)
    secret = _secret_on(client.get("/account/two-factor").get_data(as_text=True))
    post_form(client, "/account/two-factor", {"code": code_at(secret, clock())})
    assert client.get("/").headers["Location"] == "/account/password"


# --- settings ---------------------------------------------------------------------------


def test_production_requires_two_factor_of_the_city_and_the_officers():
    roles = Settings.from_env({"DISPATCH_ENV": "production"}).totp_required_roles
    assert roles == {Role.CITY, Role.ADMIN, Role.SECURITY, Role.AUDITOR}


def test_development_requires_none_by_default():
    assert Settings.from_env({}).totp_required_roles == frozenset()


def test_the_roles_are_configurable():
    env = {"DISPATCH_ENV": "production", "DISPATCH_TOTP_ROLES": " district , city"}
    assert Settings.from_env(env).totp_required_roles == {Role.DISTRICT, Role.CITY}
    none = {"DISPATCH_ENV": "production", "DISPATCH_TOTP_ROLES": ""}
    assert Settings.from_env(none).totp_required_roles == frozenset()


def test_an_unknown_role_stops_start_up():
    settings = Settings.from_env({"DISPATCH_TOTP_ROLES": "city,boss"})
    with pytest.raises(ConfigError, match=r"DISPATCH_TOTP_ROLES.*'boss'"):
        settings.validate()


def test_the_code_matching_uses_the_time_given():
    secret = pyotp.random_base32()
    at = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    assert totp.matching_step(secret, code_at(secret, at), at) == totp.time_step(at)
    later = at + dt.timedelta(minutes=2)
    assert totp.matching_step(secret, code_at(secret, at), later) is None
    assert totp.matching_step(secret, "12345", at) is None
    assert totp.matching_step(secret, "１２３４５６", at) is None  # full-width digits


def test_guessing_codes_for_new_recovery_codes_is_rate_limited(
    settings, engine, session_factory, clock, db, world
):  # type: ignore[no-untyped-def]
    """A stolen session must not try all 10^6 codes at the regeneration form."""
    limited = dataclasses.replace(settings, ratelimit_enabled=True, login_rate_limit="3 per minute")
    app = create_app(limited, database=Database(engine, session_factory), clock=clock)
    client = app.test_client()
    user = world.users["district_a"]
    secret, _ = enrol(db, user, START)
    login(client, user.username, world.password)
    second_step(client, code_at(secret, clock()))
    statuses = [
        post_form(
            client,
            "/account/two-factor/recovery-codes/new",
            {"code": "000000"},
            token_from="/account",
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [302, 302, 302, 429]

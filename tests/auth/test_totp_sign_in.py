"""Two-factor sign-in: the second step after the password, with right, wrong, reused and
expired codes, recovery codes used once, its own attempt limit, and the state between the
two steps (nobody is signed in before the second one)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from dispatch.auth import totp
from models import AuditEvent, RecoveryCode, TwoFactor, UserSession
from tests.auth.totp_helpers import code_at, enrol, second_step, sign_in_with_code
from tests.conftest import START, login, post_form

STEP = dt.timedelta(seconds=totp.INTERVAL)


def _actions(db, user_id: int) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    events = db.scalars(
        select(AuditEvent).where(AuditEvent.actor_id == user_id).order_by(AuditEvent.id)
    )
    return [(e.action, e.outcome.value, str(e.details.get("reason", ""))) for e in events]


def _signed_in(client) -> bool:  # type: ignore[no-untyped-def]
    return client.get("/").status_code == 200


def _sessions(db, user_id: int) -> int:  # type: ignore[no-untyped-def]
    db.expire_all()
    return len(db.scalars(select(UserSession).where(UserSession.user_id == user_id)).all())


def test_password_alone_opens_no_session_for_an_enrolled_user(app, db, world, client):
    user = world.users["district_a"]
    enrol(db, user, START)

    response = login(client, user.username, world.password)

    assert response.headers["Location"] == "/login/two-factor"
    assert not _signed_in(client)
    assert client.get("/account").status_code == 302
    assert _sessions(db, user.id) == 0
    assert ("auth.login", "success", "") not in _actions(db, user.id)


def test_a_right_code_signs_in(app, db, world, client, clock):
    user = world.users["district_a"]
    secret, _codes = enrol(db, user, START)

    response = sign_in_with_code(client, user.username, world.password, secret, clock())

    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert _signed_in(client)
    assert _sessions(db, user.id) == 1
    db.expire_all()
    tf = db.get(TwoFactor, user.id)
    assert tf is not None and tf.last_used_step == totp.time_step(clock())
    actions = _actions(db, user.id)
    assert actions[-2:] == [("auth.totp_success", "success", ""), ("auth.login", "success", "")]
    login_event = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "auth.login").order_by(AuditEvent.id.desc())
    ).first()
    assert login_event is not None and login_event.details["second_factor"] == "totp"


def test_the_steps_next_to_now_are_accepted(app, db, world, client, clock):
    """±1 step of clock drift between the phone and the server."""
    user = world.users["district_a"]
    secret, _ = enrol(db, user, START - 5 * STEP)
    early = sign_in_with_code(client, user.username, world.password, secret, clock() - STEP)
    assert early.headers["Location"] == "/"
    client.post("/logout", data={"csrf_token": _token(client)})
    late = sign_in_with_code(client, user.username, world.password, secret, clock() + STEP)
    assert late.headers["Location"] == "/"


def _token(client) -> str:  # type: ignore[no-untyped-def]
    from tests.conftest import csrf_token

    return csrf_token(client, "/")


def test_a_wrong_code_is_refused_and_counted(app, db, world, client):
    user = world.users["district_a"]
    secret, _ = enrol(db, user, START)
    login(client, user.username, world.password)
    right = code_at(secret, START)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    response = second_step(client, wrong)

    assert response.status_code == 200
    assert "验证码错误或已过期" in response.get_data(as_text=True)
    assert not _signed_in(client)
    db.expire_all()
    assert db.get(TwoFactor, user.id).failed_attempts == 1
    assert _actions(db, user.id)[-1] == ("auth.totp_failure", "failure", "wrong_code")
    # The right code still works after a wrong one; the counter starts again.
    assert second_step(client, right).headers["Location"] == "/"
    db.expire_all()
    assert db.get(TwoFactor, user.id).failed_attempts == 0


def test_an_expired_code_is_refused(app, db, world, client, clock):
    user = world.users["district_a"]
    secret, _ = enrol(db, user, START - 10 * STEP)
    login(client, user.username, world.password)

    response = second_step(client, code_at(secret, clock() - 2 * STEP))

    assert response.status_code == 200
    assert "验证码错误或已过期" in response.get_data(as_text=True)
    assert not _signed_in(client)
    assert _actions(db, user.id)[-1] == ("auth.totp_failure", "failure", "wrong_code")


def test_a_used_code_is_refused_again(app, db, world, client, clock):
    user = world.users["district_a"]
    secret, _ = enrol(db, user, START)
    assert sign_in_with_code(client, user.username, world.password, secret, clock()).status_code
    client.post("/logout", data={"csrf_token": _token(client)})

    # The same code, seconds later (still in its step), from another browser.
    clock.advance(seconds=5)
    other = app.test_client()
    response = sign_in_with_code(other, user.username, world.password, secret, START)

    assert response.status_code == 200
    assert "已经使用过" in response.get_data(as_text=True)
    assert not _signed_in(other)
    assert _actions(db, user.id)[-1] == ("auth.totp_failure", "failure", "reused_code")
    # A code of an earlier step, still inside the window, is refused as well.
    again = second_step(other, code_at(secret, START - STEP))
    assert again.status_code == 200 and "已经使用过" in again.get_data(as_text=True)
    # The next step's code is fresh.
    clock.advance(seconds=30)
    assert second_step(other, code_at(secret, clock())).headers["Location"] == "/"


def test_a_recovery_code_works_once(app, db, world, client, clock):
    user = world.users["district_a"]
    _secret, codes = enrol(db, user, START)
    assert len(codes) == 10 and len(set(codes)) == 10
    login(client, user.username, world.password)

    # Typed in capitals with a space instead of the hyphen: the same code.
    response = second_step(client, codes[3].upper().replace("-", " "))

    assert response.headers["Location"] == "/"
    db.expire_all()
    used = db.scalars(select(RecoveryCode).where(RecoveryCode.used_at.is_not(None))).all()
    assert len(used) == 1 and used[0].user_id == user.id and used[0].used_at == clock()
    assert ("auth.recovery_code_used", "success", "") in _actions(db, user.id)

    client.post("/logout", data={"csrf_token": _token(client)})
    login(client, user.username, world.password)
    refused = second_step(client, codes[3])
    assert refused.status_code == 200
    assert "恢复码不正确或已使用过" in refused.get_data(as_text=True)
    assert not _signed_in(client)
    assert _actions(db, user.id)[-1] == ("auth.totp_failure", "failure", "bad_recovery_code")
    assert second_step(client, codes[4]).headers["Location"] == "/"


def test_five_wrong_codes_lock_the_account(app, db, world, client, clock):
    user = world.users["district_a"]
    enrol(db, user, START)
    login(client, user.username, world.password)
    for _ in range(4):
        assert second_step(client, "000000").status_code == 200

    fifth = second_step(client, "000000")

    assert fifth.status_code == 302 and fifth.headers["Location"] == "/login"
    db.expire_all()
    assert db.get(type(user), user.id).locked_until == clock() + dt.timedelta(minutes=15)
    assert db.get(TwoFactor, user.id).failed_attempts == 0
    assert _actions(db, user.id)[-2:] == [
        ("auth.totp_failure", "failure", "wrong_code"),
        ("auth.lockout", "success", "totp"),
    ]
    # Back at the password step, which refuses the locked account; so does the old step.
    assert client.get("/login/two-factor").headers["Location"] == "/login"
    assert login(client, user.username, world.password).status_code == 200
    assert not _signed_in(client)


def test_typing_the_password_again_gives_no_fresh_guesses(app, db, world, client):
    user = world.users["district_a"]
    enrol(db, user, START)
    login(client, user.username, world.password)
    for _ in range(3):
        second_step(client, "000000")
    login(client, user.username, world.password)
    second_step(client, "000000")

    assert second_step(client, "000000").headers["Location"] == "/login"
    db.expire_all()
    assert db.get(type(user), user.id).locked_until is not None


def test_the_second_step_expires(app, db, world, client, clock):
    user = world.users["district_a"]
    secret, _ = enrol(db, user, START)
    login(client, user.username, world.password)
    clock.advance(minutes=6)

    page = client.get("/login/two-factor")

    assert page.status_code == 302 and page.headers["Location"] == "/login"
    response = post_form(
        client, "/login/two-factor", {"code": code_at(secret, clock())}, token_from="/login"
    )
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert not _signed_in(client)


def test_without_the_password_step_there_is_no_second_step(app, world, client):
    page = client.get("/login/two-factor")
    assert page.status_code == 302 and page.headers["Location"] == "/login"


def test_the_next_page_is_kept_across_the_steps(app, db, world, client, clock):
    user = world.users["district_a"]
    secret, _ = enrol(db, user, START)
    response = post_form(
        client,
        "/login?next=/account",
        {"username": user.username, "password": world.password},
    )
    assert response.headers["Location"] == "/login/two-factor"
    assert second_step(client, code_at(secret, clock())).headers["Location"] == "/account"


def test_the_sign_in_history_shows_second_step_failures(app, db, world, client, clock):
    user = world.users["district_a"]
    secret, _ = enrol(db, user, START)
    login(client, user.username, world.password)
    second_step(client, "000000")
    second_step(client, code_at(secret, clock()))
    page = client.get("/account").get_data(as_text=True)
    assert "失败：两步验证码错误或已过期" in page
    assert "登录成功" in page

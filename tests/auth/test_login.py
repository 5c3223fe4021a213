"""Login, lockout, idle expiry, session rotation and password changes."""

from __future__ import annotations

from sqlalchemy import func, select

from dispatch.auth.services import LOGIN_FAILED_MESSAGE
from models import AuditEvent, User, UserSession
from tests.conftest import csrf_token, login, post_form


def _events(db, action):
    return db.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_login_success_lands_on_role_home_and_is_audited(client, world, db):
    response = login(client, "city_user", world.password)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "市局工作台" in page
    assert [e.outcome.value for e in _events(db, "auth.login")] == ["success"]


def test_failure_message_identical_for_unknown_and_known_users(client, world, db):
    unknown = login(client, "nobody", "whatever-Pass1").get_data(as_text=True)
    known = login(client, "city_user", "wrong-Pass1").get_data(as_text=True)
    assert LOGIN_FAILED_MESSAGE in unknown
    assert LOGIN_FAILED_MESSAGE in known
    outcomes = sorted(e.outcome.value for e in _events(db, "auth.login"))
    assert outcomes == ["failure", "failure"]


def test_lockout_at_fifth_failure_and_release_after_15_minutes(client, world, db, clock):
    for attempt in range(1, 5):
        login(client, "dist_a", "wrong-Pass1")
        user = db.scalar(select(User).where(User.username == "dist_a"))
        db.refresh(user)
        assert user.failed_logins == attempt
        assert user.locked_until is None
    login(client, "dist_a", "wrong-Pass1")  # the 5th failure locks
    db.expire_all()
    user = db.scalar(select(User).where(User.username == "dist_a"))
    assert user.locked_until is not None
    assert len(_events(db, "auth.lockout")) == 1

    # Even the right password is refused while locked, with the same message.
    refused = login(client, "dist_a", world.password)
    assert refused.status_code == 200
    assert LOGIN_FAILED_MESSAGE in refused.get_data(as_text=True)

    clock.advance(minutes=14, seconds=59)
    assert login(client, "dist_a", world.password).status_code == 200
    clock.advance(seconds=2)
    assert login(client, "dist_a", world.password).status_code == 302


def test_lock_lasts_15_minutes_from_the_fifth_failure(client, world, db, clock):
    for _ in range(5):
        login(client, "dist_b", "wrong-Pass1")
    db.expire_all()
    user = db.scalar(select(User).where(User.username == "dist_b"))
    assert (user.locked_until - clock.current).total_seconds() == 15 * 60


def test_successful_login_resets_failure_counter(client, world, db):
    for _ in range(4):
        login(client, "dist_a", "wrong-Pass1")
    assert login(client, "dist_a", world.password).status_code == 302
    db.expire_all()
    assert db.scalar(select(User.failed_logins).where(User.username == "dist_a")) == 0


def test_disabled_account_cannot_log_in(client, world, db):
    world.users["city"].is_active = False
    db.commit()
    response = login(client, "city_user", world.password)
    assert response.status_code == 200
    assert LOGIN_FAILED_MESSAGE in response.get_data(as_text=True)


def test_idle_session_expires_after_30_minutes(client, world, clock):
    login(client, "city_user", world.password)
    clock.advance(minutes=29)
    assert client.get("/").status_code == 200  # activity renews the idle window
    clock.advance(minutes=29)
    assert client.get("/").status_code == 200
    clock.advance(minutes=30, seconds=1)
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_idle_expiry_ends_the_server_side_session(client, world, clock, db):
    login(client, "city_user", world.password)
    clock.advance(minutes=31)
    client.get("/")
    row = db.scalar(select(UserSession).where(UserSession.user_id == world.users["city"].id))
    db.refresh(row)
    assert row.end_reason == "idle"


def test_session_identifier_changes_at_login(client, world, db):
    with client.session_transaction() as sess:
        sess["planted"] = "fixation"
        sess["sid"] = "attacker-chosen"
    login(client, "city_user", world.password)
    with client.session_transaction() as sess:
        first_sid = sess["sid"]
        assert "planted" not in sess
        assert first_sid != "attacker-chosen"
    post_form(client, "/logout", {}, token_from="/")
    login(client, "city_user", world.password)
    with client.session_transaction() as sess:
        assert sess["sid"] != first_sid
    count = db.scalar(select(func.count()).select_from(UserSession))
    assert count == 2


def test_logout_ends_session_even_if_cookie_is_replayed(app, client, world):
    login(client, "city_user", world.password)
    with client.session_transaction() as sess:
        stolen = dict(sess)
    assert post_form(client, "/logout", {}, token_from="/").status_code == 302
    replay = app.test_client()
    with replay.session_transaction() as sess:
        sess.update(stolen)
    assert replay.get("/").status_code == 302


def test_password_change_ends_other_sessions(app, client, world, db):
    other = app.test_client()
    login(other, "city_user", world.password)
    assert other.get("/").status_code == 200
    login(client, "city_user", world.password)
    response = post_form(
        client,
        "/account/password",
        {
            "current_password": world.password,
            "new_password": "Brand-new-2025",
            "confirm_password": "Brand-new-2025",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # this browser continues in a new session
    assert other.get("/").status_code == 302  # the other one is signed out
    assert len(_events(db, "auth.password_change")) == 1
    assert login(app.test_client(), "city_user", "Brand-new-2025").status_code == 302


def test_password_policy_messages_in_chinese(client, world):
    login(client, "city_user", world.password)
    cases = {
        "Ab1!": "不能少于 10 个字符",
        "alllowercase": "至少 3 类",
        "city_user-Pass1": "不能包含用户名",
    }
    for new, message in cases.items():
        response = post_form(
            client,
            "/account/password",
            {"current_password": world.password, "new_password": new, "confirm_password": new},
        )
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
    wrong_current = post_form(
        client,
        "/account/password",
        {
            "current_password": "not-it-Pass1",
            "new_password": "Brand-new-2025",
            "confirm_password": "Brand-new-2025",
        },
    )
    assert "当前密码不正确" in wrong_current.get_data(as_text=True)


def test_admin_assigned_password_must_be_changed_first(client, world, db):
    world.users["district_a"].must_change_password = True
    db.commit()
    response = login(client, "dist_a", world.password)
    assert response.headers["Location"] == "/account/password"
    assert client.get("/").headers["Location"] == "/account/password"
    post_form(
        client,
        "/account/password",
        {
            "current_password": world.password,
            "new_password": "Changed-2025x",
            "confirm_password": "Changed-2025x",
        },
    )
    assert client.get("/").status_code == 200


def test_post_without_csrf_token_is_400(client, world):
    response = client.post("/login", data={"username": "city_user", "password": world.password})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    login(client, "city_user", world.password)
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200  # still signed in


def test_login_does_not_redirect_off_site(client, world):
    token = csrf_token(client, "/login")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(
            f"/login?next={target}",
            data={"csrf_token": token, "username": "city_user", "password": world.password},
        )
        assert response.headers["Location"] == "/"
        post_form(client, "/logout", {}, token_from="/")
        token = csrf_token(client, "/login")
    response = client.post(
        "/login?next=/account/password",
        data={"csrf_token": token, "username": "city_user", "password": world.password},
    )
    assert response.headers["Location"] == "/account/password"

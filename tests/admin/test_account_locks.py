"""Locks from failed logins: shown with their end on the user pages, lifted early only by
the security officer (audited, with a CSRF token); 启用 on a locked account tells the
truth; an administrator's password reset or re-enabling no longer lifts a lock."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from models import AuditEvent, User
from tests.conftest import csrf_token, login, post_form

WRONG = "Wrong#pass2025"
# The suite's clock starts at 2025-06-02 01:00 UTC; five failures lock for 15 minutes.
LOCKED_UNTIL = "2025-06-02 09:15"  # Beijing time


def _lock(app, username: str) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    for _ in range(5):
        assert login(client, username, WRONG).status_code == 200


def _user(db, username: str) -> User:  # type: ignore[no-untyped-def]
    db.expire_all()
    user = db.scalar(select(User).where(User.username == username))
    assert user is not None
    return user


def _events(db, action: str) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    db.expire_all()
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _signs_in(app, username: str, password: str) -> bool:  # type: ignore[no-untyped-def]
    return login(app.test_client(), username, password).status_code == 302


def test_admin_sees_the_lock_and_its_end_on_the_list_and_the_user_page(app, world, login_as):
    _lock(app, "dist_a")
    client = login_as("admin")
    target = world.users["district_a"]
    listing = client.get("/admin/users").get_data(as_text=True)
    assert f'data-testid="locked-{target.id}">锁定至 {LOCKED_UNTIL}<' in listing
    assert f'data-testid="locked-{world.users["district_b"].id}"' not in listing
    page = client.get(f"/admin/users/{target.id}/edit").get_data(as_text=True)
    assert (
        f"该账户因连续登录失败被锁定至 {LOCKED_UNTIL}（北京时间），提前解锁须由安全管理员办理"
        in page
    )
    # No unlock for the system administrator: that is the security officer's.
    assert "/unlock" not in page


def test_enable_on_a_locked_account_says_it_is_locked_and_changes_nothing(app, db, world, login_as):
    _lock(app, "dist_a")
    target = world.users["district_a"]
    client = login_as("admin")
    edit = f"/admin/users/{target.id}/edit"
    response = post_form(client, f"/admin/users/{target.id}/enable", {}, token_from=edit)
    assert response.status_code == 302
    page = client.get(edit).get_data(as_text=True)
    assert "已是启用状态" not in page
    assert f"用户 dist_a 未被停用，无需启用；该账户因连续登录失败被锁定至 {LOCKED_UNTIL}" in page
    assert _user(db, "dist_a").locked_until is not None
    assert _events(db, "admin.user.enable") == []
    assert not _signs_in(app, "dist_a", world.password)


def test_enabling_a_disabled_locked_account_keeps_the_lock_and_says_so(app, db, world, login_as):
    _lock(app, "dist_b")
    target = world.users["district_b"]
    client = login_as("admin")
    edit = f"/admin/users/{target.id}/edit"
    post_form(client, f"/admin/users/{target.id}/disable", {}, token_from=edit)
    post_form(client, f"/admin/users/{target.id}/enable", {}, token_from=edit)
    page = client.get(edit).get_data(as_text=True)
    assert f"已启用用户 dist_b；该账户因连续登录失败被锁定至 {LOCKED_UNTIL}" in page
    user = _user(db, "dist_b")
    assert user.is_active is True and user.locked_until is not None


def test_an_admin_password_reset_does_not_lift_the_lock(app, db, world, login_as):
    _lock(app, "ent_a")
    target = world.users["enterprise_a"]
    client = login_as("admin")
    edit = f"/admin/users/{target.id}/edit"
    form = {"new_password": "Reset#2025pass", "confirm_password": "Reset#2025pass"}
    reset = post_form(client, f"/admin/users/{target.id}/reset-password", form, token_from=edit)
    assert reset.status_code == 302
    user = _user(db, "ent_a")
    assert user.locked_until is not None and user.must_change_password is True
    assert not _signs_in(app, "ent_a", "Reset#2025pass")


def _security(login_as) -> FlaskClient:  # type: ignore[no-untyped-def]
    return login_as("security")


def test_security_officer_finds_locked_accounts_and_unlocks_with_an_audit_event(
    app, db, world, login_as
):
    _lock(app, "dist_a")
    target = world.users["district_a"]
    client = _security(login_as)
    locked = client.get("/security/accounts?state=locked").get_data(as_text=True)
    assert "<td>dist_a</td>" in locked and "<td>dist_b</td>" not in locked
    assert f"锁定至 {LOCKED_UNTIL}" in locked
    page = client.get(f"/security/accounts/{target.id}").get_data(as_text=True)
    assert f"锁定中，至 {LOCKED_UNTIL}:00（北京时间）自动解除" in page

    client.environ_base["REMOTE_ADDR"] = "10.8.8.8"
    response = post_form(
        client,
        f"/security/accounts/{target.id}/unlock",
        {},
        token_from=f"/security/accounts/{target.id}",
    )
    assert response.status_code == 302
    assert "已解除用户 dist_a 的锁定" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    user = _user(db, "dist_a")
    assert (user.locked_until, user.failed_logins) == (None, 0)
    [event] = _events(db, "security.user.unlock")
    assert event.actor_id == world.users["security"].id
    assert event.remote_addr == "10.8.8.8"
    assert event.object_id == str(target.id)
    assert event.details["username"] == "dist_a"
    assert _signs_in(app, "dist_a", world.password)


def test_unlock_without_a_lock_is_refused_and_records_nothing(db, world, login_as):
    target = world.users["district_b"]
    client = _security(login_as)
    page = f"/security/accounts/{target.id}"
    assert "/unlock" not in client.get(page).get_data(as_text=True)  # no button
    post_form(client, f"{page}/unlock", {}, token_from=page)
    assert "用户 dist_b 当前未被锁定，无需解锁" in client.get(page).get_data(as_text=True)
    assert _events(db, "security.user.unlock") == []


def test_unlock_needs_the_csrf_token(app, db, world, login_as):
    _lock(app, "dist_a")
    client = _security(login_as)
    response = client.post(f"/security/accounts/{world.users['district_a'].id}/unlock")
    assert response.status_code == 400
    assert _user(db, "dist_a").locked_until is not None


def test_only_the_security_officer_unlocks(app, db, world, login_as):
    _lock(app, "dist_a")
    target = world.users["district_a"]
    for key in ("admin", "auditor", "city"):
        client = app.test_client()
        login(client, world.users[key].username, world.password)
        token = csrf_token(client, "/")
        response = client.post(f"/security/accounts/{target.id}/unlock", data={"csrf_token": token})
        assert response.status_code == 404, key
    assert _user(db, "dist_a").locked_until is not None
    assert _events(db, "security.user.unlock") == []


def test_the_auditor_reads_the_other_officers_actions(app, db, world, login_as):
    _lock(app, "dist_a")
    target = world.users["district_a"]
    security = app.test_client()
    login(security, "security_user", world.password)
    page = f"/security/accounts/{target.id}"
    post_form(security, f"{page}/unlock", {}, token_from=page)
    admin = app.test_client()
    login(admin, "admin_user", world.password)
    edit = f"/admin/users/{world.users['district_b'].id}/edit"
    post_form(admin, f"/admin/users/{world.users['district_b'].id}/disable", {}, token_from=edit)

    auditor = login_as("auditor")
    unlocks = auditor.get("/audit/events?action=security.user.unlock").get_data(as_text=True)
    [unlock] = _events(db, "security.user.unlock")
    assert f"<td>{unlock.id}</td>" in unlocks and "security_user" in unlocks
    disables = auditor.get("/audit/events?action=admin.user.disable").get_data(as_text=True)
    [disable] = _events(db, "admin.user.disable")
    assert f"<td>{disable.id}</td>" in disables and "admin_user" in disables

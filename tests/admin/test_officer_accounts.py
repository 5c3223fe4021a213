"""三员分立 in the account pages: the system administrator manages the business roles'
accounts only; the officers' accounts (admin, security, auditor) are made and kept on the
command line, so no officer grants itself, or anyone, an officer's role, takes an
officer's account over by resetting its password, or disables the auditor."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dispatch.access import OFFICER_ACCOUNTS_MESSAGE
from dispatch.audit import Acting
from dispatch.errors import DomainError
from dispatch.orgs import accounts
from models import AuditEvent, Role, User
from tests.conftest import START, login, post_form
from tests.factories import SETUP

PASSWORD = "Officer#2025pw"


def _admin_events(db) -> int:  # type: ignore[no-untyped-def]
    db.expire_all()
    stmt = select(func.count()).where(AuditEvent.action.startswith("admin.user."))
    return db.scalar(stmt.select_from(AuditEvent)) or 0


def _user(db, username: str) -> User | None:  # type: ignore[no-untyped-def]
    db.expire_all()
    return db.scalar(select(User).where(User.username == username))


@pytest.mark.parametrize("role", ["admin", "security", "auditor"])
def test_admin_cannot_create_an_officer_account(db, world, login_as, role: str) -> None:
    before = _admin_events(db)
    data = {
        "username": "new_officer",
        "display_name": "新三员",
        "role": role,
        "region_id": str(world.city.id),
        "password": PASSWORD,
        "confirm_password": PASSWORD,
    }
    response = post_form(login_as("admin"), "/admin/users/new", data)
    assert response.status_code == 200
    assert f"角色：{OFFICER_ACCOUNTS_MESSAGE}" in response.get_data(as_text=True)
    assert _user(db, "new_officer") is None
    assert _admin_events(db) == before


def test_the_role_select_offers_business_roles_only(login_as) -> None:
    page = login_as("admin").get("/admin/users/new").get_data(as_text=True)
    select_html = page.split('name="role"', 1)[1].split("</select>", 1)[0]
    offered = {
        value for value in ("enterprise", "district", "city") if f'value="{value}"' in select_html
    }
    assert offered == {"enterprise", "district", "city"}
    for officer in ("admin", "security", "auditor"):
        assert f'value="{officer}"' not in select_html


@pytest.mark.parametrize("role", ["admin", "security", "auditor"])
def test_admin_cannot_raise_an_account_to_an_officer_role(db, world, login_as, role) -> None:
    target = world.users["city"]
    form = {"display_name": "升级者", "role": role, "region_id": str(world.city.id)}
    response = post_form(login_as("admin"), f"/admin/users/{target.id}/edit", form)
    assert response.status_code == 200
    assert OFFICER_ACCOUNTS_MESSAGE in response.get_data(as_text=True)
    user = _user(db, target.username)
    assert (user.role, user.display_name) == (Role.CITY, target.display_name)


def test_the_service_refuses_the_same_whatever_the_form_lets_through(app, db, world) -> None:
    admin = Acting(world.users["admin"], START)
    with app.app_context():
        with pytest.raises(DomainError, match="三员"):
            accounts.create_user(
                db, admin, username="sneaky", display_name="x", role=Role.AUDITOR,
                password=PASSWORD, region=world.city,
            )  # fmt: skip
        with pytest.raises(DomainError, match="三员"):
            accounts.update_user(
                db, admin, world.users["district_a"], display_name="x", phone="",
                role=Role.SECURITY, region=world.city, enterprise=None,
            )  # fmt: skip
        for change in (accounts.disable_user, accounts.enable_user):
            with pytest.raises(DomainError, match="三员"):
                change(db, admin, world.users["auditor"])
        with pytest.raises(DomainError, match="三员"):
            accounts.reset_password(db, admin, world.users["security"], PASSWORD)
    db.rollback()


def test_the_command_line_makes_officer_accounts(app, db, world) -> None:
    # What `dispatch user create --role security` does: the system acts, no signed-in user.
    with app.app_context():
        officer = accounts.create_user(
            db, SETUP, username="sec_two", display_name="第二安全员", role=Role.SECURITY,
            password=PASSWORD, region=world.city, must_change_password=False,
        )  # fmt: skip
        db.commit()
    assert officer.role == Role.SECURITY
    client = app.test_client()
    assert login(client, "sec_two", PASSWORD).status_code == 302
    assert client.get("/security/accounts").status_code == 200


@pytest.mark.parametrize("key", ["security", "auditor"])
def test_officer_accounts_are_shown_read_only_to_the_admin(db, world, login_as, key) -> None:
    target = world.users[key]
    client = login_as("admin")
    listing = client.get("/admin/users").get_data(as_text=True)
    row = listing.split(f"<td>{target.username}</td>", 1)[1].split("</tr>", 1)[0]
    assert ">查看</a>" in row and ">编辑</a>" not in row
    page = client.get(f"/admin/users/{target.id}/edit").get_data(as_text=True)
    assert 'data-testid="officer-account"' in page
    assert f'action="/admin/users/{target.id}/disable"' not in page
    assert f'action="/admin/users/{target.id}/reset-password"' not in page

    before = _admin_events(db)
    edit = f"/admin/users/{target.id}/edit"
    form = {"display_name": "改名", "phone": "", "role": "city", "region_id": str(world.city.id)}
    assert post_form(client, edit, form).status_code == 200
    disabled = post_form(client, f"/admin/users/{target.id}/disable", {}, token_from="/")
    assert disabled.status_code == 302
    assert OFFICER_ACCOUNTS_MESSAGE in client.get(edit).get_data(as_text=True)
    reset = {"new_password": PASSWORD, "confirm_password": PASSWORD}
    refused = post_form(client, f"/admin/users/{target.id}/reset-password", reset, token_from="/")
    assert refused.status_code == 200
    assert OFFICER_ACCOUNTS_MESSAGE in refused.get_data(as_text=True)

    user = _user(db, target.username)
    assert (user.display_name, user.role, user.is_active) == (
        target.display_name, target.role, True,
    )  # fmt: skip
    assert user.password_hash == target.password_hash
    assert _admin_events(db) == before
    # And the account still signs in with its own password.
    assert (
        login(client.application.test_client(), target.username, world.password).status_code == 302
    )


def test_admin_still_manages_business_accounts(db, world, login_as) -> None:
    target = world.users["enterprise_b"]
    client = login_as("admin")
    edit = f"/admin/users/{target.id}/edit"
    assert 'data-testid="officer-account"' not in client.get(edit).get_data(as_text=True)
    assert (
        post_form(client, f"/admin/users/{target.id}/disable", {}, token_from=edit).status_code
        == 302
    )
    assert _user(db, target.username).is_active is False


@pytest.mark.parametrize(
    ("key", "paths"),
    [
        # Each officer is refused the other two officers' pages and every business page.
        ("admin", ["/security/accounts", "/security/policy", "/audit/events", "/audit/sign-ins"]),
        ("security", ["/admin/users", "/admin/users/new", "/admin/regions", "/audit/events",
                      "/audit/sign-ins"]),
        ("auditor", ["/admin/users", "/admin/enterprises", "/security/accounts",
                     "/security/policy"]),
    ],
)  # fmt: skip
def test_each_officer_is_refused_the_others_pages_and_business_data(
    login_as, world, key: str, paths: list[str]
) -> None:
    client = login_as(key)
    business = ["/projects/", "/projects/export.xlsx?year=2025", "/rounds/", "/evidence/",
                "/evidence/archive.zip", "/projects/import"]  # fmt: skip
    for path in [*paths, *business]:
        assert client.get(path).status_code == 404, (key, path)


def test_security_officer_cannot_create_or_edit_accounts(db, world, login_as) -> None:
    client = login_as("security")
    me = world.users["security"]
    data = {
        "username": "made_by_security",
        "display_name": "越权",
        "role": "auditor",
        "region_id": str(world.city.id),
        "password": PASSWORD,
        "confirm_password": PASSWORD,
    }
    token = client.get("/").get_data(as_text=True).split('name="csrf_token" value="', 1)[1]
    data["csrf_token"] = token.split('"', 1)[0]
    assert client.post("/admin/users/new", data=data).status_code == 404
    form = {"csrf_token": data["csrf_token"], "role": "admin", "region_id": str(world.city.id)}
    assert client.post(f"/admin/users/{me.id}/edit", data=form).status_code == 404
    assert _user(db, "made_by_security") is None
    assert _user(db, me.username).role == Role.SECURITY

"""User administration: create, edit, disable, enable, reset password, list and search."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditEvent, Role, User
from tests.conftest import login, post_form
from tests.factories import World

NEW_PASSWORD = "Fresh#2025pw"


def _events(db: Session, action: str, object_id: int) -> list[AuditEvent]:
    db.expire_all()
    stmt = select(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.object_id == str(object_id)
    )
    return list(db.scalars(stmt))


def _user(db: Session, username: str) -> User | None:
    db.expire_all()
    return db.scalar(select(User).where(User.username == username))


def _new_user_form(world: World, **overrides: str) -> dict[str, str]:
    data = {
        "username": "zhang_san",
        "display_name": "张三",
        "phone": "0531-1234567",
        "role": "district",
        "region_id": str(world.district_a.id),
        "enterprise_uscc": "",
        "password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


def _second_client(app, world: World, key: str) -> FlaskClient:  # type: ignore[no-untyped-def]
    other = app.test_client()
    response = login(other, world.users[key].username, world.password)
    assert response.status_code == 302
    assert other.get("/").status_code == 200
    return other


def _signed_out(client: FlaskClient) -> bool:
    response = client.get("/")
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


# --- create -----------------------------------------------------------------------------


def test_admin_creates_user_who_must_change_password_at_first_login(app, db, world, login_as):  # type: ignore[no-untyped-def]
    client = login_as("admin")
    response = post_form(client, "/admin/users/new", _new_user_form(world))
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/users"

    user = _user(db, "zhang_san")
    assert user is not None
    assert user.role == Role.DISTRICT
    assert user.region_id == world.district_a.id
    assert user.display_name == "张三"
    assert user.must_change_password is True
    [event] = _events(db, "admin.user.create", user.id)
    assert event.actor_id == world.users["admin"].id

    newcomer = app.test_client()
    first = login(newcomer, "zhang_san", NEW_PASSWORD)
    assert first.status_code == 302
    assert first.headers["Location"] == "/account/password"
    # Any other page also sends them to change the password first.
    assert newcomer.get("/").headers["Location"] == "/account/password"


def test_enterprise_user_is_attached_by_credit_code(db, world, login_as):  # type: ignore[no-untyped-def]
    client = login_as("admin")
    form = _new_user_form(
        world,
        username="qiye",
        role="enterprise",
        region_id="",
        enterprise_uscc=world.enterprise_b.uscc.lower(),
    )
    assert post_form(client, "/admin/users/new", form).status_code == 302
    user = _user(db, "qiye")
    assert user is not None
    assert user.enterprise_id == world.enterprise_b.id
    assert user.region_id is None


def test_weak_password_is_refused_in_chinese(db, world, login_as):  # type: ignore[no-untyped-def]
    client = login_as("admin")
    form = _new_user_form(world, password="abc", confirm_password="abc")
    response = post_form(client, "/admin/users/new", form)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "密码长度不能少于 10 个字符" in page
    assert "至少 3 类" in page
    assert 'value="zhang_san"' in page  # what was typed is kept
    assert _user(db, "zhang_san") is None


def test_password_containing_username_is_refused(db, world, login_as):  # type: ignore[no-untyped-def]
    password = "zhang_san#A1"
    form = _new_user_form(world, password=password, confirm_password=password)
    response = post_form(login_as("admin"), "/admin/users/new", form)
    assert "密码不能包含用户名" in response.get_data(as_text=True)
    assert _user(db, "zhang_san") is None


def test_mismatched_confirmation_is_refused(db, world, login_as):  # type: ignore[no-untyped-def]
    form = _new_user_form(world, confirm_password="Other#2025pw")
    response = post_form(login_as("admin"), "/admin/users/new", form)
    assert response.status_code == 200
    assert "两次输入的密码不一致" in response.get_data(as_text=True)
    assert _user(db, "zhang_san") is None


def test_duplicate_username_is_refused(db, world, login_as):  # type: ignore[no-untyped-def]
    form = _new_user_form(world, username=world.users["city"].username)
    response = post_form(login_as("admin"), "/admin/users/new", form)
    assert response.status_code == 200
    assert f"用户名 {world.users['city'].username} 已存在" in response.get_data(as_text=True)


def test_district_role_needs_a_district(db, world, login_as):  # type: ignore[no-untyped-def]
    form = _new_user_form(world, region_id=str(world.city.id))
    response = post_form(login_as("admin"), "/admin/users/new", form)
    assert response.status_code == 200
    assert "区县用户的所属区划必须是区县级" in response.get_data(as_text=True)
    assert _user(db, "zhang_san") is None


def test_city_role_refuses_a_district(db, world, login_as):  # type: ignore[no-untyped-def]
    form = _new_user_form(world, role="city", region_id=str(world.district_b.id))
    response = post_form(login_as("admin"), "/admin/users/new", form)
    assert "市局用户的所属区划必须是市级或省级" in response.get_data(as_text=True)


def test_enterprise_role_needs_a_known_enterprise(db, world, login_as):  # type: ignore[no-untyped-def]
    client = login_as("admin")
    missing = _new_user_form(world, role="enterprise", region_id="")
    page = post_form(client, "/admin/users/new", missing).get_data(as_text=True)
    assert "企业用户必须填写所属企业的统一社会信用代码" in page
    unknown = _new_user_form(world, role="enterprise", enterprise_uscc="91350100M000100Y43")
    page = post_form(client, "/admin/users/new", unknown).get_data(as_text=True)
    assert "未找到统一社会信用代码为 91350100M000100Y43 的企业" in page
    assert _user(db, "zhang_san") is None


def test_tampered_select_values_get_chinese_messages(db, world, login_as):  # type: ignore[no-untyped-def]
    form = _new_user_form(world, role="superuser", region_id="abc")
    response = post_form(login_as("admin"), "/admin/users/new", form)
    assert response.status_code == 200
    assert "所选项无效，请重新选择" in response.get_data(as_text=True)
    assert _user(db, "zhang_san") is None


# --- edit -------------------------------------------------------------------------------


def test_admin_edits_name_role_and_organisation(db, world, login_as):  # type: ignore[no-untyped-def]
    target = world.users["district_a"]
    client = login_as("admin")
    page = client.get(f"/admin/users/{target.id}/edit").get_data(as_text=True)
    assert target.display_name in page

    form = {
        "display_name": "李四",
        "phone": "13800000000",
        "role": "city",
        "region_id": str(world.city.id),
        "enterprise_uscc": "",
    }
    response = post_form(client, f"/admin/users/{target.id}/edit", form)
    assert response.status_code == 302
    user = _user(db, target.username)
    assert user is not None
    assert (user.display_name, user.phone, user.role) == ("李四", "13800000000", Role.CITY)
    assert user.region_id == world.city.id
    [event] = _events(db, "admin.user.update", target.id)
    assert event.details["changes"]["role"] == ["district", "city"]


def test_edit_with_mismatched_organisation_changes_nothing(db, world, login_as):  # type: ignore[no-untyped-def]
    target = world.users["city"]
    form = {"display_name": "改名", "role": "district", "region_id": str(world.city.id)}
    response = post_form(login_as("admin"), f"/admin/users/{target.id}/edit", form)
    assert response.status_code == 200
    assert "区县用户的所属区划必须是区县级" in response.get_data(as_text=True)
    user = _user(db, target.username)
    assert user is not None
    assert (user.role, user.display_name) == (Role.CITY, target.display_name)
    assert _events(db, "admin.user.update", target.id) == []


def test_admin_cannot_change_own_role(db, world, login_as):  # type: ignore[no-untyped-def]
    me = world.users["admin"]
    form = {"display_name": "管理员", "role": "city", "region_id": str(world.city.id)}
    response = post_form(login_as("admin"), f"/admin/users/{me.id}/edit", form)
    assert response.status_code == 200
    assert "不能修改自己的角色" in response.get_data(as_text=True)
    assert _user(db, me.username).role == Role.ADMIN  # type: ignore[union-attr]


# --- disable / enable -------------------------------------------------------------------


def test_disabling_ends_the_users_sessions(app, db, world, login_as):  # type: ignore[no-untyped-def]
    target = world.users["district_a"]
    other = _second_client(app, world, "district_a")

    client = login_as("admin")
    edit = f"/admin/users/{target.id}/edit"
    response = post_form(client, f"/admin/users/{target.id}/disable", {}, token_from=edit)
    assert response.status_code == 302
    assert "已停用用户" in client.get(edit).get_data(as_text=True)

    assert _user(db, target.username).is_active is False  # type: ignore[union-attr]
    assert len(_events(db, "admin.user.disable", target.id)) == 1
    assert _signed_out(other)
    # And the account cannot sign in again.
    assert login(app.test_client(), target.username, world.password).status_code == 200


def test_enabling_lets_the_user_sign_in_again(app, db, world, login_as):  # type: ignore[no-untyped-def]
    target = world.users["district_b"]
    client = login_as("admin")
    edit = f"/admin/users/{target.id}/edit"
    post_form(client, f"/admin/users/{target.id}/disable", {}, token_from=edit)
    response = post_form(client, f"/admin/users/{target.id}/enable", {}, token_from=edit)
    assert response.status_code == 302
    assert _user(db, target.username).is_active is True  # type: ignore[union-attr]
    assert len(_events(db, "admin.user.enable", target.id)) == 1
    assert login(app.test_client(), target.username, world.password).status_code == 302


def test_admin_cannot_disable_themselves(db, world, login_as):  # type: ignore[no-untyped-def]
    me = world.users["admin"]
    client = login_as("admin")
    edit = f"/admin/users/{me.id}/edit"
    response = post_form(client, f"/admin/users/{me.id}/disable", {}, token_from=edit)
    assert response.status_code == 302
    assert "不能停用自己的账户" in client.get(edit).get_data(as_text=True)
    assert _user(db, me.username).is_active is True  # type: ignore[union-attr]
    assert _events(db, "admin.user.disable", me.id) == []


# --- reset password ---------------------------------------------------------------------


def test_reset_password_ends_sessions_and_forces_a_change(app, db, world, login_as):  # type: ignore[no-untyped-def]
    target = world.users["enterprise_a"]
    other = _second_client(app, world, "enterprise_a")

    client = login_as("admin")
    edit = f"/admin/users/{target.id}/edit"
    form = {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    response = post_form(client, f"/admin/users/{target.id}/reset-password", form, token_from=edit)
    assert response.status_code == 302

    assert _signed_out(other)
    assert _user(db, target.username).must_change_password is True  # type: ignore[union-attr]
    assert len(_events(db, "admin.user.reset_password", target.id)) == 1
    fresh = app.test_client()
    assert login(fresh, target.username, world.password).status_code == 200  # old one is gone
    signed_in = login(fresh, target.username, NEW_PASSWORD)
    assert signed_in.headers["Location"] == "/account/password"


def test_reset_password_policy_errors_are_shown(db, world, login_as):  # type: ignore[no-untyped-def]
    target = world.users["city"]
    client = login_as("admin")
    edit = f"/admin/users/{target.id}/edit"
    form = {"new_password": "short", "confirm_password": "short"}
    response = post_form(client, f"/admin/users/{target.id}/reset-password", form, token_from=edit)
    assert response.status_code == 200
    assert "新密码：密码长度不能少于 10 个字符" in response.get_data(as_text=True)
    assert _events(db, "admin.user.reset_password", target.id) == []


def test_admin_cannot_reset_own_password_here(db, world, login_as):  # type: ignore[no-untyped-def]
    me = world.users["admin"]
    client = login_as("admin")
    edit = f"/admin/users/{me.id}/edit"
    form = {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    response = post_form(client, f"/admin/users/{me.id}/reset-password", form, token_from="/")
    assert response.status_code == 200
    assert "请通过“修改密码”修改自己的密码" in response.get_data(as_text=True)
    assert client.get(edit).status_code == 200  # still signed in


# --- list -------------------------------------------------------------------------------


def test_user_list_searches_username_and_display_name(world, login_as):  # type: ignore[no-untyped-def]
    client = login_as("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    assert all(u.username in page for u in world.users.values())

    by_username = client.get("/admin/users?q=DIST_").get_data(as_text=True)
    assert "dist_a" in by_username and "dist_b" in by_username
    assert "city_user" not in by_username

    by_name = client.get("/admin/users?q=审计").get_data(as_text=True)
    assert "auditor_user" in by_name and "dist_a" not in by_name

    by_role = client.get("/admin/users?role=enterprise").get_data(as_text=True)
    assert "ent_a" in by_role and "admin_user" not in by_role


def test_user_list_filters_by_status(db, world, login_as):  # type: ignore[no-untyped-def]
    client = login_as("admin")
    target = world.users["enterprise_b"]
    edit = f"/admin/users/{target.id}/edit"
    post_form(client, f"/admin/users/{target.id}/disable", {}, token_from=edit)
    disabled = client.get("/admin/users?status=disabled").get_data(as_text=True)
    assert "ent_b" in disabled and "ent_a" not in disabled
    active = client.get("/admin/users?status=active").get_data(as_text=True)
    assert "ent_b" not in active and "ent_a" in active

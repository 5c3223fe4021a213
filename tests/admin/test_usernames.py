"""User names: lower-case ASCII letters, digits and ``. _ -`` only, wherever an account is
made (the admin form, and the service under the command line and the demo seed), so no
name can pass for another (``admin`` with a Cyrillic а, a full-width letter, capitals)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dispatch.errors import DomainError
from dispatch.orgs import accounts
from models import Role, User
from tests.conftest import post_form
from tests.factories import SETUP

RULE = "用户名只能使用小写英文字母、数字和 . _ -，且以字母或数字开头"
PASSWORD = "Newcomer#2025"
REFUSED = [
    ("Zhang_San", RULE),  # capitals
    ("\u0430dmin", RULE),  # Cyrillic а
    ("ｚhang", RULE),  # full-width z (NFC keeps it)
    ("张三", RULE),  # not ASCII
    ("zhang san", RULE),
    ("_zhang", RULE),  # must start with a letter or digit
    ("zhang\u200b", "用户名不能包含不可见字符（U+200B）"),
]


@pytest.mark.parametrize(("username", "message"), REFUSED)
def test_admin_form_refuses_the_name_with_the_reason(db, world, login_as, username, message):
    data = {
        "username": username,
        "display_name": "新同事",
        "role": "district",
        "region_id": str(world.district_a.id),
        "password": PASSWORD,
        "confirm_password": PASSWORD,
    }
    response = post_form(login_as("admin"), "/admin/users/new", data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    db.expire_all()
    assert db.scalar(select(User).where(User.display_name == "新同事")) is None


@pytest.mark.parametrize(("username", "message"), REFUSED)
def test_every_other_way_in_refuses_it_too(app, db, world, username, message):
    # The command line and the demo seed create accounts through this service, as the system.
    with app.app_context(), pytest.raises(DomainError) as refused:
        accounts.create_user(
            db, SETUP, username=username, display_name="新同事", role=Role.SECURITY,
            password=PASSWORD, region=world.city,
        )  # fmt: skip
    assert message in refused.value.message
    assert refused.value.field == "username"
    db.rollback()


@pytest.mark.parametrize("username", ["zhang_san", "li.si", "wang-wu2", "ent_lixia", "a1"])
def test_plain_names_pass(app, db, world, username):
    with app.app_context():
        user = accounts.create_user(
            db, SETUP, username=username, display_name="新同事", role=Role.DISTRICT,
            password=PASSWORD, region=world.district_a,
        )  # fmt: skip
    assert user.username == username
    db.rollback()

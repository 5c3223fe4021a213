"""Text hygiene: control, direction and invisible characters and over-long text are refused
on every form and at the import, with a message that names the field and the limit.

Findings: an ESC or NUL typed into a text field (site address, notes, an A4 material name,
a region name) was stored and broke the year's export; the material name took any length;
look-alike user names (admin + U+200B, a Cyrillic а) were accepted.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models import Enterprise, Region, User
from tests.conftest import post_form
from tests.hostile.helpers import (
    NEW_A4,
    a4_form,
    create,
    field_errors,
    project_count,
    project_form,
)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("site_address", "甲区工业路\x1b9 号", "建设地点不能包含控制字符（U+001B）"),
        ("notes", "备注\x00", "备注不能包含控制字符（U+0000）"),
        ("notes", "备注\u202eexe.txt", "备注不能包含文字方向控制字符（U+202E）"),
        ("name", "锅炉改造\u200b", "项目名称不能包含不可见字符（U+200B）"),
        ("contact_name", "李工\x07", "联系人不能包含控制字符（U+0007）"),
        ("owner_unit", "住建局\x9b", "建设单位（非企业）不能包含控制字符（U+009B）"),
        ("site_address", "路" * 256, "建设地点过长：最多 255 个字符，当前 256 个"),
    ],
)
def test_project_text_fields_refuse_unclean_text(login_as, db, world, field, value, message):
    client = login_as("district_a")
    response = create(client, project_form(world, **{field: value}))
    assert response.status_code == 200
    assert any(message in error for error in field_errors(response.get_data(as_text=True)))
    assert project_count(db) == 0


def test_notes_keep_their_line_breaks(login_as, db, world):
    client = login_as("district_a")
    assert create(client, project_form(world, notes="第一行\r\n\t第二行")).status_code == 302
    assert project_count(db) == 1


def test_a4_material_name_is_clean_and_bounded(login_as, db, world):
    client = login_as("district_a")
    escaped = create(client, a4_form(world, p_materials__0__name="涂料\x1b[31m"), NEW_A4)
    assert escaped.status_code == 200
    assert "材料名称不能包含控制字符（U+001B）" in escaped.get_data(as_text=True)

    huge = "厂" * 100_000
    response = create(client, a4_form(world, p_materials__0__name=huge), NEW_A4)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "材料名称过长：最多 100 个字符，当前 100000 个" in field_errors(page)
    # The refusal does not send the paste back whole (the input keeps a sane prefix).
    assert page.count("厂") < 5_000
    assert project_count(db) == 0


def test_region_name_with_a_control_character_is_refused(login_as, db, world):
    client = login_as("admin")
    data = {"kind": "district", "name": "新区\x1b", "division_code": "990109"}
    data["parent_id"] = str(world.city.id)
    response = post_form(client, "/admin/regions/new", data)
    assert response.status_code == 200
    assert "名称不能包含控制字符（U+001B）" in response.get_data(as_text=True)
    assert db.scalar(select(Region).where(Region.division_code == "990109")) is None


def test_enterprise_name_with_invisible_or_control_characters_is_refused(login_as, db, world):
    client = login_as("admin")
    before = db.scalar(select(func.count(Enterprise.id)))
    for name, message in (
        ("丙化工\u200b有限公司", "企业名称不能包含不可见字符（U+200B）"),
        ("丙化工\x00有限公司", "企业名称不能包含控制字符（U+0000）"),
    ):
        data = {"name": name, "uscc": "91350100M000100Y43", "district_id": world.district_a.id}
        response = post_form(client, "/admin/enterprises/new", data)
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
    db.expire_all()
    assert db.scalar(select(func.count(Enterprise.id))) == before


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("admin_user\u200b", "用户名不能包含不可见字符（U+200B）"),
        ("\u0430dmin_user", "用户名只能使用小写英文字母、数字和 . _ -"),  # Cyrillic а
        ("Admin_User", "用户名只能使用小写英文字母、数字和 . _ -"),
        ("u" * 65, "用户名过长：最多 64 个字符，当前 65 个"),
    ],
)
def test_look_alike_user_names_are_refused(login_as, db, world, username, message):
    client = login_as("admin")
    data = {
        "username": username,
        "display_name": "冒名者",
        "phone": "",
        "role": "district",
        "region_id": str(world.district_a.id),
        "enterprise_uscc": "",
        "password": "Another#Pass2025",
        "confirm_password": "Another#Pass2025",
    }
    response = post_form(client, "/admin/users/new", data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    db.expire_all()
    assert db.scalar(select(User).where(User.display_name == "冒名者")) is None

"""Regions and enterprises in the admin area: create, edit, search, validation."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditEvent, Enterprise, Region, RegionKind
from models.orgs import uscc_check_char
from tests.conftest import post_form
from tests.factories import World

VALID_USCC = "91350100M000100Y43"


def _events(db: Session, action: str, object_id: int) -> list[AuditEvent]:
    db.expire_all()
    stmt = select(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.object_id == str(object_id)
    )
    return list(db.scalars(stmt))


def _region(db: Session, code: str) -> Region | None:
    db.expire_all()
    return db.scalar(select(Region).where(Region.division_code == code))


def _enterprise(db: Session, uscc: str) -> Enterprise | None:
    db.expire_all()
    return db.scalar(select(Enterprise).where(Enterprise.uscc == uscc))


def _uscc(serial: int) -> str:
    first17 = f"91990101MA{serial:07d}"
    return first17 + uscc_check_char(first17)


# --- regions ----------------------------------------------------------------------------


def test_admin_creates_a_district_under_a_city(db, world, login_as):  # type: ignore[no-untyped-def]
    form = {
        "kind": "district",
        "name": "丙区",
        "division_code": "990103",
        "parent_id": world.city.id,
    }
    response = post_form(login_as("admin"), "/admin/regions/new", form)
    assert response.status_code == 302
    region = _region(db, "990103")
    assert region is not None
    assert (region.name, region.kind, region.parent_id) == (
        "丙区",
        RegionKind.DISTRICT,
        world.city.id,
    )
    assert region.path == f"{world.city.path}{region.id}/"
    assert len(_events(db, "admin.region.create", region.id)) == 1


def test_region_create_validation(db, world, login_as):  # type: ignore[no-untyped-def]
    client = login_as("admin")
    cases = [
        ({"division_code": "99010"}, "行政区划代码必须为 6 位数字"),
        ({"division_code": "09abcd"}, "行政区划代码必须为 6 位数字（GB/T 2260）"),
        ({"division_code": world.district_a.division_code}, "已存在"),
        ({"parent_id": world.province.id}, "区县级区划的上级必须是市级区划"),
        ({"parent_id": ""}, "区县级区划的上级必须是市级区划"),
        ({"kind": "province", "parent_id": world.province.id}, "省级区划不能有上级"),
        ({"name": ""}, "请填写名称"),
        ({"kind": ""}, "请选择级别"),
    ]
    for change, message in cases:
        form = {"kind": "district", "name": "丙区", "division_code": "990103"}
        form["parent_id"] = world.city.id
        form.update(change)
        response = post_form(client, "/admin/regions/new", form)
        assert response.status_code == 200, change
        assert message in response.get_data(as_text=True), change
    assert _region(db, "990103") is None


def test_admin_renames_a_region_and_corrects_its_code(db, world, login_as):  # type: ignore[no-untyped-def]
    district = world.district_b
    client = login_as("admin")
    path = f"/admin/regions/{district.id}/edit"
    page = client.get(path).get_data(as_text=True)
    assert "区划级别创建后不可修改" in page
    # A kind in the POST is ignored: the edit form has no such field.
    form = {"name": "乙区（新）", "division_code": "990109", "kind": "city"}
    assert post_form(client, path, form).status_code == 302
    region = _region(db, "990109")
    assert region is not None
    assert (region.id, region.name, region.kind) == (district.id, "乙区（新）", RegionKind.DISTRICT)
    [event] = _events(db, "admin.region.update", district.id)
    assert event.details["changes"]["division_code"] == ["990102", "990109"]


def test_region_edit_refuses_a_taken_or_malformed_code(db, world, login_as):  # type: ignore[no-untyped-def]
    client = login_as("admin")
    path = f"/admin/regions/{world.district_b.id}/edit"
    taken = post_form(client, path, {"name": "乙区", "division_code": "990101"})
    assert taken.status_code == 200
    assert "行政区划代码 990101 已存在" in taken.get_data(as_text=True)
    bad = post_form(client, path, {"name": "乙区", "division_code": "abcdef"})
    assert "行政区划代码必须为 6 位数字" in bad.get_data(as_text=True)
    assert _region(db, "990102") is not None
    assert _events(db, "admin.region.update", world.district_b.id) == []


def test_region_list_searches_by_name_and_code(world, login_as):  # type: ignore[no-untyped-def]
    client = login_as("admin")
    by_name = client.get("/admin/regions?q=甲").get_data(as_text=True)
    assert "990101" in by_name and "990102" not in by_name
    by_code = client.get("/admin/regions?q=9901").get_data(as_text=True)
    assert "990101" in by_code and "990100" in by_code and "990000" not in by_code
    by_kind = client.get("/admin/regions?kind=city").get_data(as_text=True)
    assert "990100" in by_kind and "990101" not in by_kind


# --- enterprises ------------------------------------------------------------------------


def _enterprise_form(world: World, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "丙化工有限公司",
        "uscc": VALID_USCC,
        "district_id": world.district_a.id,
        "address": "工业路 8 号",
        "industry": "化工",
        "permit_number": "91350100M000100Y43001P",
    }
    data.update(overrides)
    return data


def test_admin_creates_an_enterprise(db, world, login_as):  # type: ignore[no-untyped-def]
    form = _enterprise_form(world, uscc=VALID_USCC.lower() + " ")
    response = post_form(login_as("admin"), "/admin/enterprises/new", form)
    assert response.status_code == 302
    enterprise = _enterprise(db, VALID_USCC)
    assert enterprise is not None
    assert (enterprise.name, enterprise.district_id) == ("丙化工有限公司", world.district_a.id)
    assert len(_events(db, "admin.enterprise.create", enterprise.id)) == 1


def test_invalid_credit_code_is_refused_in_chinese(db, world, login_as):  # type: ignore[no-untyped-def]
    client = login_as("admin")
    broken = VALID_USCC[:-1] + "X"
    response = post_form(client, "/admin/enterprises/new", _enterprise_form(world, uscc=broken))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "统一社会信用代码无效：应为 18 位，且校验位符合 GB 32100-2015" in page
    assert 'value="丙化工有限公司"' in page
    assert _enterprise(db, broken) is None


def test_enterprise_create_validation(db, world, login_as):  # type: ignore[no-untyped-def]
    client = login_as("admin")
    before = db.scalar(select(Enterprise.id).order_by(Enterprise.id.desc()).limit(1))
    cases = [
        ({"uscc": world.enterprise_a.uscc}, "已被其他企业使用"),
        ({"uscc": ""}, "请填写统一社会信用代码"),
        ({"name": ""}, "请填写企业名称"),
        ({"name": "厂" * 129}, "企业名称过长：最多 128 个字符，当前 129 个"),
        ({"district_id": ""}, "请选择所属区县"),
        ({"district_id": world.city.id}, "所选项无效，请重新选择"),
    ]
    for change, message in cases:
        response = post_form(client, "/admin/enterprises/new", _enterprise_form(world, **change))
        assert response.status_code == 200, change
        assert message in response.get_data(as_text=True), change
    db.expire_all()
    assert db.scalar(select(Enterprise.id).order_by(Enterprise.id.desc()).limit(1)) == before


def test_admin_edits_an_enterprise(db, world, login_as):  # type: ignore[no-untyped-def]
    target = world.enterprise_a
    client = login_as("admin")
    path = f"/admin/enterprises/{target.id}/edit"
    assert target.uscc in client.get(path).get_data(as_text=True)
    new_code = _uscc(42)
    form = _enterprise_form(
        world,
        name="甲区化工（更名）",
        uscc=new_code,
        district_id=world.district_b.id,
        permit_number="",
    )
    assert post_form(client, path, form).status_code == 302
    enterprise = _enterprise(db, new_code)
    assert enterprise is not None
    assert enterprise.id == target.id
    assert (enterprise.name, enterprise.district_id) == ("甲区化工（更名）", world.district_b.id)
    assert enterprise.permit_number is None
    [event] = _events(db, "admin.enterprise.update", target.id)
    assert event.details["changes"]["name"] == ["甲区化工有限公司", "甲区化工（更名）"]


def test_enterprise_edit_refuses_another_enterprises_code(db, world, login_as):  # type: ignore[no-untyped-def]
    path = f"/admin/enterprises/{world.enterprise_a.id}/edit"
    form = _enterprise_form(world, uscc=world.enterprise_b.uscc)
    response = post_form(login_as("admin"), path, form)
    assert response.status_code == 200
    assert f"统一社会信用代码 {world.enterprise_b.uscc} 已被其他企业使用" in response.get_data(
        as_text=True
    )
    assert _enterprise(db, world.enterprise_a.uscc).name == "甲区化工有限公司"  # type: ignore[union-attr]


def test_enterprise_list_searches_by_name_code_and_district(world, login_as):  # type: ignore[no-untyped-def]
    client = login_as("admin")
    a, b = world.enterprise_a, world.enterprise_b
    by_name = client.get("/admin/enterprises?q=热电").get_data(as_text=True)
    assert b.name in by_name and a.name not in by_name
    by_code = client.get(f"/admin/enterprises?q={a.uscc[-8:].lower()}").get_data(as_text=True)
    assert a.name in by_code and b.name not in by_code
    by_district = client.get(f"/admin/enterprises?district_id={b.district_id}").get_data(
        as_text=True
    )
    assert b.name in by_district and a.name not in by_district
    nothing = client.get("/admin/enterprises?q=不存在的企业").get_data(as_text=True)
    assert "没有符合条件的企业" in nothing

"""Factories for test data, built through the same services the app uses."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from typing import Any

from sqlalchemy.orm import Session

from dispatch.audit import Acting
from dispatch.orgs import accounts
from dispatch.orgs import services as orgs
from models import Enterprise, Region, RegionKind, Role, User
from models.orgs import uscc_check_char

PASSWORD = "Test@2025!pw"
# Test organisations are set up by "the system" (no acting user) at the suite's start time.
SETUP = Acting(None, at=dt.datetime(2025, 6, 2, 1, 0, tzinfo=dt.UTC))
_seq = itertools.count(1)


def make_region(
    session: Session, name: str, code: str, kind: RegionKind, parent: Region | None
) -> Region:
    return orgs.create_region(
        session, SETUP, name=name, division_code=code, kind=kind, parent=parent
    )


def factory_uscc(division_code: str, n: int) -> str:
    """A well-formed credit code that no fixed code of a test can equal: organisation code
    ``TF`` and the serial in seven digits. (``demo_uscc`` repeats every 310 serials, so that
    a test process's 91st enterprise took the code a test imports as new.)"""
    first17 = "91" + division_code + f"TF{n:07d}"
    return first17 + uscc_check_char(first17)


def make_enterprise(session: Session, district: Region, name: str | None = None) -> Enterprise:
    n = next(_seq)
    return orgs.create_enterprise(
        session,
        SETUP,
        name=name or f"测试企业{n}有限公司",
        uscc=factory_uscc(district.division_code, n),
        district=district,
        address="测试路 1 号",
        industry="测试",
    )


def make_user(
    session: Session,
    role: Role,
    *,
    region: Region | None = None,
    enterprise: Enterprise | None = None,
    username: str | None = None,
    password: str = PASSWORD,
    must_change: bool = False,
) -> User:
    return accounts.create_user(
        session,
        SETUP,
        username=username or f"{role.value}_{next(_seq)}",
        display_name=f"测试{role.label}",
        role=role,
        password=password,
        region=region,
        enterprise=enterprise,
        must_change_password=must_change,
    )


@dataclasses.dataclass
class World:
    """Two districts of one city, an enterprise in each, a user for every role, and a
    second city (one district, one enterprise, one city user) that is out of everyone's
    scope but its own."""

    province: Region
    city: Region
    district_a: Region
    district_b: Region
    enterprise_a: Enterprise
    enterprise_b: Enterprise
    other_city: Region
    other_district: Region
    other_enterprise: Enterprise
    users: dict[str, User]
    password: str = PASSWORD


def build_world(session: Session) -> World:
    province = make_region(session, "测试省", "990000", RegionKind.PROVINCE, None)
    city = make_region(session, "测试市", "990100", RegionKind.CITY, province)
    district_a = make_region(session, "甲区", "990101", RegionKind.DISTRICT, city)
    district_b = make_region(session, "乙区", "990102", RegionKind.DISTRICT, city)
    enterprise_a = make_enterprise(session, district_a, "甲区化工有限公司")
    enterprise_b = make_enterprise(session, district_b, "乙区热电有限公司")
    other_city = make_region(session, "邻市", "990200", RegionKind.CITY, province)
    other_district = make_region(session, "丙区", "990201", RegionKind.DISTRICT, other_city)
    other_enterprise = make_enterprise(session, other_district, "丙区建材有限公司")
    users = {
        "enterprise_a": make_user(
            session, Role.ENTERPRISE, enterprise=enterprise_a, username="ent_a"
        ),
        "enterprise_b": make_user(
            session, Role.ENTERPRISE, enterprise=enterprise_b, username="ent_b"
        ),
        "district_a": make_user(session, Role.DISTRICT, region=district_a, username="dist_a"),
        "district_b": make_user(session, Role.DISTRICT, region=district_b, username="dist_b"),
        "city": make_user(session, Role.CITY, region=city, username="city_user"),
        "other_city": make_user(session, Role.CITY, region=other_city, username="other_city"),
        "admin": make_user(session, Role.ADMIN, region=city, username="admin_user"),
        "security": make_user(session, Role.SECURITY, region=city, username="security_user"),
        "auditor": make_user(session, Role.AUDITOR, region=city, username="auditor_user"),
    }
    return World(
        province=province,
        city=city,
        district_a=district_a,
        district_b=district_b,
        enterprise_a=enterprise_a,
        enterprise_b=enterprise_b,
        other_city=other_city,
        other_district=other_district,
        other_enterprise=other_enterprise,
        users=users,
    )


# A world's rows by model and id: field name → id, and user key → id.
@dataclasses.dataclass(frozen=True)
class WorldIds:
    regions: dict[str, int]
    enterprises: dict[str, int]
    users: dict[str, int]


_REGIONS = ("province", "city", "district_a", "district_b", "other_city", "other_district")
_ENTERPRISES = ("enterprise_a", "enterprise_b", "other_enterprise")


def world_ids(world: World) -> WorldIds:
    return WorldIds(
        regions={name: getattr(world, name).id for name in _REGIONS},
        enterprises={name: getattr(world, name).id for name in _ENTERPRISES},
        users={key: user.id for key, user in world.users.items()},
    )


def load_world(session: Session, ids: WorldIds) -> World:
    """The world whose rows are already in ``session``'s database."""

    def get(model: type[Any], id_: int) -> Any:
        found = session.get(model, id_)
        assert found is not None, f"{model.__name__} {id_} of the world is missing"
        return found

    return World(
        **{name: get(Region, id_) for name, id_ in ids.regions.items()},
        **{name: get(Enterprise, id_) for name, id_ in ids.enterprises.items()},
        users={key: get(User, id_) for key, id_ in ids.users.items()},
    )

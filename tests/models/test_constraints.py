"""Invariants the database itself enforces (role ↔ organisation, district membership)."""

from __future__ import annotations

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from models import Enterprise, User


def _user_row(**kw):
    base = {
        "username": "x",
        "display_name": "x",
        "phone": "",
        "is_active": True,
        "password_hash": "h",
        "failed_logins": 0,
        "must_change_password": False,
    }
    base.update(kw)
    return base


def _insert(db, table, row):
    from models.base import utcnow

    row.setdefault("created_at", utcnow())
    row.setdefault("updated_at", utcnow())
    if table is User.__table__:
        row.setdefault("password_changed_at", utcnow())
    with db.begin_nested():
        db.execute(insert(table).values(**row))


@pytest.mark.parametrize(
    "label, row",
    [
        (
            "district user on a city",
            lambda w: _user_row(role="district", region_id=w.city.id, region_kind="city"),
        ),
        (
            "city user on a district",
            lambda w: _user_row(role="city", region_id=w.district_a.id, region_kind="district"),
        ),
        (
            "enterprise user without enterprise",
            lambda w: _user_row(
                role="enterprise", region_id=w.district_a.id, region_kind="district"
            ),
        ),
        (
            "forged region kind",
            lambda w: _user_row(role="district", region_id=w.city.id, region_kind="district"),
        ),
        (
            "unknown role",
            lambda w: _user_row(role="superuser", region_id=w.city.id, region_kind="city"),
        ),
    ],
)
def test_role_must_match_organisation_kind(db, world, label, row):
    with pytest.raises(IntegrityError):
        _insert(db, User.__table__, row(world))


def test_valid_role_rows_are_accepted(db, world):
    _insert(
        db,
        User.__table__,
        _user_row(role="district", region_id=world.district_a.id, region_kind="district"),
    )


def test_enterprise_must_sit_in_a_district(db, world):
    row = {
        "name": "x",
        "uscc": "91350100M000100Y43",
        "district_id": world.city.id,
        "district_kind": "district",
        "address": "",
        "industry": "",
    }
    with pytest.raises(IntegrityError):
        _insert(db, Enterprise.__table__, row)


def test_credit_code_is_unique(db, world):
    row = {
        "name": "x",
        "uscc": world.enterprise_a.uscc,
        "district_id": world.district_a.id,
        "district_kind": "district",
        "address": "",
        "industry": "",
    }
    with pytest.raises(IntegrityError):
        _insert(db, Enterprise.__table__, row)

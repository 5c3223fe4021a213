"""Enum columns hold the member's value, and the database refuses anything else."""

from __future__ import annotations

import pytest
from sqlalchemy import Enum, String, cast, select, update
from sqlalchemy.exc import IntegrityError

from models import Base, Region, RegionKind, Role, User


def _raw(column):  # type: ignore[no-untyped-def]
    # Read past the Enum type so the test sees the text the database stores.
    return cast(column, String)


def test_rows_store_values_not_member_names(db, world):
    user = world.users["district_a"]
    stored_role = db.scalar(select(_raw(User.role)).where(User.id == user.id))
    stored_kind = db.scalar(select(_raw(Region.kind)).where(Region.id == world.district_a.id))
    assert (stored_role, stored_kind) == (Role.DISTRICT.value, RegionKind.DISTRICT.value)
    assert db.get(User, user.id).role is Role.DISTRICT


@pytest.mark.parametrize("value", ["DISTRICT", "superuser", ""])
def test_a_value_outside_the_enum_is_refused(db, world, value):
    users = User.__table__
    with pytest.raises(IntegrityError), db.begin_nested():
        db.execute(
            update(users)
            .where(users.c.id == world.users["district_a"].id)
            .values(role=cast(value, String))
        )
    db.expire_all()
    assert db.get(User, world.users["district_a"].id).role is Role.DISTRICT


def test_every_enum_column_has_a_database_check():
    tables_with_enums = {
        (table.name, column.type.name)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, Enum)
    }
    checks = {c.name for table in Base.metadata.sorted_tables for c in table.constraints}
    assert {f"ck_{table}_{name}" for table, name in tables_with_enums} <= checks

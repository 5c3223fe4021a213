"""Declarative base, naming convention and shared column types.

Models import SQLAlchemy and the standard library only, so Alembic, scripts and tests can
load them without a Flask application.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import DateTime, Enum, MetaData
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Stable constraint names make migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC timestamp on every backend.

    SQLite has no time zone support, so values are stored as naive UTC there and made aware
    again on the way out; PostgreSQL uses ``timestamptz``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def _values(enum_cls: type[enum.Enum]) -> list[str]:
    return [member.value for member in enum_cls]


def enum_column(enum_cls: type[enum.Enum], name: str, *, length: int) -> Enum:
    """The column type of every enum column: the member's value stored as text.

    A VARCHAR with a CHECK constraint (``ck_<table>_<name>``) rather than a native
    PostgreSQL enum, so adding a member is a constraint change on both backends and the
    rows read the same in SQLite. ``length`` is fixed here, not derived from the members,
    so a new longer member is a deliberate migration rather than a silent type change.
    """
    return Enum(
        enum_cls,
        name=name,
        values_callable=_values,
        native_enum=False,
        create_constraint=True,
        length=length,
    )


class Base(DeclarativeBase):
    """Base of every model; carries the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> dt.datetime:
    """Current UTC time; the app overrides time through dispatch.clock, models only default."""
    return dt.datetime.now(dt.UTC)

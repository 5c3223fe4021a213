"""Revision 0007 (the security officer role) on a database holding accounts: their sessions
and audit events survive (SQLite edits the constraint text rather than rebuilding
``users``, which the audit log's foreign key would refuse), the new role is admitted
exactly where the officers sit, and a downgrade stops while security officers exist."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import Engine, MetaData, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from dispatch.db import make_engine
from dispatch.migrate import alembic_config

AT = dt.datetime(2025, 6, 2, 1, 0, tzinfo=dt.UTC)


def _migrate(engine: Engine, revision: str, *, down: bool = False) -> None:
    with engine.begin() as conn:
        step = command.downgrade if down else command.upgrade
        step(alembic_config(connection=conn), revision)


def _user(user_id: int, role: str, **org: object) -> dict[str, object]:
    return {
        "id": user_id, "username": f"u{user_id}", "display_name": "x", "phone": "",
        "role": role, "is_active": True, "password_hash": "h", "failed_logins": 0,
        "password_changed_at": AT, "must_change_password": False, "created_at": AT,
        "updated_at": AT, **org,
    }  # fmt: skip


CITY = {"region_id": 1, "region_kind": "city"}


@pytest.fixture
def engine(new_database_url) -> Engine:  # type: ignore[no-untyped-def]
    eng = make_engine(new_database_url())
    _migrate(eng, "0006")
    meta = MetaData()
    meta.reflect(eng)
    t = meta.tables
    with eng.begin() as conn:
        conn.execute(
            insert(t["regions"]).values(
                id=1, kind="city", name="市", division_code="990100", path="/1/", created_at=AT
            )
        )
        conn.execute(insert(t["users"]).values(**_user(1, "admin", **CITY)))
        conn.execute(
            insert(t["user_sessions"]).values(
                id="s" * 64, user_id=1, created_at=AT, remote_addr="", user_agent=""
            )
        )
        conn.execute(
            insert(t["audit_events"]).values(
                id=1, occurred_at=AT, actor_id=1, actor_username="u1", action="auth.login",
                object_type="user", object_id="1", remote_addr="", outcome="success",
                details={}, prev_hash="0" * 64, hash="1" * 64,
            )
        )  # fmt: skip
    yield eng
    eng.dispose()


def _users(engine: Engine):  # type: ignore[no-untyped-def]
    meta = MetaData()
    meta.reflect(engine, only=["users"])
    return meta.tables["users"]


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.scalar(text(f"SELECT count(*) FROM {table}"))  # noqa: S608


def test_upgrade_keeps_the_rows_and_admits_security_officers_where_officers_sit(engine) -> None:
    _migrate(engine, "0007")
    assert (_count(engine, "user_sessions"), _count(engine, "audit_events")) == (1, 1)
    users = _users(engine)
    with engine.begin() as conn:
        conn.execute(insert(users).values(**_user(2, "security", **CITY)))
    # An officer without a region, or an unknown role, is still refused.
    for row in (_user(3, "security"), _user(4, "superuser", **CITY)):
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(insert(users).values(**row))
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(users)) == 2


def test_downgrade_stops_while_security_officers_exist(engine) -> None:
    _migrate(engine, "0007")
    users = _users(engine)
    with engine.begin() as conn:
        conn.execute(insert(users).values(**_user(2, "security", **CITY)))
    with pytest.raises(RuntimeError, match="u2"):
        _migrate(engine, "0006", down=True)
    with engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == 2).values(role="auditor"))
    _migrate(engine, "0006", down=True)
    assert (_count(engine, "user_sessions"), _count(engine, "audit_events")) == (1, 1)
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == 2).values(role="security"))

"""Revision 0003 on a database holding data: history rows survive the table rebuild
(SQLite batch mode), the foreign keys turn to RESTRICT and back, and a database that
already breaks "one pending request per project" stops the upgrade rather than losing one."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import Engine, MetaData, func, insert, inspect, select
from sqlalchemy.exc import IntegrityError

from dispatch.db import make_engine
from dispatch.migrate import alembic_config

AT = dt.datetime(2025, 6, 2, 1, 0, tzinfo=dt.UTC)


def _migrate(engine: Engine, revision: str, *, down: bool = False) -> None:
    with engine.begin() as conn:
        step = command.downgrade if down else command.upgrade
        step(alembic_config(connection=conn), revision)


def _seed(engine: Engine, *, pending: int) -> None:
    """A district, a user, a project with one event and ``pending`` pending requests,
    written through the tables as they are at revision 0002."""
    meta = MetaData()
    meta.reflect(engine)
    t = meta.tables
    with engine.begin() as conn:
        conn.execute(
            insert(t["regions"]).values(
                id=1, kind="district", name="甲区", division_code="990101", path="/1/",
                created_at=AT,
            )
        )  # fmt: skip
        conn.execute(
            insert(t["users"]).values(
                id=1, username="admin", display_name="管理员", phone="", role="admin",
                region_id=1, region_kind="district", is_active=True, password_hash="h",
                failed_logins=0, password_changed_at=AT, must_change_password=False,
                created_at=AT, updated_at=AT,
            )
        )  # fmt: skip
        conn.execute(
            insert(t["projects"]).values(
                id=1, code="990101-2025-A1-001", name="工程", type_code="A1",
                method="flue_gas", plan_year=2025, district_id=1, district_kind="district",
                owner_unit="", site_address="", planned_start=dt.date(2025, 3, 1),
                planned_completion=dt.date(2025, 10, 31), total_investment=100,
                env_investment=50, params={}, accounting={}, contact_name="",
                contact_phone="", notes="", plan_status="approved",
                construction_status="not_started", review_comment="", created_at=AT,
                updated_at=AT, version_id=1,
            )
        )  # fmt: skip
        conn.execute(
            insert(t["project_events"]).values(
                project_id=1, occurred_at=AT, actor_id=1, action="create", comment="",
                changes={},
            )
        )  # fmt: skip
        for status in ["approved"] + ["pending"] * pending:
            conn.execute(
                insert(t["change_requests"]).values(
                    project_id=1, kind="withdrawal", status=status, proposed={},
                    previous={}, reason="项目取消", submitted_by_id=1, submitted_at=AT,
                    decision_comment="",
                )
            )  # fmt: skip


def _project_fk_ondelete(engine: Engine) -> dict[str, str | None]:
    found = {}
    for table in ("project_events", "change_requests"):
        for fk in inspect(engine).get_foreign_keys(table):
            if fk["referred_table"] == "projects":
                found[table] = (fk.get("options") or {}).get("ondelete")
    return found


def _counts(engine: Engine) -> tuple[int, int, int]:
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        return tuple(
            conn.scalar(select(func.count()).select_from(meta.tables[name]))
            for name in ("projects", "project_events", "change_requests")
        )  # type: ignore[return-value]


@pytest.fixture
def engine_at_0002(new_database_url):
    engine = make_engine(new_database_url())
    _migrate(engine, "0002")
    yield engine
    engine.dispose()


def test_history_survives_upgrade_and_downgrade(engine_at_0002):
    engine = engine_at_0002
    _seed(engine, pending=1)
    assert {k: v.upper() for k, v in _project_fk_ondelete(engine).items()} == {
        "project_events": "CASCADE",
        "change_requests": "CASCADE",
    }

    _migrate(engine, "0003")
    assert _counts(engine) == (1, 1, 2)
    assert {k: v.upper() for k, v in _project_fk_ondelete(engine).items()} == {
        "project_events": "RESTRICT",
        "change_requests": "RESTRICT",
    }
    names = {ix["name"] for ix in inspect(engine).get_indexes("change_requests")}
    assert "ix_change_requests_one_pending" in names

    _migrate(engine, "0002", down=True)
    assert _counts(engine) == (1, 1, 2)
    assert {k: v.upper() for k, v in _project_fk_ondelete(engine).items()} == {
        "project_events": "CASCADE",
        "change_requests": "CASCADE",
    }
    names = {ix["name"] for ix in inspect(engine).get_indexes("change_requests")}
    assert "ix_change_requests_one_pending" not in names


def test_upgrade_refuses_two_pending_requests_for_one_project(engine_at_0002):
    engine = engine_at_0002
    _seed(engine, pending=2)
    with pytest.raises(IntegrityError):
        _migrate(engine, "0003")
    # Nothing was half-applied: still at 0002, no rebuilt table left over, every row there.
    assert not [n for n in inspect(engine).get_table_names() if n.startswith("_alembic")]
    assert _project_fk_ondelete(engine)["project_events"].upper() == "CASCADE"
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "0002"
    assert _counts(engine) == (1, 1, 3)

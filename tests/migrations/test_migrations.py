"""Migrations: one head, models match migrations, and every downgrade works."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import CheckConstraint, Enum, inspect

from dispatch.db import make_engine
from dispatch.migrate import alembic_config
from models import Base


def test_exactly_one_head():
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1, heads


def test_upgraded_schema_matches_models(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_upgrade_downgrade_upgrade(new_database_url):
    url = new_database_url()
    eng = make_engine(url)
    try:
        with eng.begin() as conn:
            command.upgrade(alembic_config(connection=conn), "head")
        assert "audit_events" in inspect(eng).get_table_names()
        with eng.begin() as conn:
            command.downgrade(alembic_config(connection=conn), "base")
        assert set(inspect(eng).get_table_names()) <= {"alembic_version"}
        with eng.begin() as conn:
            command.upgrade(alembic_config(connection=conn), "head")
        with eng.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        eng.dispose()


def _check_names(tables) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
    return {name: {ck for ck in checks if ck} for name, checks in tables}


def test_upgraded_check_constraints_match_models(engine):
    # Alembic's comparison skips CHECK constraints; enum columns and invariants live there,
    # and SQLite batch rebuilds must not drop them.
    inspector = inspect(engine)
    found = _check_names(
        (t.name, [ck["name"] for ck in inspector.get_check_constraints(t.name)])
        for t in Base.metadata.sorted_tables
    )
    expected = _check_names(
        (t.name, [c.name for c in t.constraints if isinstance(c, CheckConstraint)])
        for t in Base.metadata.sorted_tables
    )
    assert found == expected


def test_every_enum_column_is_stored_by_value_with_a_check():
    enum_columns = [
        column
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, Enum)
    ]
    assert len(enum_columns) >= 7  # PlanStatus, ConstructionStatus, Role, RegionKind, ...
    for column in enum_columns:
        kind = column.type
        assert kind.enum_class is not None, column
        assert kind.enums == [member.value for member in kind.enum_class], column
        assert (kind.native_enum, kind.create_constraint) == (False, True), column

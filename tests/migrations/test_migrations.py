"""Migrations: one head, models match migrations, and every downgrade works."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

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

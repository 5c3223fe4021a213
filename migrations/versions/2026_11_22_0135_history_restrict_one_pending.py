"""Project history is never deleted; at most one pending change request per project.

``project_events.project_id`` and ``change_requests.project_id`` change from
``ON DELETE CASCADE`` to ``ON DELETE RESTRICT``: deleting a project that has history is
refused by the database instead of silently taking the history with it. A partial unique
index on ``change_requests (project_id) WHERE status = 'pending'`` makes "one pending
request per project" a database fact (the service check alone loses a race).

Upgrading fails if a project already has two pending requests; decide one of them first.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 01:35:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

HISTORY_TABLES = ("project_events", "change_requests")
PENDING = "status = 'pending'"


def _project_fk(table: str, ondelete: str) -> None:
    # batch_alter_table rebuilds the table on SQLite (which cannot alter a foreign key)
    # and issues plain ALTER TABLE statements on PostgreSQL.
    name = f"fk_{table}_project_id_projects"
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(name, type_="foreignkey")
        batch_op.create_foreign_key(name, "projects", ["project_id"], ["id"], ondelete=ondelete)


def upgrade() -> None:
    for table in HISTORY_TABLES:
        _project_fk(table, "RESTRICT")
    with op.batch_alter_table("change_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_change_requests_one_pending",
            ["project_id"],
            unique=True,
            sqlite_where=sa.text(PENDING),
            postgresql_where=sa.text(PENDING),
        )


def downgrade() -> None:
    with op.batch_alter_table("change_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_change_requests_one_pending")
    for table in HISTORY_TABLES:
        _project_fk(table, "CASCADE")

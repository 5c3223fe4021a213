"""Monthly dispatch: rounds, progress reports, report history and copies of record.

Two progress columns on ``projects`` (``investment_completed``, ``percent_complete``: as
of the last approved report, 0 for existing rows) and four new tables: ``dispatch_rounds`` (one per city and month),
``progress_reports`` (one per round and project), ``report_events`` (transitions) and
``report_snapshots`` (the submitted content with its SHA-256). History is RESTRICT like
the project history of revision 0003.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 04:41:37.158510
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "investment_completed",
                sa.Numeric(precision=14, scale=2),
                nullable=False,
                server_default="0",
            )
        )
        batch_op.add_column(
            sa.Column(
                "percent_complete",
                sa.Numeric(precision=5, scale=2),
                nullable=False,
                server_default="0",
            )
        )
    op.create_table(
        "dispatch_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("city_id", sa.Integer(), nullable=False),
        sa.Column("city_kind", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("enterprise_deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("district_deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "closed",
                name="round_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("city_kind = 'city'", name=op.f("ck_dispatch_rounds_in_city")),
        sa.CheckConstraint(
            "district_deadline >= enterprise_deadline",
            name=op.f("ck_dispatch_rounds_deadline_order"),
        ),
        sa.CheckConstraint("month BETWEEN 1 AND 12", name=op.f("ck_dispatch_rounds_month_range")),
        sa.CheckConstraint(
            "year BETWEEN 2000 AND 2100", name=op.f("ck_dispatch_rounds_year_range")
        ),
        sa.ForeignKeyConstraint(
            ["city_id", "city_kind"],
            ["regions.id", "regions.kind"],
            name=op.f("fk_dispatch_rounds_city_id_city_kind_regions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"],
            ["users.id"],
            name=op.f("fk_dispatch_rounds_closed_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"],
            ["users.id"],
            name=op.f("fk_dispatch_rounds_opened_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispatch_rounds")),
        sa.UniqueConstraint(
            "city_id", "year", "month", name=op.f("uq_dispatch_rounds_city_id_year_month")
        ),
    )
    with op.batch_alter_table("dispatch_rounds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dispatch_rounds_city_id"), ["city_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_dispatch_rounds_status"), ["status"], unique=False)

    op.create_table(
        "progress_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "enterprise_filled",
                "submitted",
                "approved",
                "returned",
                name="report_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "construction_status",
            sa.Enum(
                "not_started",
                "preparation",
                "under_construction",
                "commissioning",
                "completed",
                "stable_operation",
                name="report_construction_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("percent_complete", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("investment_month", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("investment_cumulative", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("actual_start", sa.Date(), nullable=True),
        sa.Column("actual_completion", sa.Date(), nullable=True),
        sa.Column("stable_operation_from", sa.Date(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("problems", sa.Text(), nullable=False),
        sa.Column("next_steps", sa.Text(), nullable=False),
        sa.Column("prefilled_from_id", sa.Integer(), nullable=True),
        sa.Column("filled_by_id", sa.Integer(), nullable=True),
        sa.Column("filled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("enterprise_filled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("return_reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "investment_cumulative >= 0",
            name=op.f("ck_progress_reports_investment_cumulative_nonneg"),
        ),
        sa.CheckConstraint(
            "investment_month >= 0", name=op.f("ck_progress_reports_investment_month_nonneg")
        ),
        sa.CheckConstraint(
            "percent_complete BETWEEN 0 AND 100", name=op.f("ck_progress_reports_percent_range")
        ),
        sa.ForeignKeyConstraint(
            ["filled_by_id"],
            ["users.id"],
            name=op.f("fk_progress_reports_filled_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["prefilled_from_id"],
            ["progress_reports.id"],
            name=op.f("fk_progress_reports_prefilled_from_id_progress_reports"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_progress_reports_project_id_projects"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["users.id"],
            name=op.f("fk_progress_reports_reviewed_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["dispatch_rounds.id"],
            name=op.f("fk_progress_reports_round_id_dispatch_rounds"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["users.id"],
            name=op.f("fk_progress_reports_submitted_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_reports")),
        sa.UniqueConstraint(
            "round_id", "project_id", name=op.f("uq_progress_reports_round_id_project_id")
        ),
    )
    with op.batch_alter_table("progress_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_progress_reports_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_progress_reports_round_id"), ["round_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_progress_reports_status"), ["status"], unique=False)

    op.create_table(
        "report_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=24), nullable=True),
        sa.Column("to_status", sa.String(length=24), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_report_events_actor_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["progress_reports.id"],
            name=op.f("fk_report_events_report_id_progress_reports"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_events")),
    )
    with op.batch_alter_table("report_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_events_report_id"), ["report_id"], unique=False)

    op.create_table(
        "report_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("canonical", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.CheckConstraint("length(sha256) = 64", name=op.f("ck_report_snapshots_sha256_hex")),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_report_snapshots_actor_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["progress_reports.id"],
            name=op.f("fk_report_snapshots_report_id_progress_reports"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_snapshots")),
    )
    with op.batch_alter_table("report_snapshots", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_snapshots_report_id"), ["report_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("report_snapshots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_snapshots_report_id"))

    op.drop_table("report_snapshots")
    with op.batch_alter_table("report_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_events_report_id"))

    op.drop_table("report_events")
    with op.batch_alter_table("progress_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_progress_reports_status"))
        batch_op.drop_index(batch_op.f("ix_progress_reports_round_id"))
        batch_op.drop_index(batch_op.f("ix_progress_reports_project_id"))

    op.drop_table("progress_reports")
    with op.batch_alter_table("dispatch_rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dispatch_rounds_status"))
        batch_op.drop_index(batch_op.f("ix_dispatch_rounds_city_id"))

    op.drop_table("dispatch_rounds")
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_column("percent_complete")
        batch_op.drop_column("investment_completed")

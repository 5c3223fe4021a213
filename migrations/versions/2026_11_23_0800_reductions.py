"""Reductions: targets per region × pollutant × period (with their change history) and
confirmed accounting (versioned confirmations), three new tables.

A confirmed row (status ``current`` or ``superseded``) is never edited: the services only
move ``current`` to ``superseded``. A trigger makes that a database rule too, on both
backends: an UPDATE of a confirmed row may change only ``status`` (current → superseded),
``superseded_by_id``, ``superseded_at`` and ``version_id``; a DELETE of a confirmed row is
refused. (JSON columns are compared as text: PostgreSQL's ``json`` has no equality.)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

FROZEN_MESSAGE = "confirmed accounting is immutable: add a new version instead"
# Every column a confirmation keeps once confirmed.
FROZEN_COLUMNS = (
    "id", "project_id", "year", "version", "method", "stable_operation_from", "inputs",
    "coefficients", "formula", "formula_by_pollutant", "warnings", "capacity_cod",
    "capacity_nh3n", "capacity_nox", "capacity_vocs", "credit_cod", "credit_nh3n",
    "credit_nox", "credit_vocs", "credit_rule", "credit_months", "fingerprint", "reason",
    "entered_by_id", "entered_at", "confirmed_by_id", "confirmed_at",
)  # fmt: skip
JSON_COLUMNS = ("inputs", "coefficients", "formula", "formula_by_pollutant", "warnings")


def _changed(cast: str) -> str:
    """SQL: some frozen column differs between OLD and NEW, or the status goes back."""
    parts = []
    for column in FROZEN_COLUMNS:
        suffix = cast if column in JSON_COLUMNS else ""
        parts.append(f"NEW.{column}{suffix} IS DISTINCT FROM OLD.{column}{suffix}")
    parts.append("NEW.status <> 'superseded'")
    return " OR ".join(parts)


def _create_guard() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION reduction_confirmations_frozen() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'DELETE' THEN
                    IF OLD.status <> 'draft' THEN
                        RAISE EXCEPTION '{FROZEN_MESSAGE}';
                    END IF;
                    RETURN OLD;
                END IF;
                IF OLD.status <> 'draft' AND ({_changed("::text")}) THEN
                    RAISE EXCEPTION '{FROZEN_MESSAGE}';
                END IF;
                RETURN NEW;
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER reduction_confirmations_frozen BEFORE UPDATE OR DELETE "
            "ON reduction_confirmations FOR EACH ROW "
            "EXECUTE FUNCTION reduction_confirmations_frozen()"
        )
        return
    # SQLite spells IS DISTINCT FROM as IS NOT.
    changed = _changed("").replace("IS DISTINCT FROM", "IS NOT")
    op.execute(
        "CREATE TRIGGER reduction_confirmations_frozen_update BEFORE UPDATE "
        f"ON reduction_confirmations WHEN OLD.status <> 'draft' AND ({changed}) "
        f"BEGIN SELECT RAISE(ABORT, '{FROZEN_MESSAGE}'); END"
    )
    op.execute(
        "CREATE TRIGGER reduction_confirmations_frozen_delete BEFORE DELETE "
        "ON reduction_confirmations WHEN OLD.status <> 'draft' "
        f"BEGIN SELECT RAISE(ABORT, '{FROZEN_MESSAGE}'); END"
    )


def _drop_guard() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER reduction_confirmations_frozen ON reduction_confirmations")
        op.execute("DROP FUNCTION reduction_confirmations_frozen()")
        return
    op.execute("DROP TRIGGER reduction_confirmations_frozen_update")
    op.execute("DROP TRIGGER reduction_confirmations_frozen_delete")


def upgrade() -> None:
    op.create_table(
        "reduction_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("pollutant", sa.String(length=8), nullable=False),
        sa.Column("year_from", sa.Integer(), nullable=False),
        sa.Column("year_to", sa.Integer(), nullable=False),
        sa.Column("tonnes", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "pollutant IN ('COD', 'NH3N', 'NOx', 'VOCs')",
            name=op.f("ck_reduction_targets_pollutant_known"),
        ),
        sa.CheckConstraint("tonnes >= 0", name=op.f("ck_reduction_targets_tonnes_nonneg")),
        sa.CheckConstraint(
            "year_from BETWEEN 2000 AND 2100", name=op.f("ck_reduction_targets_year_range")
        ),
        sa.CheckConstraint(
            "year_to = year_from OR year_to = year_from + 4",
            name=op.f("ck_reduction_targets_year_or_five_years"),
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["regions.id"],
            name=op.f("fk_reduction_targets_region_id_regions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_reduction_targets_updated_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reduction_targets")),
        sa.UniqueConstraint(
            "region_id",
            "pollutant",
            "year_from",
            "year_to",
            name=op.f("uq_reduction_targets_region_id_pollutant_year_from_year_to"),
        ),
    )
    with op.batch_alter_table("reduction_targets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reduction_targets_region_id"), ["region_id"], unique=False
        )

    op.create_table(
        "reduction_confirmations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "current",
                "superseded",
                name="confirmation_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("stable_operation_from", sa.Date(), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("coefficients", sa.JSON(), nullable=False),
        sa.Column("formula", sa.JSON(), nullable=False),
        sa.Column("formula_by_pollutant", sa.JSON(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("capacity_cod", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("capacity_nh3n", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("capacity_nox", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("capacity_vocs", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("credit_cod", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("credit_nh3n", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("credit_nox", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("credit_vocs", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("credit_rule", sa.String(length=32), nullable=False),
        sa.Column("credit_months", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("entered_by_id", sa.Integer(), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("superseded_by_id", sa.Integer(), nullable=True),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "credit_rule IN ('months_after_stable', 'full_year')",
            name=op.f("ck_reduction_confirmations_credit_rule_known"),
        ),
        sa.CheckConstraint(
            "status <> 'superseded' OR superseded_at IS NOT NULL",
            name=op.f("ck_reduction_confirmations_superseded_has_when"),
        ),
        sa.CheckConstraint(
            "status = 'draft' OR (confirmed_by_id IS NOT NULL AND confirmed_at IS NOT NULL)",
            name=op.f("ck_reduction_confirmations_confirmed_has_who_and_when"),
        ),
        sa.CheckConstraint(
            "credit_months BETWEEN 0 AND 12",
            name=op.f("ck_reduction_confirmations_credit_months_range"),
        ),
        sa.CheckConstraint(
            "version >= 1", name=op.f("ck_reduction_confirmations_version_positive")
        ),
        sa.CheckConstraint(
            "year BETWEEN 2000 AND 2100", name=op.f("ck_reduction_confirmations_year_range")
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"],
            ["users.id"],
            name=op.f("fk_reduction_confirmations_confirmed_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["entered_by_id"],
            ["users.id"],
            name=op.f("fk_reduction_confirmations_entered_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_reduction_confirmations_project_id_projects"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["superseded_by_id"],
            ["reduction_confirmations.id"],
            name=op.f("fk_reduction_confirmations_superseded_by_id_reduction_confirmations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reduction_confirmations")),
        sa.UniqueConstraint(
            "project_id", "version", name=op.f("uq_reduction_confirmations_project_id_version")
        ),
    )
    with op.batch_alter_table("reduction_confirmations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reduction_confirmations_one_current",
            ["project_id", "year"],
            unique=True,
            sqlite_where=sa.text("status = 'current'"),
            postgresql_where=sa.text("status = 'current'"),
        )
        batch_op.create_index(
            "ix_reduction_confirmations_one_draft",
            ["project_id", "year"],
            unique=True,
            sqlite_where=sa.text("status = 'draft'"),
            postgresql_where=sa.text("status = 'draft'"),
        )
        batch_op.create_index(
            batch_op.f("ix_reduction_confirmations_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_reduction_confirmations_status"), ["status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_reduction_confirmations_year"), ["year"], unique=False)
    _create_guard()

    op.create_table(
        "reduction_target_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("old_tonnes", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("new_tonnes", sa.Numeric(precision=18, scale=6), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["users.id"],
            name=op.f("fk_reduction_target_changes_changed_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["reduction_targets.id"],
            name=op.f("fk_reduction_target_changes_target_id_reduction_targets"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reduction_target_changes")),
    )
    with op.batch_alter_table("reduction_target_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reduction_target_changes_target_id"), ["target_id"], unique=False
        )


def downgrade() -> None:
    _drop_guard()
    with op.batch_alter_table("reduction_target_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reduction_target_changes_target_id"))

    op.drop_table("reduction_target_changes")
    with op.batch_alter_table("reduction_confirmations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reduction_confirmations_year"))
        batch_op.drop_index(batch_op.f("ix_reduction_confirmations_status"))
        batch_op.drop_index(batch_op.f("ix_reduction_confirmations_project_id"))
        batch_op.drop_index(
            "ix_reduction_confirmations_one_draft",
            sqlite_where=sa.text("status = 'draft'"),
            postgresql_where=sa.text("status = 'draft'"),
        )
        batch_op.drop_index(
            "ix_reduction_confirmations_one_current",
            sqlite_where=sa.text("status = 'current'"),
            postgresql_where=sa.text("status = 'current'"),
        )

    op.drop_table("reduction_confirmations")
    with op.batch_alter_table("reduction_targets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reduction_targets_region_id"))

    op.drop_table("reduction_targets")

"""Calculation sheets: a confirmation points at the sheet it filed in the evidence archive.

``reduction_confirmations.sheet_evidence_id`` (nullable, unique, RESTRICT) references the
evidence file of the catalog's system item 削减量计算书 that the confirmation filed. Rows
confirmed before this revision keep NULL (their sheet is rendered on request instead).

On SQLite the table is rebuilt (batch mode), which drops the immutability triggers of 0008;
they are dropped first on both backends and recreated with the new column among the frozen
ones: a confirmed row's sheet can no more change than its
numbers. The draft → current update that confirms a row sets it, which the guard allows
(only rows already confirmed are frozen). The downgrade restores 0008's guard.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

FROZEN_MESSAGE = "confirmed accounting is immutable: add a new version instead"
# 0008's frozen columns, as they were there.
FROZEN_0008 = (
    "id", "project_id", "year", "version", "method", "stable_operation_from", "inputs",
    "coefficients", "formula", "formula_by_pollutant", "warnings", "capacity_cod",
    "capacity_nh3n", "capacity_nox", "capacity_vocs", "credit_cod", "credit_nh3n",
    "credit_nox", "credit_vocs", "credit_rule", "credit_months", "fingerprint", "reason",
    "entered_by_id", "entered_at", "confirmed_by_id", "confirmed_at",
)  # fmt: skip
FROZEN_0010 = (*FROZEN_0008, "sheet_evidence_id")
JSON_COLUMNS = ("inputs", "coefficients", "formula", "formula_by_pollutant", "warnings")
TABLE = "reduction_confirmations"
COLUMN = "sheet_evidence_id"
INDEX = "ix_reduction_confirmations_sheet_evidence_id"
FOREIGN_KEY = "fk_reduction_confirmations_sheet_evidence_id_evidence_files"


def _changed(columns: tuple[str, ...], cast: str) -> str:
    """SQL: some frozen column differs between OLD and NEW, or the status goes back."""
    parts = []
    for column in columns:
        suffix = cast if column in JSON_COLUMNS else ""
        parts.append(f"NEW.{column}{suffix} IS DISTINCT FROM OLD.{column}{suffix}")
    parts.append("NEW.status <> 'superseded'")
    return " OR ".join(parts)


def _create_guard(columns: tuple[str, ...]) -> None:
    """0008's guard over ``columns`` (the same SQL, only the list differs)."""
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
                IF OLD.status <> 'draft' AND ({_changed(columns, "::text")}) THEN
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
    changed = _changed(columns, "").replace("IS DISTINCT FROM", "IS NOT")
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
    _drop_guard()
    # batch_alter_table rebuilds the table on SQLite (which cannot add a named foreign key
    # to an existing table) and issues plain ALTER TABLE statements on PostgreSQL.
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.add_column(sa.Column(COLUMN, sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f(INDEX), [COLUMN], unique=True)
        batch_op.create_foreign_key(
            batch_op.f(FOREIGN_KEY), "evidence_files", [COLUMN], ["id"], ondelete="RESTRICT"
        )
    _create_guard(FROZEN_0010)


def downgrade() -> None:
    _drop_guard()
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(FOREIGN_KEY), type_="foreignkey")
        batch_op.drop_index(batch_op.f(INDEX))
        batch_op.drop_column(COLUMN)
    _create_guard(FROZEN_0008)

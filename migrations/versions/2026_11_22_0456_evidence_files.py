"""Evidence files: a stored file filed against a checklist item of a project (optionally a
progress report), with versions (replaces_id) and district / city review. A new table.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 04:56:50.729121
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evidence_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("item_code", sa.String(length=16), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "uploaded",
                "accepted",
                "rejected",
                name="evidence_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "pre_status",
            sa.Enum(
                "uploaded",
                "accepted",
                "rejected",
                name="evidence_pre_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=True,
        ),
        sa.Column("pre_reason", sa.Text(), nullable=False),
        sa.Column("pre_reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("pre_reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_reason", sa.Text(), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status <> 'rejected' OR length(review_reason) > 0",
            name=op.f("ck_evidence_files_rejection_has_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["stored_files.id"],
            name=op.f("fk_evidence_files_file_id_stored_files"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["pre_reviewed_by_id"],
            ["users.id"],
            name=op.f("fk_evidence_files_pre_reviewed_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_evidence_files_project_id_projects"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["replaces_id"],
            ["evidence_files.id"],
            name=op.f("fk_evidence_files_replaces_id_evidence_files"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["progress_reports.id"],
            name=op.f("fk_evidence_files_report_id_progress_reports"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["users.id"],
            name=op.f("fk_evidence_files_reviewed_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_files")),
        sa.UniqueConstraint("file_id", name=op.f("uq_evidence_files_file_id")),
        sa.UniqueConstraint("replaces_id", name=op.f("uq_evidence_files_replaces_id")),
    )
    with op.batch_alter_table("evidence_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_files_current"), ["current"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_evidence_files_item_code"), ["item_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_evidence_files_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_evidence_files_report_id"), ["report_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_evidence_files_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("evidence_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_files_status"))
        batch_op.drop_index(batch_op.f("ix_evidence_files_report_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_files_project_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_files_item_code"))
        batch_op.drop_index(batch_op.f("ix_evidence_files_current"))

    op.drop_table("evidence_files")

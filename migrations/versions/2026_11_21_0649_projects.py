"""Plan list: projects, their history and change requests.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 06:49:08.471299
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type_code", sa.String(length=8), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("plan_year", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("district_kind", sa.String(length=16), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("owner_unit", sa.String(length=128), nullable=False),
        sa.Column("site_address", sa.String(length=255), nullable=False),
        sa.Column("longitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("latitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("planned_start", sa.Date(), nullable=False),
        sa.Column("planned_completion", sa.Date(), nullable=False),
        sa.Column("total_investment", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("env_investment", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("expected_cod", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("expected_nh3n", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("expected_nox", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("expected_vocs", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("accounting", sa.JSON(), nullable=False),
        sa.Column("contact_name", sa.String(length=64), nullable=False),
        sa.Column("contact_phone", sa.String(length=32), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column(
            "plan_status",
            sa.Enum(
                "draft",
                "submitted",
                "approved",
                "returned",
                "withdrawn",
                "closed",
                name="plan_status",
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
                name="construction_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("actual_start", sa.Date(), nullable=True),
        sa.Column("actual_completion", sa.Date(), nullable=True),
        sa.Column("stable_operation_from", sa.Date(), nullable=True),
        sa.Column("review_comment", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("district_kind = 'district'", name=op.f("ck_projects_in_district")),
        sa.CheckConstraint(
            "env_investment >= 0 AND env_investment <= total_investment",
            name=op.f("ck_projects_env_investment_range"),
        ),
        sa.CheckConstraint(
            "latitude IS NULL OR latitude BETWEEN 3 AND 54", name=op.f("ck_projects_lat_in_china")
        ),
        sa.CheckConstraint(
            "longitude IS NULL OR longitude BETWEEN 73 AND 136",
            name=op.f("ck_projects_lon_in_china"),
        ),
        sa.CheckConstraint(
            "plan_year BETWEEN 2000 AND 2100", name=op.f("ck_projects_plan_year_range")
        ),
        sa.CheckConstraint(
            "planned_completion >= planned_start", name=op.f("ck_projects_plan_dates_order")
        ),
        sa.CheckConstraint(
            "total_investment >= 0", name=op.f("ck_projects_total_investment_nonneg")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_projects_created_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["district_id", "district_kind"],
            ["regions.id", "regions.kind"],
            name=op.f("fk_projects_district_id_district_kind_regions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_projects_enterprise_id_enterprises"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
        sa.UniqueConstraint("code", name=op.f("uq_projects_code")),
        sa.UniqueConstraint(
            "district_id", "plan_year", "name", name=op.f("uq_projects_district_id_plan_year_name")
        ),
    )
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_projects_construction_status"), ["construction_status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_projects_district_id"), ["district_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_projects_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_projects_plan_status"), ["plan_status"], unique=False)
        batch_op.create_index(batch_op.f("ix_projects_plan_year"), ["plan_year"], unique=False)
        batch_op.create_index(batch_op.f("ix_projects_type_code"), ["type_code"], unique=False)

    op.create_table(
        "change_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "change",
                "withdrawal",
                name="change_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "rejected",
                name="change_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("proposed", sa.JSON(), nullable=False),
        sa.Column("previous", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_comment", sa.Text(), nullable=False),
        sa.CheckConstraint("length(reason) > 0", name=op.f("ck_change_requests_reason_required")),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_change_requests_decided_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_change_requests_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["users.id"],
            name=op.f("fk_change_requests_submitted_by_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_requests")),
    )
    with op.batch_alter_table("change_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_change_requests_project_id"), ["project_id"], unique=False
        )

    op.create_table(
        "project_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=24), nullable=True),
        sa.Column("to_status", sa.String(length=24), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_project_events_actor_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_events_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_events")),
    )
    with op.batch_alter_table("project_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_project_events_project_id"), ["project_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("project_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_events_project_id"))

    op.drop_table("project_events")
    with op.batch_alter_table("change_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_change_requests_project_id"))

    op.drop_table("change_requests")
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_projects_type_code"))
        batch_op.drop_index(batch_op.f("ix_projects_plan_year"))
        batch_op.drop_index(batch_op.f("ix_projects_plan_status"))
        batch_op.drop_index(batch_op.f("ix_projects_enterprise_id"))
        batch_op.drop_index(batch_op.f("ix_projects_district_id"))
        batch_op.drop_index(batch_op.f("ix_projects_construction_status"))

    op.drop_table("projects")

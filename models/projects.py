"""Key emission-reduction projects (重点减排工程), their history and change requests.

Type and method codes refer to the catalog in ``evidence_specs/`` (data, not tables), so
they are validated by the services, not by foreign keys. Parameters are stored as JSON
exactly as validated (Decimal values as strings); expected reductions are stored per
pollutant in Numeric columns so that lists and exports can sum them in SQL.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    and_,
    not_,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from dispatch.core.pollutants import POLLUTANTS
from models.base import Base, UTCDateTime, enum_column, utcnow
from models.enums import ChangeRequestKind, ChangeRequestStatus, ConstructionStatus, PlanStatus
from models.orgs import Enterprise, Region
from models.users import User

REDUCTION = Numeric(18, 6)
MONEY = Numeric(14, 2)
_DONE = (ConstructionStatus.COMPLETED, ConstructionStatus.STABLE_OPERATION)
POLLUTANT_COLUMNS = {p.code: p.column for p in POLLUTANTS}
_PENDING = f"status = '{ChangeRequestStatus.PENDING.value}'"


class Project(Base):
    """One engineering project at one site, in one year's plan list."""

    __tablename__ = "projects"
    __table_args__ = (
        UniqueConstraint("district_id", "plan_year", "name"),
        CheckConstraint("district_kind = 'district'", name="in_district"),
        CheckConstraint("plan_year BETWEEN 2000 AND 2100", name="plan_year_range"),
        CheckConstraint("longitude IS NULL OR longitude BETWEEN 73 AND 136", name="lon_in_china"),
        CheckConstraint("latitude IS NULL OR latitude BETWEEN 3 AND 54", name="lat_in_china"),
        CheckConstraint("planned_completion >= planned_start", name="plan_dates_order"),
        CheckConstraint("total_investment >= 0", name="total_investment_nonneg"),
        CheckConstraint(
            "env_investment >= 0 AND env_investment <= total_investment",
            name="env_investment_range",
        ),
        ForeignKeyConstraint(
            ["district_id", "district_kind"],
            ["regions.id", "regions.kind"],
            ondelete="RESTRICT",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    type_code: Mapped[str] = mapped_column(String(8), index=True)
    method: Mapped[str] = mapped_column(String(32))
    plan_year: Mapped[int] = mapped_column(Integer, index=True)
    district_id: Mapped[int] = mapped_column(index=True)
    district_kind: Mapped[str] = mapped_column(String(16), default="district")
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprises.id", ondelete="RESTRICT"), index=True
    )
    # For public works without an enterprise owner: the responsible government unit.
    owner_unit: Mapped[str] = mapped_column(String(128), default="")
    site_address: Mapped[str] = mapped_column(String(255), default="")
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    planned_start: Mapped[dt.date] = mapped_column(Date)
    planned_completion: Mapped[dt.date] = mapped_column(Date)
    total_investment: Mapped[Decimal] = mapped_column(MONEY)
    env_investment: Mapped[Decimal] = mapped_column(MONEY)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    expected_cod: Mapped[Decimal | None] = mapped_column(REDUCTION)
    expected_nh3n: Mapped[Decimal | None] = mapped_column(REDUCTION)
    expected_nox: Mapped[Decimal | None] = mapped_column(REDUCTION)
    expected_vocs: Mapped[Decimal | None] = mapped_column(REDUCTION)
    # The substituted formulas, coefficients and warnings of the expected reductions.
    accounting: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    contact_name: Mapped[str] = mapped_column(String(64), default="")
    contact_phone: Mapped[str] = mapped_column(String(32), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    plan_status: Mapped[PlanStatus] = mapped_column(
        enum_column(PlanStatus, "plan_status", length=24), default=PlanStatus.DRAFT, index=True
    )
    construction_status: Mapped[ConstructionStatus] = mapped_column(
        enum_column(ConstructionStatus, "construction_status", length=24),
        default=ConstructionStatus.NOT_STARTED,
        index=True,
    )
    actual_start: Mapped[dt.date | None] = mapped_column(Date)
    actual_completion: Mapped[dt.date | None] = mapped_column(Date)
    stable_operation_from: Mapped[dt.date | None] = mapped_column(Date)
    # Progress as of the last approved monthly report (万元 and %).
    investment_completed: Mapped[Decimal] = mapped_column(
        MONEY, default=Decimal(0), server_default="0"
    )
    percent_complete: Mapped[Decimal] = mapped_column(
        Numeric(5, 2), default=Decimal(0), server_default="0"
    )
    review_comment: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    district: Mapped[Region] = relationship(foreign_keys=[district_id])
    enterprise: Mapped[Enterprise | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    # History is never deleted or orphaned: the ORM leaves these rows alone when a project
    # is deleted, so the RESTRICT foreign keys below refuse the delete in the database.
    events: Mapped[list[ProjectEvent]] = relationship(
        back_populates="project", order_by="ProjectEvent.id", passive_deletes="all"
    )
    change_requests: Mapped[list[ChangeRequest]] = relationship(
        back_populates="project", order_by="ChangeRequest.id", passive_deletes="all"
    )

    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012 (SQLAlchemy protocol)

    def __repr__(self) -> str:
        return f"<Project {self.code}>"

    def expected(self, pollutant: str) -> Decimal | None:
        return getattr(self, POLLUTANT_COLUMNS[pollutant])

    def set_expected(self, reductions: dict[str, Decimal]) -> None:
        for pollutant, column in POLLUTANT_COLUMNS.items():
            setattr(self, column, reductions.get(pollutant))

    @property
    def owner_name(self) -> str:
        return self.enterprise.name if self.enterprise is not None else self.owner_unit

    def is_overdue(self, today: dt.date) -> bool:
        """A plan-list project whose planned completion has passed without completion.

        Only approved projects count: drafts, withdrawn and closed ones are not being built
        under the plan, so flagging them would only add noise to dashboards and exports.
        """
        return (
            self.plan_status == PlanStatus.APPROVED
            and self.planned_completion < today
            and self.construction_status not in _DONE
        )

    @classmethod
    def overdue_clause(cls, today: dt.date) -> ColumnElement[bool]:
        """SQL twin of :meth:`is_overdue`, for filters and counts."""
        return and_(
            cls.plan_status == PlanStatus.APPROVED,
            cls.planned_completion < today,
            not_(cls.construction_status.in_(_DONE)),
        )


class ProjectEvent(Base):
    """One entry of a project's history: a transition, an edit, a review decision."""

    __tablename__ = "project_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Submitted data is never hard-deleted: a project with history cannot be deleted.
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="RESTRICT"), index=True
    )
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str | None] = mapped_column(String(24))
    comment: Mapped[str] = mapped_column(Text, default="")
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    project: Mapped[Project] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class ChangeRequest(Base):
    """A change (变更申请) or withdrawal request for an approved project."""

    __tablename__ = "change_requests"
    __table_args__ = (
        CheckConstraint("length(reason) > 0", name="reason_required"),
        # At most one pending request per project: the service checks first for a clear
        # message; the index closes the race between two submitters.
        Index(
            "ix_change_requests_one_pending",
            "project_id",
            unique=True,
            sqlite_where=text(_PENDING),
            postgresql_where=text(_PENDING),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[ChangeRequestKind] = mapped_column(
        enum_column(ChangeRequestKind, "change_kind", length=24)
    )
    status: Mapped[ChangeRequestStatus] = mapped_column(
        enum_column(ChangeRequestStatus, "change_status", length=24),
        default=ChangeRequestStatus.PENDING,
    )
    proposed: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    previous: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(Text)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    decision_comment: Mapped[str] = mapped_column(Text, default="")

    project: Mapped[Project] = relationship(back_populates="change_requests")
    submitted_by: Mapped[User] = relationship(foreign_keys=[submitted_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

"""Monthly dispatch (月度调度): rounds, progress reports, their history and copies of record.

A round belongs to one city and one calendar month; opening it creates one report per
approved, not closed project of the city. A report moves through the states of
``models.enums.ReportStatus`` (the transition table lives in ``dispatch.access``); every
submission leaves an immutable :class:`ReportSnapshot` (the content as submitted, with its
SHA-256) and every transition a :class:`ReportEvent`. Nothing here is ever deleted: the
foreign keys are RESTRICT and the relationships leave history rows alone.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, enum_column, utcnow
from models.enums import ConstructionStatus, ReportStatus, RoundStatus
from models.orgs import Region
from models.projects import MONEY, Project
from models.users import User

PERCENT = Numeric(5, 2)


class DispatchRound(Base):
    """One month's progress collection (调度轮次) in one city."""

    __tablename__ = "dispatch_rounds"
    __table_args__ = (
        UniqueConstraint("city_id", "year", "month"),
        CheckConstraint("city_kind = 'city'", name="in_city"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        CheckConstraint("month BETWEEN 1 AND 12", name="month_range"),
        CheckConstraint("district_deadline >= enterprise_deadline", name="deadline_order"),
        ForeignKeyConstraint(
            ["city_id", "city_kind"], ["regions.id", "regions.kind"], ondelete="RESTRICT"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    city_id: Mapped[int] = mapped_column(index=True)
    city_kind: Mapped[str] = mapped_column(String(16), default="city")
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    # Instants (UTC); the defaults are 23:59 Beijing time on the 2nd and the 5th of M+1.
    enterprise_deadline: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    district_deadline: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    status: Mapped[RoundStatus] = mapped_column(
        enum_column(RoundStatus, "round_status", length=16), default=RoundStatus.OPEN, index=True
    )
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    city: Mapped[Region] = relationship(foreign_keys=[city_id])
    opened_by: Mapped[User | None] = relationship(foreign_keys=[opened_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    reports: Mapped[list[ProgressReport]] = relationship(
        back_populates="round", passive_deletes="all"
    )

    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012 (SQLAlchemy protocol)

    @property
    def period(self) -> str:
        """``YYYY-MM``, the round's name in URLs, files and commands."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def title(self) -> str:
        return f"{self.year}年{self.month}月"

    @property
    def is_open(self) -> bool:
        return self.status == RoundStatus.OPEN

    def __repr__(self) -> str:
        return f"<DispatchRound {self.city_id} {self.period}>"


class ProgressReport(Base):
    """One project's progress in one round (进展填报)."""

    __tablename__ = "progress_reports"
    __table_args__ = (
        UniqueConstraint("round_id", "project_id"),
        CheckConstraint("percent_complete BETWEEN 0 AND 100", name="percent_range"),
        CheckConstraint("investment_month >= 0", name="investment_month_nonneg"),
        CheckConstraint("investment_cumulative >= 0", name="investment_cumulative_nonneg"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("dispatch_rounds.id", ondelete="RESTRICT"), index=True
    )
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[ReportStatus] = mapped_column(
        enum_column(ReportStatus, "report_status", length=24),
        default=ReportStatus.PENDING,
        index=True,
    )
    construction_status: Mapped[ConstructionStatus] = mapped_column(
        enum_column(ConstructionStatus, "report_construction_status", length=24),
        default=ConstructionStatus.NOT_STARTED,
    )
    percent_complete: Mapped[Decimal] = mapped_column(PERCENT, default=Decimal(0))
    investment_month: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    investment_cumulative: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    actual_start: Mapped[dt.date | None] = mapped_column(Date)
    actual_completion: Mapped[dt.date | None] = mapped_column(Date)
    stable_operation_from: Mapped[dt.date | None] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")
    # The approved report this one was prefilled from (None: prefilled from the project).
    prefilled_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("progress_reports.id", ondelete="RESTRICT")
    )
    filled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    filled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    enterprise_filled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Submitted after the round's district deadline (逾期提交); kept once set.
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    return_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    round: Mapped[DispatchRound] = relationship(back_populates="reports")
    project: Mapped[Project] = relationship()
    prefilled_from: Mapped[ProgressReport | None] = relationship(remote_side=[id])
    filled_by: Mapped[User | None] = relationship(foreign_keys=[filled_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    events: Mapped[list[ReportEvent]] = relationship(
        back_populates="report", order_by="ReportEvent.id", passive_deletes="all"
    )
    snapshots: Mapped[list[ReportSnapshot]] = relationship(
        back_populates="report", order_by="ReportSnapshot.id", passive_deletes="all"
    )

    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012 (SQLAlchemy protocol)

    def __repr__(self) -> str:
        return f"<ProgressReport {self.round_id}/{self.project_id} {self.status.value}>"


class ReportEvent(Base):
    """One entry of a report's history: a fill, a submission, a review decision."""

    __tablename__ = "report_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("progress_reports.id", ondelete="RESTRICT"), index=True
    )
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str | None] = mapped_column(String(24))
    comment: Mapped[str] = mapped_column(Text, default="")

    report: Mapped[ProgressReport] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class ReportSnapshot(Base):
    """The content of a report as submitted (copy of record), with its SHA-256.

    Written once per submission and never updated. ``canonical`` is the content as the
    exact UTF-8 JSON text (sorted keys) that ``sha256`` digests, so anyone can check it.
    """

    __tablename__ = "report_snapshots"
    __table_args__ = (CheckConstraint("length(sha256) = 64", name="sha256_hex"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("progress_reports.id", ondelete="RESTRICT"), index=True
    )
    taken_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    canonical: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))

    report: Mapped[ProgressReport] = relationship(back_populates="snapshots")
    actor: Mapped[User | None] = relationship()

    @property
    def content(self) -> dict[str, Any]:
        return json.loads(self.canonical)  # type: ignore[no-any-return]

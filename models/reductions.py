"""Reductions in the system: targets per region and confirmed accounting (issue 11).

**Targets** (减排目标): tonnes per region (the city and each district) × pollutant × period.
A period is a year (``year_from = year_to``) or the five-year plan period
(``year_to = year_from + 4``, e.g. 2021–2025 for 十四五), so one table and one unique key
serve both. The current value is the row; every change, the first setting included, adds a
:class:`ReductionTargetChange` (old, new, who, when), and the service writes the audit log.

**Confirmed accounting** (核定): :class:`ReductionConfirmation`, its own versioned rows,
never columns on the project, so plan edits and accounting never collide. One row is a
version of a project's accounting for one year:

- ``draft``: actual parameters entered (by the district or the city), results computed;
  re-entering updates it (there is at most one draft per project and year);
- ``current``: confirmed by the city; at most one per project and year;
- ``superseded``: an older confirmation a correction replaced; it stays, readable.

A confirmed row (``current`` or ``superseded``) is never edited: the services only ever
move ``current`` to ``superseded`` (with who and when), and a database trigger (migration
0008) refuses any other change and any delete of a confirmed row. It stores everything
needed to reproduce the numbers (``dispatch account verify``): the inputs, every
coefficient with value, unit and source, the substituted formulas, the credit rule, the
stable-operation date used and the fingerprint of the accounting tables. The capacity and
credit per pollutant are Numeric columns so totals are sums in SQL. A confirmed row
points at its calculation sheet (``sheet_evidence_id``, an evidence file the confirmation
filed; frozen with the rest by migration 0010's trigger).
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dispatch.core.pollutants import POLLUTANTS
from models.base import Base, UTCDateTime, enum_column, utcnow
from models.evidence import EvidenceFile
from models.orgs import Region
from models.projects import Project
from models.users import User

TONNES = Numeric(18, 6)
_POLLUTANT_CODES = ", ".join(f"'{p.code}'" for p in POLLUTANTS)
# Kept here as plain names (models import no dispatch.core.catalog): the catalog's
# CREDIT_RULES must match, which tests/reductions checks.
CREDIT_RULE_VALUES = ("months_after_stable", "full_year")
_RULES = ", ".join(f"'{r}'" for r in CREDIT_RULE_VALUES)
_DRAFT = "status = 'draft'"
_CURRENT = "status = 'current'"


class ConfirmationStatus(enum.StrEnum):
    DRAFT = "draft"
    CURRENT = "current"
    SUPERSEDED = "superseded"

    @property
    def label(self) -> str:
        return {"draft": "待核定", "current": "已核定（现行）", "superseded": "已被更正"}[
            self.value
        ]


class ReductionTarget(Base):
    """A region's reduction target for one pollutant and one period, in tonnes."""

    __tablename__ = "reduction_targets"
    __table_args__ = (
        UniqueConstraint("region_id", "pollutant", "year_from", "year_to"),
        CheckConstraint(f"pollutant IN ({_POLLUTANT_CODES})", name="pollutant_known"),
        CheckConstraint(
            "year_to = year_from OR year_to = year_from + 4", name="year_or_five_years"
        ),
        CheckConstraint("year_from BETWEEN 2000 AND 2100", name="year_range"),
        CheckConstraint("tonnes >= 0", name="tonnes_nonneg"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_id: Mapped[int] = mapped_column(
        ForeignKey("regions.id", ondelete="RESTRICT"), index=True
    )
    pollutant: Mapped[str] = mapped_column(String(8))
    year_from: Mapped[int] = mapped_column(Integer)
    year_to: Mapped[int] = mapped_column(Integer)
    tonnes: Mapped[Decimal] = mapped_column(TONNES)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    region: Mapped[Region] = relationship()
    updated_by: Mapped[User | None] = relationship()
    changes: Mapped[list[ReductionTargetChange]] = relationship(
        back_populates="target", order_by="ReductionTargetChange.id", passive_deletes="all"
    )

    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012 (SQLAlchemy protocol)

    @property
    def is_period(self) -> bool:
        return self.year_to != self.year_from


class ReductionTargetChange(Base):
    """One change of a target: the value before (None when first set) and after."""

    __tablename__ = "reduction_target_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target_id: Mapped[int] = mapped_column(
        ForeignKey("reduction_targets.id", ondelete="RESTRICT"), index=True
    )
    old_tonnes: Mapped[Decimal | None] = mapped_column(TONNES)
    new_tonnes: Mapped[Decimal] = mapped_column(TONNES)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    target: Mapped[ReductionTarget] = relationship(back_populates="changes")
    changed_by: Mapped[User | None] = relationship()


class ReductionConfirmation(Base):
    """One version of a project's accounting for one year (draft, current or superseded)."""

    __tablename__ = "reduction_confirmations"
    __table_args__ = (
        UniqueConstraint("project_id", "version"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(f"credit_rule IN ({_RULES})", name="credit_rule_known"),
        CheckConstraint("credit_months BETWEEN 0 AND 12", name="credit_months_range"),
        CheckConstraint(
            "status = 'draft' OR (confirmed_by_id IS NOT NULL AND confirmed_at IS NOT NULL)",
            name="confirmed_has_who_and_when",
        ),
        CheckConstraint(
            "status <> 'superseded' OR superseded_at IS NOT NULL", name="superseded_has_when"
        ),
        # One draft and one current confirmation per project and year; the services check
        # first for a clear message, the indexes close the race.
        Index(
            "ix_reduction_confirmations_one_draft",
            "project_id",
            "year",
            unique=True,
            sqlite_where=text(_DRAFT),
            postgresql_where=text(_DRAFT),
        ),
        Index(
            "ix_reduction_confirmations_one_current",
            "project_id",
            "year",
            unique=True,
            sqlite_where=text(_CURRENT),
            postgresql_where=text(_CURRENT),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="RESTRICT"), index=True
    )
    year: Mapped[int] = mapped_column(Integer, index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[ConfirmationStatus] = mapped_column(
        enum_column(ConfirmationStatus, "confirmation_status", length=16),
        default=ConfirmationStatus.DRAFT,
        index=True,
    )
    method: Mapped[str] = mapped_column(String(32))
    stable_operation_from: Mapped[dt.date] = mapped_column(Date)
    # The actual operating parameters (normalised by the engine, Decimals as text).
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # path → {value, unit, source, table_key?, example?} (the engine's record).
    coefficients: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Every substituted formula line, then one credit line per pollutant.
    formula: Mapped[list[str]] = mapped_column(JSON, default=list)
    # pollutant → its own lines (capacity formula and credit), for pages and sheets.
    formula_by_pollutant: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    capacity_cod: Mapped[Decimal | None] = mapped_column(TONNES)
    capacity_nh3n: Mapped[Decimal | None] = mapped_column(TONNES)
    capacity_nox: Mapped[Decimal | None] = mapped_column(TONNES)
    capacity_vocs: Mapped[Decimal | None] = mapped_column(TONNES)
    credit_cod: Mapped[Decimal | None] = mapped_column(TONNES)
    credit_nh3n: Mapped[Decimal | None] = mapped_column(TONNES)
    credit_nox: Mapped[Decimal | None] = mapped_column(TONNES)
    credit_vocs: Mapped[Decimal | None] = mapped_column(TONNES)
    credit_rule: Mapped[str] = mapped_column(String(32))
    credit_months: Mapped[int] = mapped_column(Integer)
    # SHA-256 of the accounting tables (dispatch.core.accounting.fingerprint).
    fingerprint: Mapped[str] = mapped_column(String(64))
    # Why this version replaces the current one (required for a correction).
    reason: Mapped[str] = mapped_column(Text, default="")
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    entered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    superseded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("reduction_confirmations.id", ondelete="RESTRICT")
    )
    superseded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # The calculation sheet (削减量计算书) filed on confirmation under the catalog's system
    # item; None for a draft (and for a confirmation made before sheets existed).
    sheet_evidence_id: Mapped[int | None] = mapped_column(
        ForeignKey("evidence_files.id", ondelete="RESTRICT"), unique=True, index=True
    )
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    project: Mapped[Project] = relationship()
    sheet_evidence: Mapped[EvidenceFile | None] = relationship()
    entered_by: Mapped[User] = relationship(foreign_keys=[entered_by_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])
    superseded_by: Mapped[ReductionConfirmation | None] = relationship(remote_side=[id])

    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012 (SQLAlchemy protocol)

    def __repr__(self) -> str:
        return f"<ReductionConfirmation {self.project_id}/{self.year} v{self.version}>"

    def capacity(self, pollutant: str) -> Decimal | None:
        return getattr(self, f"capacity_{POLLUTANT_COLUMN_SUFFIX[pollutant]}")

    def credit(self, pollutant: str) -> Decimal | None:
        return getattr(self, f"credit_{POLLUTANT_COLUMN_SUFFIX[pollutant]}")

    def set_results(self, capacity: dict[str, Decimal], credit: dict[str, Decimal]) -> None:
        for pollutant, suffix in POLLUTANT_COLUMN_SUFFIX.items():
            setattr(self, f"capacity_{suffix}", capacity.get(pollutant))
            setattr(self, f"credit_{suffix}", credit.get(pollutant))

    @property
    def pollutants(self) -> list[str]:
        return [p for p in POLLUTANT_COLUMN_SUFFIX if self.capacity(p) is not None]


# COD → cod, NH3N → nh3n … (the suffix of the expected_* columns of projects).
POLLUTANT_COLUMN_SUFFIX = {p.code: p.column.removeprefix("expected_") for p in POLLUTANTS}

"""Organisations: the region tree (province → city → district) and enterprises.

A user belongs to exactly one organisation node. Regions carry a materialised ``path`` of
ids (``/1/4/9/``) so that "everything in this region's subtree" is one indexed prefix
query, used by every scoped select in ``dispatch.access``.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, enum_column, utcnow
from models.enums import RegionKind

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
DIVISION_CODE_RE = re.compile(r"^[1-9]\d{5}$")


def uscc_check_char(first17: str) -> str:
    """The 18th character of a unified social credit code (GB 32100-2015)."""
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    value = 31 - total % 31
    return USCC_ALPHABET[0 if value == 31 else value]


def is_valid_uscc(code: str) -> bool:
    """True when ``code`` is an 18-character credit code with a correct check character."""
    if len(code) != 18 or any(ch not in USCC_ALPHABET for ch in code):
        return False
    return uscc_check_char(code[:17]) == code[17]


def is_valid_division_code(code: str) -> bool:
    """Six digits per GB/T 2260 (first digit not zero)."""
    return bool(DIVISION_CODE_RE.match(code))


class Region(Base):
    """A node of the administrative tree; districts include development zones."""

    __tablename__ = "regions"
    __table_args__ = (
        # Lets users reference (id, kind) so a check can tie a role to the kind of region.
        UniqueConstraint("id", "kind"),
        CheckConstraint(
            "(kind = 'province' AND parent_id IS NULL) OR (kind <> 'province')",
            name="province_is_root",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[RegionKind] = mapped_column(enum_column(RegionKind, "region_kind", length=16))
    name: Mapped[str] = mapped_column(String(64))
    division_code: Mapped[str] = mapped_column(String(6), unique=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("regions.id", ondelete="RESTRICT"), index=True
    )
    path: Mapped[str] = mapped_column(String(255), index=True, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    parent: Mapped[Region | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Region]] = relationship(back_populates="parent")
    enterprises: Mapped[list[Enterprise]] = relationship(
        back_populates="district", foreign_keys="Enterprise.district_id"
    )

    def __repr__(self) -> str:
        return f"<Region {self.division_code} {self.name}>"

    def contains(self, other: Region) -> bool:
        """True when ``other`` is this region or lies in its subtree."""
        return other.path.startswith(self.path)


class Enterprise(Base):
    """A company owning projects at its plants; belongs to one district."""

    __tablename__ = "enterprises"
    __table_args__ = (
        CheckConstraint("length(uscc) = 18", name="uscc_length"),
        CheckConstraint("district_kind = 'district'", name="in_district"),
        # The composite key makes "an enterprise belongs to a district" a database fact.
        ForeignKeyConstraint(
            ["district_id", "district_kind"],
            ["regions.id", "regions.kind"],
            ondelete="RESTRICT",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), index=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    district_id: Mapped[int] = mapped_column(index=True)
    district_kind: Mapped[str] = mapped_column(String(16), default="district")
    address: Mapped[str] = mapped_column(String(255), default="")
    industry: Mapped[str] = mapped_column(String(64), default="")
    permit_number: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    district: Mapped[Region] = relationship(
        back_populates="enterprises", foreign_keys=[district_id]
    )

    def __repr__(self) -> str:
        return f"<Enterprise {self.uscc} {self.name}>"

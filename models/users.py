"""User accounts and their server-side login sessions."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, enum_column, utcnow
from models.enums import Role
from models.orgs import Enterprise, Region
from models.two_factor import TwoFactor

# Role ↔ organisation kind, enforced by the database: an enterprise user belongs to an
# enterprise; a district user to a district; a city user to a city (or a province, for a
# provincial deployment); the three officers (admin, security, auditor) to a region node
# without business scope.
ROLE_ORG_CHECK = (
    "(role = 'enterprise' AND enterprise_id IS NOT NULL AND region_id IS NULL)"
    " OR (role = 'district' AND enterprise_id IS NULL AND region_kind = 'district')"
    " OR (role = 'city' AND enterprise_id IS NULL AND region_kind IN ('city', 'province'))"
    " OR (role IN ('admin', 'security', 'auditor')"
    " AND enterprise_id IS NULL AND region_id IS NOT NULL)"
)


class User(Base):
    """A person who signs in; exactly one role and one organisation node."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(ROLE_ORG_CHECK, name="role_matches_org"),
        CheckConstraint("failed_logins >= 0", name="failed_logins_nonneg"),
        CheckConstraint("(region_id IS NULL) = (region_kind IS NULL)", name="region_kind_pair"),
        ForeignKeyConstraint(
            ["region_id", "region_kind"],
            ["regions.id", "regions.kind"],
            ondelete="RESTRICT",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str] = mapped_column(String(32), default="")
    role: Mapped[Role] = mapped_column(enum_column(Role, "role", length=16))
    region_id: Mapped[int | None] = mapped_column(index=True)
    region_kind: Mapped[str | None] = mapped_column(String(16))
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprises.id", ondelete="RESTRICT"), index=True
    )
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    region: Mapped[Region | None] = relationship(foreign_keys=[region_id])
    enterprise: Mapped[Enterprise | None] = relationship()
    sessions: Mapped[list[UserSession]] = relationship(back_populates="user")
    two_factor: Mapped[TwoFactor | None] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"

    # Flask-Login protocol, written out so models stay free of Flask imports.
    is_authenticated = True
    is_anonymous = False

    @property
    def credential_stamp(self) -> str:
        """Changes whenever the password changes or the account is disabled."""
        raw = f"{self.password_hash}|{int(bool(self.is_active))}".encode()
        return hashlib.sha256(raw).hexdigest()[:16]

    def get_id(self) -> str:
        return f"{self.id}:{self.credential_stamp}"

    def is_locked(self, now: dt.datetime) -> bool:
        """Locked out by failed logins at ``now`` (the lock ends by itself at ``locked_until``)."""
        return self.locked_until is not None and self.locked_until > now

    @property
    def org_name(self) -> str:
        if self.enterprise is not None:
            return self.enterprise.name
        return self.region.name if self.region is not None else ""

    def attach_region(self, region: Region) -> None:
        """Point the user at a region node (keeps the composite key in step)."""
        self.enterprise_id = None
        self.enterprise = None
        self.region = region
        self.region_id = region.id
        self.region_kind = region.kind.value

    def attach_enterprise(self, enterprise: Enterprise) -> None:
        """Point the user at an enterprise."""
        self.region = None
        self.region_id = None
        self.region_kind = None
        self.enterprise = enterprise
        self.enterprise_id = enterprise.id


class UserSession(Base):
    """A server-side login session; the browser holds only a random token.

    The row is keyed by the SHA-256 of the token so a database reader cannot hijack
    sessions. Logout, idle expiry and password changes end rows here, which is what makes
    "log out everywhere" real rather than cosmetic.
    """

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(String(32))
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(255), default="")

    user: Mapped[User] = relationship(back_populates="sessions")

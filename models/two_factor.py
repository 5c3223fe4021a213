"""Two-factor sign-in (TOTP, RFC 6238): a user's enrolled secret and recovery codes.

Tables of their own rather than columns of ``users``: enrolling, using and resetting
two-factor never rewrites the account row, and the migration only adds tables.

The secret is stored sealed (AES-GCM under a key derived from the app's secret key, see
``dispatch.auth.totp``), so a database dump or backup alone does not give it away; the
recovery codes are stored as password hashes, each used once.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from models.users import User


class TwoFactor(Base):
    """A user's enrolled TOTP authenticator (at most one; a reset deletes it)."""

    __tablename__ = "user_two_factors"
    __table_args__ = (
        CheckConstraint("failed_attempts >= 0", name="failed_attempts_nonneg"),
        CheckConstraint("last_used_step >= 0", name="last_used_step_nonneg"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    # "v1:" + base64url(nonce | ciphertext | tag) of the base32 secret.
    sealed_secret: Mapped[str] = mapped_column(String(255))
    enrolled_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The newest time step whose code was accepted: that code and earlier ones are refused.
    last_used_step: Mapped[int] = mapped_column(Integer, default=0)
    # Wrong codes at the second sign-in step since the last right one; the password's own
    # counter is separate, so typing the password again does not reset this one.
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)

    user: Mapped[User] = relationship(back_populates="two_factor")


class RecoveryCode(Base):
    """One of a user's single-use recovery codes (stored hashed, like a password)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

"""The append-only audit log, each event chained to the previous one by SHA-256.

``hash = sha256(prev_hash || canonical JSON of the event's fields)``. Editing, inserting or
deleting any stored event breaks the chain from that point, which ``dispatch audit
verify`` reports. ``prev_hash`` is unique, so two writers can never fork the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, enum_column
from models.enums import AuditOutcome

GENESIS_HASH = "0" * 64


class AuditEvent(Base):
    """One recorded action: who, what object, what, when, from where, outcome."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    # Kept as text too: the log must read the same after an account is renamed.
    actor_username: Mapped[str] = mapped_column(String(64), default="", index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(64), default="", index=True)
    object_id: Mapped[str] = mapped_column(String(64), default="")
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    outcome: Mapped[AuditOutcome] = mapped_column(
        enum_column(AuditOutcome, "audit_outcome", length=16)
    )
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    def canonical(self) -> bytes:
        """The bytes the hash covers; stable across SQLite and PostgreSQL."""
        occurred = self.occurred_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        payload = {
            "occurred_at": occurred,
            "actor_id": self.actor_id,
            "actor_username": self.actor_username or "",
            "action": self.action,
            "object_type": self.object_type or "",
            "object_id": self.object_id or "",
            "remote_addr": self.remote_addr or "",
            "outcome": AuditOutcome(self.outcome).value,
            "details": self.details or {},
        }
        return json.dumps(
            payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")
        ).encode()

    def compute_hash(self) -> str:
        return hashlib.sha256(self.prev_hash.encode() + self.canonical()).hexdigest()

    def seal(self, prev_hash: str) -> None:
        """Chain this event to ``prev_hash`` and compute its own hash."""
        self.prev_hash = prev_hash
        self.hash = self.compute_hash()

"""The append-only audit log, each event chained to the previous one by SHA-256.

``hash = sha256(prev_hash || canonical JSON of the event's fields)``. Editing, inserting or
deleting any stored event breaks the chain from that point, which ``dispatch audit
verify`` reports. ``prev_hash`` is unique, so two writers can never fork the chain.

An event also travels as a plain record (:meth:`AuditEvent.as_record`, one line of an
archive file) from which :meth:`AuditEvent.from_record` rebuilds it to recompute its hash.
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
# How ``occurred_at`` enters the hash (and an archive file): UTC, microseconds, a "Z".
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
# Every stored column, in the order an archive file writes them: enough to recompute the
# hash and to check each event's link to the one before.
RECORD_FIELDS = (
    "id",
    "occurred_at",
    "actor_id",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "remote_addr",
    "outcome",
    "details",
    "prev_hash",
    "hash",
)


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
        occurred = self.occurred_text()
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

    def occurred_text(self) -> str:
        return self.occurred_at.astimezone(dt.UTC).strftime(TIMESTAMP_FORMAT)

    def as_record(self) -> dict[str, Any]:
        """Every stored column as JSON-ready values (an archive file's line)."""
        record = {name: getattr(self, name) for name in RECORD_FIELDS}
        record["occurred_at"] = self.occurred_text()
        record["outcome"] = AuditOutcome(self.outcome).value
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> AuditEvent:
        """A detached event rebuilt from :meth:`as_record` (``KeyError``/``ValueError`` for a
        record that lacks a field or holds a value of the wrong kind)."""
        missing = [name for name in RECORD_FIELDS if name not in record]
        if missing:
            raise KeyError(", ".join(missing))
        kinds = {name: str for name in RECORD_FIELDS} | {"id": int, "details": dict}
        wrong = [
            name
            for name, kind in kinds.items()
            if name != "actor_id" and (type(record[name]) is not kind)
        ]
        if record["actor_id"] is not None and type(record["actor_id"]) is not int:
            wrong.append("actor_id")
        if wrong:
            raise ValueError(", ".join(wrong))
        occurred = dt.datetime.strptime(record["occurred_at"], TIMESTAMP_FORMAT)
        values = {name: record[name] for name in RECORD_FIELDS}
        values["occurred_at"] = occurred.replace(tzinfo=dt.UTC)
        values["outcome"] = AuditOutcome(record["outcome"])
        return cls(**values)

    def compute_hash(self) -> str:
        return hashlib.sha256(self.prev_hash.encode() + self.canonical()).hexdigest()

    def seal(self, prev_hash: str) -> None:
        """Chain this event to ``prev_hash`` and compute its own hash."""
        self.prev_hash = prev_hash
        self.hash = self.compute_hash()

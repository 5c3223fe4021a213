"""Writing and verifying the chained audit log.

Every write and every download in the app calls :func:`record`. Events are sealed (hashed
onto the previous one) at insert time; on PostgreSQL a transaction-scoped advisory lock
serialises writers so the chain never forks (the unique ``prev_hash`` would reject a
fork anyway; the lock turns that error into waiting).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import has_request_context, request
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from dispatch.clock import now
from models import GENESIS_HASH, AuditEvent, AuditOutcome, User

# Arbitrary constant identifying the audit-chain advisory lock.
AUDIT_LOCK_KEY = 7_300_137


def remote_address() -> str:
    if not has_request_context():
        return ""
    return request.remote_addr or ""


def record(
    session: Session,
    action: str,
    *,
    actor: User | None = None,
    actor_username: str | None = None,
    object_type: str = "",
    object_id: Any = "",
    outcome: AuditOutcome = AuditOutcome.SUCCESS,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain (flushed, not committed)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": AUDIT_LOCK_KEY})
    session.flush()
    last = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    event = AuditEvent(
        occurred_at=now(),
        actor_id=actor.id if actor is not None else None,
        actor_username=actor_username
        if actor_username is not None
        else (actor.username if actor is not None else ""),
        action=action,
        object_type=object_type,
        object_id="" if object_id is None else str(object_id),
        remote_addr=remote_address(),
        outcome=outcome,
        details=details or {},
    )
    event.seal(last or GENESIS_HASH)
    session.add(event)
    session.flush()
    return event


@dataclasses.dataclass(frozen=True)
class ChainReport:
    """Result of walking the chain."""

    checked: int
    first_bad_id: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.first_bad_id is None


def verify_chain(session: Session, batch_size: int = 1000) -> ChainReport:
    """Walk every event in id order, streaming, and report the first one that does not verify."""
    expected_prev = GENESIS_HASH
    checked = 0
    stmt = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=batch_size)
    # The context manager closes PostgreSQL's server-side cursor on an early return too.
    with session.scalars(stmt) as events:
        for event in events:
            if event.prev_hash != expected_prev:
                return ChainReport(checked, event.id, "prev_hash does not match the previous event")
            if event.compute_hash() != event.hash:
                return ChainReport(checked, event.id, "content does not match its hash")
            expected_prev = event.hash
            checked += 1
            session.expunge(event)
    return ChainReport(checked)

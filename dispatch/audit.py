"""Writing and verifying the chained audit log, and who, when and from where it records.

Every write and every download in the app calls :func:`record` with an :class:`Acting`:
the acting user, the time and the client address, built once at the edge (a request by
``dispatch.web.uow.acting``, a command or the demo seed by hand) and passed through the
services, so nothing below the edge reads the request or the clock.

Events are sealed (hashed onto the previous one) at insert time; on PostgreSQL a
transaction-scoped advisory lock serialises writers so the chain never forks (the unique
``prev_hash`` would reject a fork anyway; the lock turns that error into waiting).

Old events may be moved to archive files (``dispatch audit archive``, see
:mod:`dispatch.auditlog.archive`). The archiving is itself an event of the chain
(:data:`ARCHIVE_ACTION`) naming the last archived event's id and hash, so the live chain
starts where the newest such event says, not at the genesis hash: deleting old events
without that event (or with a forged one that is not linked in) breaks the chain.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from models import GENESIS_HASH, AuditEvent, AuditOutcome, User

# Arbitrary constant identifying the audit-chain advisory lock.
AUDIT_LOCK_KEY = 7_300_137
# The event that moved a prefix of the chain to an archive file; its details name the
# range (first_id, last_id, count), the hashes at both ends and the file's SHA-256.
ARCHIVE_ACTION = "audit.archive"


@dataclasses.dataclass(frozen=True)
class Acting:
    """Who acts (``None``: the system, e.g. a command or the demo seed), when, from where."""

    user: User | None
    at: dt.datetime
    remote_addr: str = ""

    @property
    def actor(self) -> User:
        """The acting user, for actions only a signed-in user can take."""
        if self.user is None:
            raise ValueError("this action needs an acting user")
        return self.user

    def by(self, user: User | None) -> Acting:
        """The same moment and address, acted as ``user`` (a login acts as the account)."""
        return dataclasses.replace(self, user=user)


def lock_chain(session: Session) -> None:
    """Wait for, then hold until the transaction ends, the right to append (PostgreSQL;
    SQLite has a single writer anyway)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": AUDIT_LOCK_KEY})


def record(
    session: Session,
    acting: Acting,
    action: str,
    *,
    actor_username: str | None = None,
    object_type: str = "",
    object_id: Any = "",
    outcome: AuditOutcome = AuditOutcome.SUCCESS,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain (flushed, not committed).

    ``actor_username`` names an actor that has no account (an unknown login name).
    """
    actor = acting.user
    lock_chain(session)
    session.flush()
    last = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    event = AuditEvent(
        occurred_at=acting.at,
        actor_id=actor.id if actor is not None else None,
        actor_username=actor_username
        if actor_username is not None
        else (actor.username if actor is not None else ""),
        action=action,
        object_type=object_type,
        object_id="" if object_id is None else str(object_id),
        remote_addr=acting.remote_addr[:64],
        outcome=outcome,
        details=details or {},
    )
    event.seal(last or GENESIS_HASH)
    session.add(event)
    session.flush()
    return event


@dataclasses.dataclass(frozen=True)
class ChainStart:
    """Where the live chain begins: the genesis hash, or the end of the archived part."""

    prev_hash: str = GENESIS_HASH
    archived_through: int | None = None  # the last archived event's id
    anchor_id: int | None = None  # the archive event that says so
    problem: str = ""


def chain_start(session: Session) -> ChainStart:
    """The hash the first live event must link to, from the newest archive event.

    That event is itself verified by the walk of the chain, so a forged or edited one is
    found there; ``problem`` names an archive event that does not say where the chain starts.
    """
    anchor = session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == ARCHIVE_ACTION, AuditEvent.outcome == AuditOutcome.SUCCESS)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    if anchor is None:
        return ChainStart()
    details = anchor.details or {}
    last_hash, last_id = details.get("last_hash"), details.get("last_id")
    if not isinstance(last_hash, str) or type(last_id) is not int or last_id >= anchor.id:
        return ChainStart(anchor_id=anchor.id, problem="archive event names no earlier last event")
    return ChainStart(last_hash, last_id, anchor.id)


@dataclasses.dataclass(frozen=True)
class ChainReport:
    """Result of walking the chain."""

    checked: int
    first_bad_id: int | None = None
    reason: str = ""
    start: ChainStart = ChainStart()

    @property
    def ok(self) -> bool:
        return self.first_bad_id is None


def verify_chain(session: Session, batch_size: int = 1000) -> ChainReport:
    """Walk every live event in id order, streaming, and report the first one that does not
    verify. The first must link to the archived part's last hash when there is one."""
    start = chain_start(session)
    if start.problem:
        return ChainReport(0, start.anchor_id, start.problem, start)
    expected_prev = start.prev_hash
    checked = 0
    stmt = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=batch_size)
    # The context manager closes PostgreSQL's server-side cursor on an early return too.
    with session.scalars(stmt) as events:
        for event in events:
            if event.prev_hash != expected_prev:
                reason = "prev_hash does not match the previous event"
                if checked == 0 and start.archived_through is not None:
                    reason = "prev_hash does not match the last archived event"
                return ChainReport(checked, event.id, reason, start)
            if start.archived_through is not None and event.id <= start.archived_through:
                return ChainReport(checked, event.id, "event was archived yet is still here", start)
            if event.compute_hash() != event.hash:
                return ChainReport(checked, event.id, "content does not match its hash", start)
            expected_prev = event.hash
            checked += 1
            session.expunge(event)
    return ChainReport(checked, start=start)

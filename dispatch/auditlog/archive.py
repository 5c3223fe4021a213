"""Moving audit events older than the retention period out of the database into a file.

The events moved are always a *prefix* of the live chain (every event up to the first one
younger than the cut-off), so what stays is still one unbroken chain; its first event
links to the last archived one. The archiving is recorded in the chain before the events
are deleted (:data:`~dispatch.audit.ARCHIVE_ACTION`): the range, the hashes at both of its
ends, the cut-off, the retention and the file's SHA-256. That event is what tells
``verify_chain`` where the live chain starts, and what ``dispatch audit verify --archive``
(:mod:`dispatch.auditlog.archive_check`) holds each file against, so a file that was
edited, swapped or made up is found, and so is a deletion of old events passed off as
an archive.

The file is JSON lines (UTF-8): a header line, then one line per event in id order with
every stored column (:meth:`~models.AuditEvent.as_record`), enough to recompute each hash.

Nothing younger than the retention period (at least 180 days, 等保 level 3) is archived,
whatever the caller asks.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from typing import IO, Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from dispatch import audit
from dispatch.audit import ARCHIVE_ACTION, Acting, verify_chain
from dispatch.config import MIN_AUDIT_RETENTION_DAYS
from dispatch.errors import DomainError
from models import AuditEvent
from models.audit import TIMESTAMP_FORMAT

_SQLITE_CLAIM_WRITE = text("UPDATE audit_events SET id = id WHERE 0")
FORMAT = "dispatch-audit-archive"
VERSION = 1
HEADER_FIELDS = (
    "first_id",
    "last_id",
    "count",
    "first_prev_hash",
    "last_hash",
    "cutoff",
    "created_at",
)


def stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime(TIMESTAMP_FORMAT)


def parse_stamp(text: Any) -> dt.datetime | None:
    """A :func:`stamp` read back; ``None`` for anything else."""
    try:
        return dt.datetime.strptime(text, TIMESTAMP_FORMAT).replace(tzinfo=dt.UTC)
    except (TypeError, ValueError):
        return None


def latest_cutoff(now: dt.datetime, retention_days: int) -> dt.datetime:
    """The latest cut-off allowed: events before it have been kept the whole retention."""
    return now - dt.timedelta(days=max(retention_days, MIN_AUDIT_RETENTION_DAYS))


@dataclasses.dataclass(frozen=True)
class ArchivePlan:
    """The prefix of the live chain that is older than the cut-off."""

    first_id: int
    last_id: int
    count: int
    first_prev_hash: str
    last_hash: str


def plan_archive(session: Session, cutoff: dt.datetime) -> ArchivePlan | None:
    """Every event before the first one at or after ``cutoff`` (``None``: nothing to move).

    Ids, not times, decide the order of the chain; an event with an earlier time after a
    younger one (a clock set back) stays, with everything after the younger one.
    """
    first_young = session.scalar(
        select(func.min(AuditEvent.id)).where(AuditEvent.occurred_at >= cutoff)
    )
    stmt = select(func.min(AuditEvent.id), func.max(AuditEvent.id), func.count(AuditEvent.id))
    if first_young is not None:
        stmt = stmt.where(AuditEvent.id < first_young)
    first_id, last_id, count = session.execute(stmt).one()
    if not count:
        return None
    first_prev = session.scalar(select(AuditEvent.prev_hash).where(AuditEvent.id == first_id))
    last_hash = session.scalar(select(AuditEvent.hash).where(AuditEvent.id == last_id))
    assert first_prev is not None and last_hash is not None
    return ArchivePlan(first_id, last_id, count, first_prev, last_hash)


def write_archive(
    session: Session,
    plan: ArchivePlan,
    out: IO[bytes],
    *,
    cutoff: dt.datetime,
    created_at: dt.datetime,
    batch_size: int = 1000,
) -> tuple[str, int]:
    """Stream the planned events into ``out``; returns the file's SHA-256 and size."""
    digest = hashlib.sha256()
    size = 0

    def line(value: dict[str, Any]) -> None:
        nonlocal size
        data = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
        digest.update(data)
        out.write(data)
        size += len(data)

    header = dataclasses.asdict(plan) | {"cutoff": stamp(cutoff), "created_at": stamp(created_at)}
    line({"format": FORMAT, "version": VERSION, **header})
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.id >= plan.first_id, AuditEvent.id <= plan.last_id)
        .order_by(AuditEvent.id)
        .execution_options(yield_per=batch_size)
    )
    expected_prev, written = plan.first_prev_hash, 0
    with session.scalars(stmt) as events:
        for event in events:
            # The chain was verified just before; a change since then is not archived.
            if event.prev_hash != expected_prev or event.occurred_at >= cutoff:
                raise DomainError(f"审计事件 #{event.id} 在归档过程中发生变化，已停止归档")
            line(event.as_record())
            expected_prev = event.hash
            written += 1
            session.expunge(event)
    if written != plan.count or expected_prev != plan.last_hash:
        raise DomainError("归档过程中审计日志发生变化，已停止归档，请重试")
    return digest.hexdigest(), size


@dataclasses.dataclass(frozen=True)
class ArchiveResult:
    plan: ArchivePlan
    sha256: str
    size: int
    event: AuditEvent  # the archive event now in the chain


def archive_events(
    session: Session,
    acting: Acting,
    out: IO[bytes],
    *,
    cutoff: dt.datetime,
    retention_days: int,
    file_name: str,
) -> ArchiveResult | None:
    """Write the events before ``cutoff`` into ``out``, record the archiving, delete them.

    ``None`` when there is nothing to archive (nothing is written or recorded). Flushes,
    never commits: the caller commits, then keeps the file (or removes it on failure).
    """
    latest = latest_cutoff(acting.at, retention_days)
    if cutoff > latest:
        raise DomainError(
            f"只能归档保存期满 {max(retention_days, MIN_AUDIT_RETENTION_DAYS)} 天的审计事件："
            f"截止时间不能晚于 {stamp(latest)}（UTC）"
        )
    if session.get_bind().dialect.name == "sqlite":
        # Take SQLite's write lock now: a read transaction cannot become a writer once
        # another connection has written, which the app may well do while this runs.
        session.execute(_SQLITE_CLAIM_WRITE)
    report = verify_chain(session)
    if not report.ok:
        raise DomainError(
            f"审计日志校验未通过（事件 #{report.first_bad_id}：{report.reason}），不能归档；"
            "请先运行 dispatch audit verify 查明原因"
        )
    plan = plan_archive(session, cutoff)
    if plan is None:
        return None
    sha256, size = write_archive(session, plan, out, cutoff=cutoff, created_at=acting.at)
    event = audit.record(
        session,
        acting,
        ARCHIVE_ACTION,
        object_type="audit_log",
        object_id=f"{plan.first_id}-{plan.last_id}",
        details={
            **dataclasses.asdict(plan),
            "cutoff": stamp(cutoff),
            "retention_days": retention_days,
            "file": file_name[:255],
            "sha256": sha256,
            "bytes": size,
        },
    )
    # record() waited for the chain's lock: a second archiving that ran meanwhile has
    # moved the start of the chain, and this file would repeat its events.
    if _live_start(session) != plan.first_prev_hash:
        raise DomainError("另一次归档刚刚完成，本次未归档，请重新运行")
    session.execute(
        delete(AuditEvent)
        .where(AuditEvent.id <= plan.last_id)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return ArchiveResult(plan, sha256, size, event)


def _live_start(session: Session) -> str | None:
    """The previous hash of the first event still in the database."""
    return session.scalar(select(AuditEvent.prev_hash).order_by(AuditEvent.id).limit(1))

"""Verifying archive files and the live log as one chain (``dispatch audit verify --archive``).

Each file is read streaming: every event's hash is recomputed and its link to the one
before checked, and the header must say what the file holds. Then, together:

- the files, ordered by their first event, follow one another without gap or overlap from
  the genesis hash, and the last ends where the live chain starts;
- each file is the one an archive event recorded (by SHA-256, range, count and last
  hash), the event being in the live chain or in a later archive; every archive event's
  file is among those given;
- no file holds an event younger than its archive's cut-off, and no cut-off is less than
  the minimum retention before the archiving;
- the live chain verifies.

Every problem found is reported (not only the first), with the file it concerns.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.audit import ARCHIVE_ACTION, ChainReport, verify_chain
from dispatch.auditlog.archive import FORMAT, HEADER_FIELDS, VERSION, parse_stamp
from dispatch.config import MIN_AUDIT_RETENTION_DAYS
from models import GENESIS_HASH, AuditEvent, AuditOutcome


@dataclasses.dataclass(frozen=True)
class ArchiveEvent:
    """An archive event, wherever it is now (live or itself archived)."""

    id: int
    occurred_at: dt.datetime
    details: dict[str, Any]

    def names(self, f: ArchiveFile) -> bool:
        d = self.details
        return (
            d.get("sha256") == f.sha256
            and d.get("first_id") == f.first_id
            and d.get("last_id") == f.last_id
            and d.get("count") == f.count
            and d.get("last_hash") == f.last_hash
            and d.get("first_prev_hash") == f.first_prev_hash
        )


@dataclasses.dataclass
class ArchiveFile:
    """What one file holds, as read; ``problem`` is the first thing wrong with it."""

    path: Path
    first_id: int = 0
    last_id: int = 0
    count: int = 0
    first_prev_hash: str = ""
    last_hash: str = ""
    cutoff: dt.datetime | None = None
    sha256: str = ""
    latest_at: dt.datetime | None = None  # the youngest event's time
    archive_events: list[ArchiveEvent] = dataclasses.field(default_factory=list)
    problem: str = ""


# One event per line; the largest details (a plan list import's summary) are far smaller.
LINE_MAX_BYTES = 16 << 20


def _header(raw: bytes) -> dict[str, Any] | str:
    """The header line's values, or what is wrong with it."""
    try:
        header = json.loads(raw)
    except ValueError:
        return "第 1 行不是归档文件头（不是 JSON）"
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        return "不是审计日志归档文件（文件头格式不符）"
    if header.get("version") != VERSION:
        return f"归档文件版本 {header.get('version')!r} 不受支持"
    missing = [name for name in HEADER_FIELDS if name not in header]
    if missing:
        return f"文件头缺少 {', '.join(missing)}"
    return header


def read_archive(path: Path) -> ArchiveFile:
    """Read and check one archive file, streaming."""
    found = ArchiveFile(path)
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            first = handle.readline(LINE_MAX_BYTES + 1)
            if len(first) > LINE_MAX_BYTES:
                found.problem = "第 1 行过长，不是审计日志归档文件"
                return found
            digest.update(first)
            header = _header(first)
            if isinstance(header, str):
                found.problem = header
                return found
            found.problem = _read_events(handle, header, found, digest)
    except OSError as exc:
        found.problem = f"无法读取：{exc.strerror or exc}"
        return found
    found.sha256 = digest.hexdigest()
    if not found.problem:
        found.problem = _header_matches(header, found)
    return found


def _read_events(handle: Any, header: dict[str, Any], found: ArchiveFile, digest: Any) -> str:
    """Walk the event lines; the first problem, or ""."""
    expected_prev = header["first_prev_hash"]
    found.first_prev_hash = expected_prev
    last_id = None
    # Lines are read with a bound: the file is the operator's to name, maybe the wrong one.
    for number, raw in enumerate(iter(lambda: handle.readline(LINE_MAX_BYTES + 1), b""), start=2):
        if len(raw) > LINE_MAX_BYTES:
            return f"第 {number} 行超过 {LINE_MAX_BYTES // (1 << 20)} MiB，不是审计事件"
        digest.update(raw)
        try:
            event = AuditEvent.from_record(json.loads(raw))
        except (ValueError, KeyError, TypeError) as exc:
            return f"第 {number} 行不是完整的审计事件（{exc}）"
        if last_id is not None and event.id <= last_id:
            return f"第 {number} 行：事件 #{event.id} 的编号没有递增"
        if event.prev_hash != expected_prev:
            return f"事件 #{event.id}（第 {number} 行）与前一事件的哈希不衔接"
        if event.compute_hash() != event.hash:
            return f"事件 #{event.id}（第 {number} 行）的内容与其哈希不符（已被修改）"
        if found.count == 0:
            found.first_id = event.id
        found.count += 1
        last_id = found.last_id = event.id
        expected_prev = found.last_hash = event.hash
        if found.latest_at is None or event.occurred_at > found.latest_at:
            found.latest_at = event.occurred_at
        if event.action == ARCHIVE_ACTION and event.outcome == AuditOutcome.SUCCESS:
            found.archive_events.append(
                ArchiveEvent(event.id, event.occurred_at, dict(event.details))
            )
    return ""


def _header_matches(header: dict[str, Any], found: ArchiveFile) -> str:
    if found.count == 0:
        return "归档文件中没有事件"
    found.cutoff = parse_stamp(header["cutoff"])
    said = {k: header[k] for k in ("first_id", "last_id", "count", "last_hash")}
    held = {k: getattr(found, k) for k in said}
    if said != held or found.cutoff is None:
        return "文件头与文件内容不符（事件范围、条数或末尾哈希不同）"
    return ""


@dataclasses.dataclass(frozen=True)
class ArchiveCheck:
    files: list[ArchiveFile]
    live: ChainReport
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def archived(self) -> int:
        return sum(f.count for f in self.files)


def _live_archive_events(session: Session) -> list[ArchiveEvent]:
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.action == ARCHIVE_ACTION, AuditEvent.outcome == AuditOutcome.SUCCESS)
        .order_by(AuditEvent.id)
    )
    return [ArchiveEvent(e.id, e.occurred_at, dict(e.details)) for e in session.scalars(stmt)]


def _sequence_problems(files: list[ArchiveFile], live_start: str) -> list[str]:
    """Gaps and overlaps between the files, and between the last one and the live chain."""
    problems = []
    expected, after = GENESIS_HASH, "日志开头"
    for f in files:
        if f.first_prev_hash != expected:
            problems.append(
                f"{f.path.name}：不接续{after}（缺少中间的归档文件，或文件重复、被替换）"
            )
        expected, after = f.last_hash, f"{f.path.name}（事件 #{f.last_id}）"
    if expected != live_start:
        missing = "缺少归档文件" if files else "未指定归档文件"
        problems.append(f"现存日志不接续{after}：{missing}，或现存日志开头被删改")
    return problems


def _record_problems(files: list[ArchiveFile], events: list[ArchiveEvent]) -> list[str]:
    """Each file named by an archive event, each archive event's file given, cut-offs."""
    problems = []
    minimum = dt.timedelta(days=MIN_AUDIT_RETENTION_DAYS)
    for f in files:
        event = next((e for e in events if e.names(f)), None)
        if event is None:
            problems.append(
                f"{f.path.name}：没有任何归档事件记录这个文件（SHA-256 {f.sha256[:16]}… 不符："
                "文件被修改、替换，或并非由 dispatch audit archive 生成）"
            )
            continue
        cutoff = parse_stamp(event.details.get("cutoff"))
        if cutoff is None or cutoff != f.cutoff or cutoff > event.occurred_at - minimum:
            problems.append(
                f"{f.path.name}：归档截止时间不满 {MIN_AUDIT_RETENTION_DAYS} 天保存期"
                f"（归档事件 #{event.id}）"
            )
        elif f.latest_at is not None and f.latest_at >= cutoff:
            problems.append(f"{f.path.name}：含有晚于归档截止时间的事件")
    given = {f.sha256 for f in files}
    for e in events:
        if e.details.get("sha256") not in given:
            problems.append(
                f"缺少归档文件：归档事件 #{e.id} 记录的 {e.details.get('file', '?')}"
                f"（事件 #{e.details.get('first_id')}–#{e.details.get('last_id')}）"
            )
    return problems


def verify_archives(session: Session, paths: Sequence[Path]) -> ArchiveCheck:
    """Check ``paths`` and the live log as one chain from the genesis hash."""
    files = [read_archive(Path(p)) for p in paths]
    live = verify_chain(session)
    problems = [f"{f.path.name}：{f.problem}" for f in files if f.problem]
    if not live.ok:
        problems.append(f"现存日志：事件 #{live.first_bad_id} 无法通过校验（{live.reason}）")
    if problems:
        return ArchiveCheck(files, live, problems)
    files.sort(key=lambda f: f.first_id)
    problems += _sequence_problems(files, live.start.prev_hash)
    events = [e for f in files for e in f.archive_events] + _live_archive_events(session)
    problems += _record_problems(files, events)
    return ArchiveCheck(files, live, problems)

"""Archiving the audit log: only events past the retention leave the database, the live
chain still verifies from where the archive ends, archive files and live log verify end to
end, and every way of passing off a deletion or an edit as an archive is found."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from dispatch import audit
from dispatch.audit import ARCHIVE_ACTION, Acting, verify_chain
from dispatch.auditlog.archive import (
    FORMAT,
    archive_events,
    latest_cutoff,
    plan_archive,
    stamp,
    write_archive,
)
from dispatch.auditlog.archive_check import verify_archives
from dispatch.auditlog.categories import SECURITY
from dispatch.errors import DomainError
from models import GENESIS_HASH, AuditEvent, AuditOutcome
from models.audit import RECORD_FIELDS

UTC = dt.UTC
NOW = dt.datetime(2025, 6, 2, 1, 0, tzinfo=UTC)
OLD = dt.datetime(2024, 1, 10, 2, 0, tzinfo=UTC)  # well past 180 days before NOW
RECENT = dt.datetime(2025, 5, 20, 2, 0, tzinfo=UTC)


def add(db: Session, at: dt.datetime, n: int = 1, action: str = "probe.step") -> list[int]:
    """``n`` events a minute apart from ``at``; their ids."""
    ids = []
    for i in range(n):
        acting = Acting(None, at + dt.timedelta(minutes=i), "192.0.2.1")
        event = audit.record(
            db, acting, action, object_type="project", object_id=i, details={"i": i, "说明": "测"}
        )
        ids.append(event.id)
    db.commit()
    return ids


def archive(
    db: Session, path: Path, *, at: dt.datetime = NOW, cutoff: dt.datetime | None = None
) -> object:
    out = io.BytesIO()
    result = archive_events(
        db,
        Acting(None, at),
        out,
        cutoff=cutoff or latest_cutoff(at, 180),
        retention_days=180,
        file_name=path.name,
    )
    db.commit()
    if result is not None:
        path.write_bytes(out.getvalue())
    return result


def live_ids(db: Session) -> list[int]:
    db.expire_all()
    return list(db.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_bytes().splitlines()]


def rewrite(path: Path, records: list[dict]) -> None:
    path.write_bytes(b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in records))


def tamper(db: Session, sql: str, **params: object) -> None:
    db.execute(text(sql), params)
    db.commit()
    db.expire_all()


# --- what moves ------------------------------------------------------------------------


def test_moves_only_events_older_than_the_retention(db: Session, tmp_path: Path) -> None:
    old = add(db, OLD, 5)
    recent = add(db, RECENT, 3)
    last_archived_hash = db.scalar(select(AuditEvent.hash).where(AuditEvent.id == old[-1]))
    path = tmp_path / "audit-2024.jsonl"
    result = archive(db, path)
    assert result is not None

    records = lines(path)
    header, archived = records[0], records[1:]
    assert header["format"] == FORMAT
    assert (header["first_id"], header["last_id"], header["count"]) == (old[0], old[-1], 5)
    assert [r["id"] for r in archived] == old
    # Every stored column, enough to recompute each hash.
    for r in archived:
        assert set(r) == set(RECORD_FIELDS)
        assert AuditEvent.from_record(r).compute_hash() == r["hash"]
    assert archived[0]["prev_hash"] == GENESIS_HASH

    remaining = live_ids(db)
    (event,) = db.scalars(select(AuditEvent).where(AuditEvent.action == ARCHIVE_ACTION))
    assert remaining == [*recent, event.id]
    first_live = db.get(AuditEvent, recent[0])
    assert first_live is not None and first_live.prev_hash == last_archived_hash


def test_the_archiving_is_itself_an_audited_security_event(db: Session, tmp_path: Path) -> None:
    old = add(db, OLD, 3)
    add(db, RECENT, 1)
    path = tmp_path / "a.jsonl"
    archive(db, path)
    (event,) = db.scalars(select(AuditEvent).where(AuditEvent.action == ARCHIVE_ACTION))
    assert (event.actor_id, event.actor_username, event.outcome) == (
        None,
        "",
        AuditOutcome.SUCCESS,
    )
    assert event.occurred_at == NOW
    assert (event.object_type, event.object_id) == ("audit_log", f"{old[0]}-{old[-1]}")
    data = path.read_bytes()
    assert event.details == {
        "first_id": old[0],
        "last_id": old[-1],
        "count": 3,
        "first_prev_hash": GENESIS_HASH,
        "last_hash": lines(path)[-1]["hash"],
        "cutoff": stamp(NOW - dt.timedelta(days=180)),
        "retention_days": 180,
        "file": "a.jsonl",
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
    }
    assert SECURITY.matches(event.action)


def test_an_old_event_after_a_young_one_stays(db: Session, tmp_path: Path) -> None:
    """Only a prefix of the chain moves: what follows the first young event stays."""
    first = add(db, OLD, 2)
    young = add(db, RECENT, 1)
    late_old = add(db, OLD, 1)  # an old time recorded later (a clock set back)
    archive(db, tmp_path / "a.jsonl")
    assert [r["id"] for r in lines(tmp_path / "a.jsonl")[1:]] == first
    assert live_ids(db)[:2] == [*young, *late_old]
    assert verify_chain(db).ok


def test_nothing_old_means_no_file_and_no_event(db: Session, tmp_path: Path) -> None:
    ids = add(db, RECENT, 3)
    assert archive(db, tmp_path / "a.jsonl") is None
    assert not (tmp_path / "a.jsonl").exists()
    assert live_ids(db) == ids


@pytest.mark.parametrize("days", [0, 30, 179])
def test_refuses_a_cutoff_inside_the_retention(db: Session, tmp_path: Path, days: int) -> None:
    ids = add(db, OLD, 2) + add(db, NOW - dt.timedelta(days=days + 1), 1)
    with pytest.raises(DomainError, match="只能归档保存期满 180 天"):
        archive(db, tmp_path / "a.jsonl", cutoff=NOW - dt.timedelta(days=days))
    db.rollback()
    assert live_ids(db) == ids


def test_a_longer_retention_is_kept_too(db: Session, tmp_path: Path) -> None:
    add(db, OLD, 1)
    out = io.BytesIO()
    with pytest.raises(DomainError, match="只能归档保存期满 400 天"):
        archive_events(
            db,
            Acting(None, NOW),
            out,
            cutoff=NOW - dt.timedelta(days=200),
            retention_days=400,
            file_name="a.jsonl",
        )


def test_refuses_to_archive_a_broken_chain(db: Session, tmp_path: Path) -> None:
    ids = add(db, OLD, 4)
    add(db, RECENT, 1)
    tamper(db, "UPDATE audit_events SET action = 'probe.hidden' WHERE id = :i", i=ids[1])
    with pytest.raises(DomainError, match=f"事件 #{ids[1]}"):
        archive(db, tmp_path / "a.jsonl")
    db.rollback()
    assert live_ids(db)[:4] == ids


# --- verifying ---------------------------------------------------------------------------


def test_live_chain_verifies_from_the_archive(db: Session, tmp_path: Path) -> None:
    old = add(db, OLD, 4)
    add(db, RECENT, 2)
    archive(db, tmp_path / "a.jsonl")
    report = verify_chain(db)
    assert report.ok, report
    assert report.checked == 3  # two recent events and the archive event
    assert report.start.archived_through == old[-1]
    # New events keep extending the chain.
    add(db, NOW, 2)
    assert verify_chain(db).ok


@pytest.fixture
def two_archives(db: Session, tmp_path: Path) -> tuple[Path, Path]:
    """Archived in January 2025 (events of 2024-01), then in June 2025 (including the first
    archiving's own event, by then itself past the retention)."""
    add(db, OLD, 3)
    add(db, dt.datetime(2024, 6, 1, tzinfo=UTC), 2)
    first, second = tmp_path / "2025-01.jsonl", tmp_path / "2025-06.jsonl"
    jan = dt.datetime(2025, 1, 5, tzinfo=UTC)
    archive(db, first, at=jan, cutoff=dt.datetime(2024, 2, 1, tzinfo=UTC))
    add(db, dt.datetime(2025, 1, 6, tzinfo=UTC), 2)
    add(db, RECENT, 2)
    archive(db, second, at=dt.datetime(2025, 8, 1, tzinfo=UTC))
    return first, second


def test_archives_and_live_log_verify_end_to_end(
    db: Session, two_archives: tuple[Path, Path]
) -> None:
    first, second = two_archives
    assert [r["action"] for r in lines(second)[1:]].count(ARCHIVE_ACTION) == 1
    # Either order on the command line.
    for paths in ([first, second], [second, first]):
        check = verify_archives(db, paths)
        assert check.ok, check.problems
        assert check.archived == 3 + 5
    assert verify_chain(db).ok


def test_a_missing_archive_file_is_reported(db: Session, two_archives: tuple[Path, Path]) -> None:
    first, second = two_archives
    only_second = verify_archives(db, [second])
    assert not only_second.ok
    assert any("不接续日志开头" in p for p in only_second.problems)
    assert any("缺少归档文件" in p and "2025-01.jsonl" in p for p in only_second.problems)
    only_first = verify_archives(db, [first])
    assert any("现存日志不接续" in p for p in only_first.problems)
    duplicated = verify_archives(db, [first, first, second])
    assert not duplicated.ok


def test_an_edited_archived_event_is_found(db: Session, two_archives: tuple[Path, Path]) -> None:
    first, second = two_archives
    records = lines(first)
    records[2]["actor_username"] = "someone_else"
    rewrite(first, records)
    check = verify_archives(db, [first, second])
    assert not check.ok
    assert any(f"事件 #{records[2]['id']}" in p and "内容与其哈希不符" in p for p in check.problems)


def test_a_rehashed_archive_is_found(db: Session, two_archives: tuple[Path, Path]) -> None:
    """Recomputing every hash of an edited file (and its header) still breaks the link to
    the live chain, and the file is no longer the one the archive event recorded."""
    first, second = two_archives
    records = lines(second)
    records[1]["details"] = {"i": 0, "说明": "已篡改"}
    prev = records[0]["first_prev_hash"]
    for r in records[1:]:
        event = AuditEvent.from_record(r)
        event.seal(prev)
        r["hash"] = prev = event.hash
        if r is not records[1]:
            r["prev_hash"] = event.prev_hash
    records[0]["last_hash"] = prev
    rewrite(second, records)
    check = verify_archives(db, [first, second])
    assert any("现存日志不接续" in p for p in check.problems)
    assert any("没有任何归档事件记录这个文件" in p for p in check.problems)


@pytest.mark.parametrize("change", ["header_count", "drop_last", "not_json", "other_format"])
def test_a_damaged_archive_file_is_found(
    db: Session, two_archives: tuple[Path, Path], change: str
) -> None:
    first, second = two_archives
    records = lines(first)
    if change == "header_count":
        records[0]["count"] = 2
        rewrite(first, records)
    elif change == "drop_last":
        rewrite(first, records[:-1])
    elif change == "not_json":
        first.write_bytes(first.read_bytes() + b"{not json\n")
    else:
        records[0]["format"] = "something-else"
        rewrite(first, records)
    check = verify_archives(db, [first, second])
    assert not check.ok
    assert any(p.startswith("2025-01.jsonl") for p in check.problems), check.problems


def test_a_missing_file_is_a_problem_not_a_crash(
    db: Session, two_archives: tuple[Path, Path], tmp_path: Path
) -> None:
    first, second = two_archives
    check = verify_archives(db, [first, second, tmp_path / "nowhere.jsonl"])
    assert any("nowhere.jsonl：无法读取" in p for p in check.problems)


# --- deletions passed off as archives ----------------------------------------------------


def test_deleting_old_events_without_archiving_them_is_found(db: Session) -> None:
    old = add(db, OLD, 4)
    add(db, RECENT, 2)
    tamper(db, "DELETE FROM audit_events WHERE id <= :i", i=old[-1])
    report = verify_chain(db)
    assert not report.ok
    assert report.first_bad_id == old[-1] + 1


def test_deleting_a_live_event_after_an_archive_is_found(db: Session, tmp_path: Path) -> None:
    add(db, OLD, 3)
    recent = add(db, RECENT, 3)
    archive(db, tmp_path / "a.jsonl")
    # The first live event (the one linked to the archive), then one in the middle.
    tamper(db, "DELETE FROM audit_events WHERE id = :i", i=recent[0])
    report = verify_chain(db)
    assert (report.first_bad_id, report.reason) == (
        recent[1],
        "prev_hash does not match the last archived event",
    )
    assert not verify_archives(db, [tmp_path / "a.jsonl"]).ok


def test_deleting_the_archive_event_is_found(db: Session, tmp_path: Path) -> None:
    add(db, OLD, 3)
    recent = add(db, RECENT, 1)
    archive(db, tmp_path / "a.jsonl")
    tamper(db, "DELETE FROM audit_events WHERE action = :a", a=ARCHIVE_ACTION)
    report = verify_chain(db)
    assert report.first_bad_id == recent[0]
    assert verify_chain(db).start.archived_through is None


def test_an_edited_archive_event_is_found(db: Session, tmp_path: Path) -> None:
    add(db, OLD, 3)
    add(db, RECENT, 1)
    archive(db, tmp_path / "a.jsonl")
    (event_id,) = db.scalars(select(AuditEvent.id).where(AuditEvent.action == ARCHIVE_ACTION))
    tamper(db, "UPDATE audit_events SET object_id = 'x' WHERE id = :i", i=event_id)
    assert verify_chain(db).first_bad_id == event_id


def test_an_archive_of_young_events_is_reported(db: Session, tmp_path: Path) -> None:
    """A hacked tool that moved events younger than the retention: the chain itself is
    consistent, but the archive check names the short retention."""
    add(db, NOW - dt.timedelta(days=20), 3)
    add(db, NOW - dt.timedelta(days=2), 1)
    cutoff = NOW - dt.timedelta(days=10)
    plan = plan_archive(db, cutoff)
    assert plan is not None
    out = io.BytesIO()
    sha, size = write_archive(db, plan, out, cutoff=cutoff, created_at=NOW)
    details = dataclasses.asdict(plan) | {
        "cutoff": stamp(cutoff),
        "retention_days": 180,
        "file": "young.jsonl",
        "sha256": sha,
        "bytes": size,
    }
    audit.record(db, Acting(None, NOW), ARCHIVE_ACTION, object_type="audit_log", details=details)
    db.execute(delete(AuditEvent).where(AuditEvent.id <= plan.last_id))
    db.commit()
    (tmp_path / "young.jsonl").write_bytes(out.getvalue())
    assert verify_chain(db).ok
    check = verify_archives(db, [tmp_path / "young.jsonl"])
    assert any("不满 180 天保存期" in p for p in check.problems), check.problems


def test_archiving_again_moves_nothing_twice(db: Session, tmp_path: Path) -> None:
    """A second run finds nothing old left (the archived events are gone, the archive
    event is young): no second file holds the same events."""
    add(db, OLD, 3)
    add(db, RECENT, 1)
    archive(db, tmp_path / "a.jsonl")
    before = db.scalar(select(func.count()).select_from(AuditEvent))
    assert archive(db, tmp_path / "b.jsonl") is None  # nothing old is left
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == before

"""The audit hash chain: any edit to any stored column, or a deleted event, is found and the
first bad event named, by ``verify_chain`` and by the ``dispatch audit verify`` command."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from dispatch import audit
from dispatch.app import create_app
from dispatch.audit import verify_chain
from dispatch.config import Settings
from dispatch.db import Database, get_session
from models import GENESIS_HASH, AuditEvent, AuditOutcome
from tests.conftest import TEST_SECRET, FakeClock, migrate
from tests.factories import World

DISPATCH = Path(sys.executable).parent / "dispatch"


def record_event(session: Session, acting: audit.Acting, i: int) -> int:
    """Append the ``i``-th probe event and return its id."""
    outcomes = [AuditOutcome.SUCCESS, AuditOutcome.FAILURE, AuditOutcome.DENIED]
    event = audit.record(
        session,
        acting,
        f"probe.step{i}",
        object_type="project",
        object_id=100 + i,
        outcome=outcomes[i % 3],
        details={"step": i, "说明": "第一季度进展", "nested": {"a": [1, 2]}},
    )
    return event.id


@pytest.fixture
def chain(app: Flask, db: Session, world: World, clock: FakeClock) -> Iterator[list[int]]:
    """The world's setup events followed by five probe events, one second apart."""
    with app.app_context():
        ids = []
        for i in range(5):
            clock.advance(seconds=1)
            acting = audit.Acting(world.users["city"], clock.current, "192.0.2.7")
            ids.append(record_event(db, acting, i))
        db.commit()
        yield ids


def tamper(session: Session, sql: str, **params: object) -> None:
    """Change stored rows behind the ORM's back, then forget what the session had loaded."""
    session.execute(text(sql), params)
    session.expire_all()


def test_intact_chain_verifies(app: Flask, db: Session, chain: list[int]) -> None:
    report = verify_chain(db)
    assert report.ok
    assert report.first_bad_id is None
    total = db.scalar(text("SELECT count(*) FROM audit_events"))
    assert report.checked == total
    first = db.execute(text("SELECT prev_hash FROM audit_events ORDER BY id LIMIT 1")).scalar()
    assert first == GENESIS_HASH
    remote = db.scalar(text("SELECT remote_addr FROM audit_events WHERE id = :i"), {"i": chain[0]})
    assert remote == "192.0.2.7"


def test_verify_streams_in_small_batches(db: Session, chain: list[int]) -> None:
    assert verify_chain(db, batch_size=2).ok


def _json(session: Session) -> str:
    return "CAST(:v AS JSON)" if session.get_bind().dialect.name == "postgresql" else ":v"


def _later(session: Session) -> str:
    if session.get_bind().dialect.name == "postgresql":
        return "occurred_at + interval '1 second'"
    return "datetime(occurred_at, '+1 second')"


# column -> (SQL expression for the new value, parameters)
EDITS: dict[str, Callable[[Session], tuple[str, dict[str, object]]]] = {
    "action": lambda s: (":v", {"v": "probe.harmless"}),
    "actor_username": lambda s: (":v", {"v": "someone_else"}),
    "actor_id": lambda s: ("NULL", {}),
    "object_type": lambda s: (":v", {"v": "enterprise"}),
    "object_id": lambda s: (":v", {"v": "999"}),
    "details": lambda s: (_json(s), {"v": '{"step": 0, "说明": "已篡改"}'}),
    "occurred_at": lambda s: (_later(s), {}),
    "outcome": lambda s: (":v", {"v": "success"}),
    "remote_addr": lambda s: (":v", {"v": "203.0.113.9"}),
    "prev_hash": lambda s: (":v", {"v": "f" * 64}),
    "hash": lambda s: (":v", {"v": "e" * 64}),
}


@pytest.mark.parametrize("column", list(EDITS))
def test_editing_any_column_is_found(db: Session, chain: list[int], column: str) -> None:
    target = chain[2]  # an event in the middle of the chain
    select_sql = text(f"SELECT {column} FROM audit_events WHERE id = :i")  # noqa: S608
    before = db.scalar(select_sql, {"i": target})
    # The middle event was denied (so "success" is a change) and has an actor.
    assert before is not None
    expression, params = EDITS[column](db)
    update_sql = f"UPDATE audit_events SET {column} = {expression} WHERE id = :id"  # noqa: S608
    tamper(db, update_sql, id=target, **params)
    after = db.scalar(select_sql, {"i": target})
    assert after != before, "the edit did not change the stored value"

    report = verify_chain(db)
    assert not report.ok
    assert report.first_bad_id == target
    assert report.reason
    # Everything before the edited event still verified.
    assert report.checked == db.scalar(
        text("SELECT count(*) FROM audit_events WHERE id < :i"), {"i": target}
    )


def test_resealing_an_edited_event_breaks_the_next_link(db: Session, chain: list[int]) -> None:
    """Recomputing the edited event's own hash only moves the break to the next event."""
    target = db.get(AuditEvent, chain[2])
    assert target is not None
    target.action = "probe.rewritten"
    target.seal(target.prev_hash)
    db.flush()
    db.expire_all()
    report = verify_chain(db)
    assert report.first_bad_id == chain[3]
    assert "prev_hash" in report.reason


def test_deleting_an_event_in_the_middle_is_found(db: Session, chain: list[int]) -> None:
    tamper(db, "DELETE FROM audit_events WHERE id = :id", id=chain[2])
    report = verify_chain(db)
    assert not report.ok
    assert report.first_bad_id == chain[3]
    assert "prev_hash" in report.reason


def test_deleting_the_first_event_is_found(db: Session, chain: list[int]) -> None:
    first, second = db.execute(text("SELECT id FROM audit_events ORDER BY id LIMIT 2")).scalars()
    tamper(db, "DELETE FROM audit_events WHERE id = :id", id=first)
    assert verify_chain(db).first_bad_id == second


def test_swapping_two_events_is_found(db: Session, chain: list[int]) -> None:
    """Exchanging what two neighbouring events say (ids stay) breaks at the first of them."""
    a, b = chain[1], chain[2]
    tamper(db, "UPDATE audit_events SET action = 'probe.step2' WHERE id = :id", id=a)
    tamper(db, "UPDATE audit_events SET action = 'probe.step1' WHERE id = :id", id=b)
    assert verify_chain(db).first_bad_id == a


# --- the command line, against its own committed database ------------------------------


@pytest.fixture
def cli_database(
    new_database_url: Callable[[], str], tmp_path: Path
) -> Iterator[tuple[str, Engine, list[int]]]:
    """A fresh database with committed audit events (the per-test transaction is invisible
    to another process)."""
    url = new_database_url()
    engine = migrate(url)
    settings = Settings(
        instance_path=tmp_path / "instance", database_url=url, secret_key=TEST_SECRET
    )
    clock = FakeClock(dt.datetime(2025, 3, 1, 2, 0, tzinfo=dt.UTC))
    app = create_app(settings, database=Database(engine), clock=clock)
    with app.app_context():
        session = get_session()
        ids = []
        for i in range(6):
            clock.advance(minutes=5)
            ids.append(record_event(session, audit.Acting(None, clock.current), i))
        session.commit()
    try:
        yield url, engine, ids
    finally:
        engine.dispose()


def run_verify(url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPATCH_")}
    env.update(DISPATCH_DATABASE_URL=url, DISPATCH_INSTANCE_PATH=str(tmp_path / "cli-instance"))
    return subprocess.run(
        [str(DISPATCH), "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_verify_passes_on_an_intact_chain(
    cli_database: tuple[str, Engine, list[int]], tmp_path: Path
) -> None:
    url, _engine, ids = cli_database
    result = run_verify(url, tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"审计日志校验通过：共 {len(ids)} 条事件" in result.stdout


def test_cli_verify_names_the_first_bad_event(
    cli_database: tuple[str, Engine, list[int]], tmp_path: Path
) -> None:
    url, engine, ids = cli_database
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE audit_events SET object_id = '1' WHERE id IN (:a, :b)"),
            {"a": ids[2], "b": ids[4]},
        )
    result = run_verify(url, tmp_path)
    assert result.returncode != 0
    assert f"事件 #{ids[2]} 无法通过校验" in result.stderr
    assert f"#{ids[4]}" not in result.stderr
    assert "此前 2 条正常" in result.stderr

"""The recovery drill (等保 backup and recovery): seed the demo city, back it up, lose the
database and the store, restore, and find everything as it was.

It runs on the suite's backend: SQLite with the local store under ``--db=sqlite``,
PostgreSQL with S3 (SeaweedFS) under ``--db=postgresql``. The commands run as separate
processes, as an operator or a cron job runs them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.audit import verify_chain
from dispatch.cli import main
from dispatch.evidence.integrity import verify
from dispatch.migrate import alembic_config
from models import AuditEvent, AuditOutcome
from tests.backup.seed import FILES, project_pages, seed_demo_site
from tests.backup.site import Site, table_rows

# A late-November day (the demo's open round is October's); the pages render at it.
NOW = dt.datetime(2026, 11, 22, 4, 50, tzinfo=dt.UTC)


def _head() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""


def test_drill_seed_back_up_wipe_restore(
    new_site: Callable[[], Site], backend: str, tmp_path: Path
) -> None:
    site = new_site()
    uploaded = seed_demo_site(site, NOW)
    engine = site.engine()
    before = table_rows(engine)
    engine.dispose()
    assert len(uploaded) == len(FILES)
    files = before["stored_files"]
    assert len(files) >= len(FILES) and before["projects"]

    folder = tmp_path / "备份" / "2026-11-22"
    created = site.run("backup", "create", "--out", str(folder))
    assert created.returncode == 0, created.stderr
    assert f"{len(files)} 个佐证文件" in created.stdout
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["database"]["dialect"] == backend
    assert manifest["database"]["alembic_revision"] == _head()
    assert manifest["database"]["tables"] == {name: len(rows) for name, rows in before.items()}
    assert manifest["storage"]["objects"] == len(files)
    assert manifest["storage"]["missing"] == manifest["storage"]["changed"] == []
    listed = {f["key"]: f for f in manifest["files"] if "key" in f}
    for key, body in uploaded.items():
        assert listed[key]["size"] == len(body)
        assert (folder / "objects" / key).read_bytes() == body
    # The backup is an event of the live chain, naming the manifest's digest.
    engine = site.engine()
    with Session(engine) as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event is not None and event.action == "backup.create"
        assert event.outcome == AuditOutcome.SUCCESS and event.actor_id is None
        assert event.details["objects"] == len(files)
        assert event.details["manifest_sha256"] in created.stdout
    engine.dispose()

    verified = CliRunner().invoke(main, ["backup", "verify", str(folder)])
    assert verified.exit_code == 0, verified.output
    assert f"已校验 {len(files) + 1} 个文件" in verified.stdout

    pages = project_pages(site, NOW)
    site.wipe()
    assert site.objects() == []

    restored = site.run("backup", "restore", str(folder))
    assert restored.returncode == 0, restored.stderr
    assert f"{len(files)} 个佐证文件" in restored.stdout and "均已核对" in restored.stdout

    engine = site.engine()
    after = table_rows(engine)
    # Every row is back as it was; the chain has one event more: the restore itself.
    events = after.pop("audit_events")
    assert events[:-1] == before.pop("audit_events")
    assert after == before
    with Session(engine) as session:
        last = session.get(AuditEvent, events[-1][0])
        assert last is not None and last.action == "backup.restore"
        assert last.details["objects"] == len(files)
        chain = verify_chain(session)
        assert chain.ok and chain.checked == len(events)
        storage = site.storage()
        report = verify(session, storage)
        assert report.ok and report.checked == len(files)
        for key, body in uploaded.items():
            assert b"".join(storage.open(key)) == body
    engine.dispose()
    assert sorted(site.objects()) == sorted(listed)

    checked = site.run("evidence", "verify")
    assert checked.returncode == 0, checked.stderr
    assert f"已校验 {len(files)} 个文件" in checked.stdout
    assert project_pages(site, NOW) == pages

"""What ``dispatch backup`` refuses, and that a refusal leaves everything as it was:
create into a folder that holds anything; restore into a database that has a table, into
a store that has an object, from another dialect, or from a backup that fails its check."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.backup.database import existing_relations
from models import AuditEvent, AuditOutcome
from tests.backup.seed import FILES, Source, seed_small
from tests.backup.site import Site
from tests.conftest import migrate


def last_event(site: Site) -> AuditEvent:
    engine = site.engine()
    try:
        with Session(engine) as session:
            event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
            assert event is not None
            return event
    finally:
        engine.dispose()


def test_create_refuses_a_folder_that_is_not_empty(small: Source, tmp_path: Path) -> None:
    folder = tmp_path / "backup"
    folder.mkdir()
    (folder / "上次的备份.txt").write_text("keep me", encoding="utf-8")
    result = small.site.invoke("backup", "create", "--out", str(folder))
    assert result.exit_code == 1
    assert f"备份目录 {folder} 不是空的" in result.stderr
    assert [p.name for p in folder.iterdir()] == ["上次的备份.txt"]
    # The refusal is audited as a failed backup.
    event = last_event(small.site)
    assert event.action == "backup.create" and event.outcome == AuditOutcome.FAILURE
    assert "不是空的" in event.details["error"]

    a_file = tmp_path / "备份.zip"
    a_file.write_bytes(b"zip")
    result = small.site.invoke("backup", "create", "--out", str(a_file))
    assert result.exit_code == 1 and "已存在且不是目录" in result.stderr
    assert a_file.read_bytes() == b"zip"


def test_create_writes_into_an_empty_folder(small: Source, tmp_path: Path) -> None:
    folder = tmp_path / "mounted"
    folder.mkdir()
    result = small.site.invoke("backup", "create", "--out", str(folder))
    assert result.exit_code == 0, result.stderr
    assert (folder / "manifest.json").is_file()


def test_restore_refuses_a_database_that_has_tables(
    small: Source, new_site: Callable[[], Site]
) -> None:
    target = new_site()
    migrate(target.url).dispose()
    result = target.invoke("backup", "restore", str(small.folder))
    assert result.exit_code == 1
    assert "恢复失败：目标数据库不是空的" in result.stderr
    assert "只能恢复到没有任何表的新数据库" in result.stderr
    assert target.objects() == []


def test_restore_refuses_a_store_that_has_objects(
    small: Source, new_site: Callable[[], Site]
) -> None:
    target = new_site()
    target.storage().put("evidence/2025/01/" + "0" * 32, io.BytesIO(b"already here"))
    result = target.invoke("backup", "restore", str(small.folder))
    assert result.exit_code == 1
    assert "恢复失败：目标存储不是空的（已有对象，如 evidence/2025/01/" in result.stderr
    assert existing_relations(target.url) == []
    assert target.objects() == ["evidence/2025/01/" + "0" * 32]


def test_restore_refuses_another_dialect(
    backup_copy: Path, backend: str, new_site: Callable[[], Site]
) -> None:
    # The same backup, relabelled as the other dialect's (its files still verify).
    other = "postgresql" if backend == "sqlite" else "sqlite"
    names = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}
    manifest = json.loads((backup_copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["database"].update(dialect=other, file=names[other])
    manifest["files"][0]["path"] = names[other]
    (backup_copy / names[backend]).rename(backup_copy / names[other])
    (backup_copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    target = new_site()
    result = target.invoke("backup", "restore", str(backup_copy))
    assert result.exit_code == 1
    assert f"备份来自 {other} 数据库，不能恢复到 {backend} 数据库" in result.stderr
    assert existing_relations(target.url) == [] and target.objects() == []


def test_restore_refuses_a_backup_that_fails_its_check(
    backup_copy: Path, new_site: Callable[[], Site]
) -> None:
    shutil.rmtree(backup_copy / "objects")
    target = new_site()
    result = target.invoke("backup", "restore", str(backup_copy))
    assert result.exit_code == 1
    assert "恢复失败：备份校验未通过，未做任何恢复" in result.stderr
    assert existing_relations(target.url) == [] and target.objects() == []


def test_restore_of_the_small_backup_then_refuses_a_second_time(
    small: Source, new_site: Callable[[], Site]
) -> None:
    target = new_site()
    first = target.invoke("backup", "restore", str(small.folder))
    assert first.exit_code == 0, first.output
    assert sorted(target.objects()) == sorted(small.uploaded)
    assert last_event(target).action == "backup.restore"
    second = target.invoke("backup", "restore", str(small.folder))
    assert second.exit_code == 1 and "目标数据库不是空的" in second.stderr


def test_create_reports_a_file_missing_from_the_store(
    new_site: Callable[[], Site], tmp_path: Path
) -> None:
    site = new_site()
    uploaded = seed_small(site)
    lost = sorted(uploaded)[0]
    site.storage().delete(lost)
    folder = tmp_path / "backup"
    result = site.invoke("backup", "create", "--out", str(folder))
    # The backup is written (everything else is in it), but the run fails and says why.
    assert result.exit_code == 1
    assert "存储中缺失的文件（未能备份）（1）" in result.stderr and lost in result.stderr
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["storage"]["missing"] == [lost]
    assert manifest["storage"]["objects"] == len(FILES) - 1
    event = last_event(site)
    assert event.action == "backup.create" and event.outcome == AuditOutcome.FAILURE
    assert event.details["missing"] == 1


def test_a_database_that_fails_to_load_takes_the_restored_objects_back(
    small: Source, backup_copy: Path, backend: str, new_site: Callable[[], Site]
) -> None:
    # A database file that is garbage yet listed as such in the manifest: the check passes,
    # the objects go in, the database fails, and the objects come out again.
    manifest = json.loads((backup_copy / "manifest.json").read_text(encoding="utf-8"))
    garbage = b"not a database\n" * 4096
    (backup_copy / manifest["files"][0]["path"]).write_bytes(garbage)
    manifest["files"][0].update(size=len(garbage), sha256=hashlib.sha256(garbage).hexdigest())
    (backup_copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    target = new_site()
    result = target.invoke("backup", "restore", str(backup_copy))
    assert result.exit_code == 1
    failed = "SQLite 恢复失败" if backend == "sqlite" else "pg_restore 恢复数据库失败"
    assert f"恢复失败：{failed}" in result.stderr, result.stderr
    assert existing_relations(target.url) == [] and target.objects() == []
    # Nothing is left in the way: the intact backup restores into the same target.
    retry = target.invoke("backup", "restore", str(small.folder))
    assert retry.exit_code == 0, retry.output
    assert sorted(target.objects()) == sorted(small.uploaded)

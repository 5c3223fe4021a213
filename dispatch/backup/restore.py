"""``restore``: a verified backup into an empty database and an empty store.

Everything is checked before anything is written: the backup against its manifest, the
database dialect and storage backend against the backup's (no cross-dialect or
cross-backend restore: the dump formats differ, and rows name their backend), the target
database has no table and the store no object (a restore never merges into live data).
Then the objects go back (each read back and compared), then the database (PostgreSQL in
one transaction); if the database fails, the objects are removed again. Finally the
restored database is counted table by table against the manifest.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from dispatch.backup import database, objects
from dispatch.backup.database import Snapshot
from dispatch.backup.manifest import BackupError, Manifest, VerifyReport, verify_backup
from dispatch.storage import Storage

SHOWN = 3
LEFT_AS_IS = "（已写入的数据库和文件保留待查；清空后可重新恢复）"


@dataclasses.dataclass(frozen=True)
class Restored:
    manifest: Manifest
    manifest_sha256: str
    objects: int
    bytes: int
    snapshot: Snapshot  # read from the restored database


def _first_problem(report: VerifyReport) -> str:
    if report.problems:
        return report.problems[0]
    for title, paths in (
        ("内容与清单不符", report.changed),
        ("缺失", report.missing),
        ("未在清单中登记", report.unlisted),
    ):
        if paths:
            return f"{len(paths)} 个文件{title}，如 {paths[0]}"
    return ""


def check_target(manifest: Manifest, url: str, backend: str, existing_keys: list[str]) -> None:
    dialect = database.dialect_of(url)
    if manifest.dialect != dialect:
        raise BackupError(
            f"备份来自 {manifest.dialect} 数据库，不能恢复到 {dialect} 数据库"
            "（不支持跨数据库类型恢复）"
        )
    if manifest.backend != backend:
        raise BackupError(
            f"备份的佐证文件来自 {manifest.backend} 存储，当前配置为 {backend} 存储"
            "（不支持跨存储类型恢复）"
        )
    relations = database.existing_relations(url)
    if relations:
        raise BackupError(
            f"目标数据库不是空的（已有 {len(relations)} 个表等对象，如 "
            f"{'、'.join(relations[:SHOWN])}）：只能恢复到没有任何表的新数据库"
        )
    if existing_keys:
        raise BackupError(
            f"目标存储不是空的（已有对象，如 {existing_keys[0]}）：只能恢复到空的存储桶或目录"
        )


def restore_backup(folder: Path, url: str, storage: Storage) -> Restored:
    report = verify_backup(folder)
    if not report.ok or report.manifest is None:
        raise BackupError(f"备份校验未通过，未做任何恢复：{_first_problem(report)}")
    manifest = report.manifest
    check_target(manifest, url, storage.backend, objects.first_keys(storage))
    entries = manifest.objects
    restored_bytes = objects.put_back(storage, entries, folder)
    try:
        snapshot = database.load(url, folder, storage.backend)
    except BaseException:
        objects.remove(storage, [e.key for e in entries if e.key is not None])
        raise
    if snapshot.revision != manifest.revision:
        raise BackupError(
            f"恢复后的数据库版本 {snapshot.revision} 与清单记载的 {manifest.revision} 不符"
            f"{LEFT_AS_IS}"
        )
    differing = sorted(
        name
        for name in manifest.tables.keys() | snapshot.tables.keys()
        if manifest.tables.get(name) != snapshot.tables.get(name)
    )
    if differing:
        raise BackupError(
            f"恢复后的数据库与清单记载的行数不符：{'、'.join(differing[:SHOWN])}{LEFT_AS_IS}"
        )
    return Restored(manifest, report.manifest_sha256, len(entries), restored_bytes, snapshot)

"""``create``: database, then objects, then the manifest, into a folder of its own.

The folder must not exist or be empty: a backup never mixes with an older one nor
overwrites anything. It is created owner-only (the backup holds every enterprise's data).
When anything fails, what this run wrote is removed again, and a folder without
``manifest.json`` is never mistaken for a backup.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

from dispatch.backup import database, objects
from dispatch.backup.manifest import (
    BackupError,
    Entry,
    Manifest,
    hash_chunks,
    read_chunks,
    write_manifest,
)
from dispatch.storage import Storage


@dataclasses.dataclass(frozen=True)
class Created:
    folder: Path
    manifest: Manifest
    manifest_sha256: str

    @property
    def complete(self) -> bool:
        """Every row's object was copied with the bytes its row records."""
        return not self.manifest.missing and not self.manifest.changed


def prepare(folder: Path) -> bool:
    """Refuse a folder that is a file or holds anything; True when it was created here."""
    if folder.exists() or folder.is_symlink():
        if not folder.is_dir() or folder.is_symlink():
            raise BackupError(f"备份目录 {folder} 已存在且不是目录")
        if any(folder.iterdir()):
            raise BackupError(f"备份目录 {folder} 不是空的：请指定一个新目录或空目录")
        return False
    try:
        folder.mkdir(mode=0o700, parents=True)
    except OSError as exc:
        raise BackupError(f"无法创建备份目录 {folder}：{exc.strerror}") from exc
    return True


def _clear(folder: Path, created: bool) -> None:
    if created:
        shutil.rmtree(folder, ignore_errors=True)
        return
    for child in folder.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def create_backup(
    folder: Path, url: str, storage: Storage, *, at: dt.datetime, app_version: str
) -> Created:
    """Back up the database at ``url`` and the objects its rows name in ``storage``."""
    created = prepare(folder)
    try:
        snapshot = database.dump(url, folder, storage.backend)
        db_file = folder / database.DATABASE_FILES[snapshot.dialect]
        size, digest = hash_chunks(read_chunks(db_file))
        copied = objects.copy_out(storage, snapshot.files, folder)
        manifest = Manifest(
            created_at=at,
            app_version=app_version,
            dialect=snapshot.dialect,
            revision=snapshot.revision,
            tables=snapshot.tables,
            backend=storage.backend,
            files=[Entry(db_file.name, size, digest), *copied.entries],
            missing=copied.missing,
            changed=copied.changed,
            other_backends=snapshot.other_backends,
        )
        manifest_sha256 = write_manifest(folder, manifest)
    except BaseException:
        _clear(folder, created)
        raise
    return Created(folder, manifest, manifest_sha256)

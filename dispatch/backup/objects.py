"""The evidence half of a backup: objects copied out of storage and put back, streamed.

Each object is copied chunk by chunk (the storage's own chunking), hashed on the way, so
memory stays bounded whatever the file sizes. A copied object whose bytes do not match
its row is still copied (the backup keeps what the store holds) and reported; a row
whose object is gone is reported. Restoring puts every object back under its key and then
reads it back from the store, so what is checked is what the store will serve.
"""

from __future__ import annotations

import contextlib
import dataclasses
from pathlib import Path

from dispatch.backup.database import FileRow
from dispatch.backup.manifest import (
    OBJECTS,
    BackupError,
    Entry,
    hash_chunks,
    write_chunks,
)
from dispatch.storage import ObjectMissing, Storage, StorageError
from dispatch.storage.base import check_key

DEFAULT_TYPE = "application/octet-stream"


@dataclasses.dataclass
class Copied:
    entries: list[Entry] = dataclasses.field(default_factory=list)
    missing: list[str] = dataclasses.field(default_factory=list)
    changed: list[str] = dataclasses.field(default_factory=list)


def copy_out(storage: Storage, rows: list[FileRow], folder: Path) -> Copied:
    copied = Copied()
    for row in rows:
        try:
            relative = f"{OBJECTS}/{check_key(row.key)}"
        except ValueError:
            # The key becomes a path in the folder: never one that climbs out of it.
            raise BackupError(f"文件记录中的存储键无效：{row.key!r}") from None
        try:
            size, digest = write_chunks(storage.open(row.key), folder / relative)
        except ObjectMissing:
            copied.missing.append(row.key)
            (folder / relative).unlink(missing_ok=True)
            continue
        except StorageError as exc:
            raise BackupError(f"读取存储对象 {row.key} 失败：{exc.message}") from exc
        if size != row.size or digest != row.sha256:
            copied.changed.append(row.key)
        copied.entries.append(Entry(relative, size, digest, row.key, row.content_type))
    return copied


def first_keys(storage: Storage, limit: int = 3) -> list[str]:
    """Up to ``limit`` keys the store already holds (any prefix)."""
    keys: list[str] = []
    try:
        for info in storage.iter_keys(""):
            keys.append(info.key)
            if len(keys) >= limit:
                break
    except StorageError as exc:
        raise BackupError(f"无法列出目标存储中的对象：{exc.message}") from exc
    return keys


def put_back(storage: Storage, entries: list[Entry], folder: Path) -> int:
    """Put every object back under its key and read each back; the bytes restored.

    When anything fails, the objects already put are deleted again, so a failed restore
    leaves the store as empty as it found it and can simply be run again.
    """
    written: list[str] = []
    total = 0
    try:
        for entry in entries:
            assert entry.key is not None  # only object entries are passed
            with (folder / entry.path).open("rb") as body:
                stored = storage.put(
                    entry.key, body, content_type=entry.content_type or DEFAULT_TYPE
                )
            written.append(entry.key)
            size, digest = hash_chunks(storage.open(entry.key))
            if (stored.size, stored.sha256) != (entry.size, entry.sha256) or (size, digest) != (
                entry.size,
                entry.sha256,
            ):
                raise BackupError(f"恢复后的对象 {entry.key} 与清单不符（大小或 SHA-256 不同）")
            total += size
    except BaseException as exc:
        remove(storage, written)
        if isinstance(exc, StorageError):
            raise BackupError(f"写入存储失败：{exc.message}") from exc
        raise
    return total


def remove(storage: Storage, keys: list[str]) -> None:
    for key in keys:
        # Best effort: a store that is down now is reported by the error being raised.
        with contextlib.suppress(StorageError):
            storage.delete(key)

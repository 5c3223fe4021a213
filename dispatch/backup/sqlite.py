"""SQLite through its online backup API (``sqlite3.Connection.backup``).

The API copies the pages of a consistent snapshot while the app keeps running (in WAL
mode readers and the backup do not block writers). The copy is switched to the rollback
journal before it is closed, so it is one self-contained file: opening it later for
reading leaves no ``-wal`` or ``-shm`` file beside it in the backup folder.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from dispatch.backup.manifest import BackupError

TIMEOUT = 15  # seconds to wait for a writer's lock, as the app's engine does


def database_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError(f"无法备份或恢复该 SQLite 数据库：{url}")
    return Path(database)


def read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot write (nor create the file)."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=TIMEOUT)


def backup(source: Path, dest: Path) -> None:
    if not source.is_file():
        raise BackupError(f"数据库文件不存在：{source}")
    try:
        with (
            contextlib.closing(sqlite3.connect(source, timeout=TIMEOUT)) as src,
            contextlib.closing(sqlite3.connect(dest)) as out,
        ):
            src.backup(out)
            out.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite 在线备份失败：{exc}") from exc


def tables(path: Path) -> list[str]:
    """The tables and views of the database at ``path`` (none when there is no file)."""
    if not path.exists():
        return []
    try:
        with contextlib.closing(read_only(path)) as conn:
            rows = conn.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            ).fetchall()
    except sqlite3.Error as exc:
        raise BackupError(f"无法读取目标 SQLite 数据库 {path}：{exc}") from exc
    return [name for (name,) in rows]


def restore(source: Path, target: Path) -> None:
    """Copy the backed-up database into ``target`` (absent or empty) with the backup API.

    A file that did not exist before is removed again when the copy fails.
    """
    existed = target.exists()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with (
            contextlib.closing(read_only(source)) as src,
            contextlib.closing(sqlite3.connect(target, timeout=TIMEOUT)) as out,
        ):
            src.backup(out)
    except (sqlite3.Error, OSError) as exc:
        if not existed:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
        raise BackupError(f"SQLite 恢复失败：{exc}") from exc

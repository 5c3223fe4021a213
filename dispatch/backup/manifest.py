"""The backup manifest: what a backup folder holds, and the check that it still does.

A backup folder is the database file (``database.dump`` from ``pg_dump -Fc`` or
``database.sqlite3``), one file per evidence object under ``objects/<key>``, and
``manifest.json``, written last: a folder without it is an interrupted backup. The manifest
lists every file with its size and SHA-256 (the objects also with their storage key and
content type), the database's dialect, Alembic revision and row count per table, the storage
backend and the time. :func:`verify_backup` re-hashes every file against it and checks the
manifest is complete and names nothing outside the folder.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from dispatch.storage.base import CHUNK, check_key

FORMAT = "dispatch-backup/1"
MANIFEST = "manifest.json"
OBJECTS = "objects"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}


class BackupError(Exception):
    """A backup or restore failed or was refused; ``message`` is Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclasses.dataclass(frozen=True)
class Entry:
    """One file of the folder; ``key`` and ``content_type`` only for evidence objects."""

    path: str
    size: int
    sha256: str
    key: str | None = None
    content_type: str | None = None


@dataclasses.dataclass
class Manifest:
    created_at: dt.datetime
    app_version: str
    dialect: str
    revision: str | None
    tables: dict[str, int]  # rows per table in the backed-up snapshot
    backend: str
    files: list[Entry]  # the database file first, then the objects
    missing: list[str] = dataclasses.field(default_factory=list)  # rows without an object
    changed: list[str] = dataclasses.field(default_factory=list)  # bytes unlike their row
    other_backends: int = 0  # rows of another storage backend, not backed up

    @property
    def database_file(self) -> str:
        return DATABASE_FILES[self.dialect]

    @property
    def objects(self) -> list[Entry]:
        return [e for e in self.files if e.key is not None]

    @property
    def object_bytes(self) -> int:
        return sum(e.size for e in self.objects)

    def to_json(self) -> str:
        objects = self.objects
        data = {
            "format": FORMAT,
            "created_at": self.created_at.isoformat(),
            "app_version": self.app_version,
            "database": {
                "dialect": self.dialect,
                "file": self.database_file,
                "alembic_revision": self.revision,
                "tables": dict(sorted(self.tables.items())),
            },
            "storage": {
                "backend": self.backend,
                "objects": len(objects),
                "bytes": sum(e.size for e in objects),
                "missing": self.missing,
                "changed": self.changed,
                "other_backends": self.other_backends,
            },
            "files": [
                {k: v for k, v in dataclasses.asdict(e).items() if v is not None}
                for e in self.files
            ],
        }
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def parse_manifest(text: str) -> Manifest:
    """The manifest in ``text``; :class:`BackupError` naming the first thing wrong with it."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise BackupError(f"清单不是有效的 JSON：{exc}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError(f"清单格式不是 {FORMAT}")
    try:
        database, storage = data["database"], data["storage"]
        manifest = Manifest(
            created_at=dt.datetime.fromisoformat(_typed(data["created_at"], str)),
            app_version=_typed(data["app_version"], str),
            dialect=_typed(database["dialect"], str),
            revision=_optional(database["alembic_revision"]),
            tables={_typed(k, str): _count(v) for k, v in _typed(database["tables"], dict).items()},
            backend=_typed(storage["backend"], str),
            files=[_entry(item) for item in _typed(data["files"], list)],
            missing=[_typed(k, str) for k in _typed(storage["missing"], list)],
            changed=[_typed(k, str) for k in _typed(storage["changed"], list)],
            other_backends=_count(storage["other_backends"]),
        )
    except KeyError as exc:
        raise BackupError(f"清单不完整：缺少字段 {exc.args[0]}") from exc
    except (TypeError, ValueError) as exc:
        raise BackupError(f"清单字段无效：{exc}") from exc
    _check_complete(manifest, database, storage)
    return manifest


def _typed(value: Any, kind: type) -> Any:
    if not isinstance(value, kind) or isinstance(value, bool):
        raise TypeError(f"{value!r} 应为 {kind.__name__}")
    return value


def _optional(value: Any) -> str | None:
    return None if value is None else _typed(value, str)


def _count(value: Any) -> int:
    if _typed(value, int) < 0:
        raise ValueError(f"{value!r} 不能为负数")
    return int(value)


def _entry(item: Any) -> Entry:
    item = _typed(item, dict)
    sha = _typed(item["sha256"], str)
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        raise ValueError(f"{sha!r} 不是 SHA-256")
    return Entry(
        path=_typed(item["path"], str),
        size=_count(item["size"]),
        sha256=sha,
        key=_optional(item.get("key")),
        content_type=_optional(item.get("content_type")),
    )


def _check_complete(manifest: Manifest, database: dict, storage: dict) -> None:  # type: ignore[type-arg]
    """Every count the manifest states agrees with its list of files, and every path is safe."""
    if manifest.dialect not in DATABASE_FILES:
        raise BackupError(f"清单中的数据库类型 {manifest.dialect!r} 无法识别")
    if database.get("file") != manifest.database_file:
        raise BackupError("清单中的数据库文件名与数据库类型不符")
    paths = [e.path for e in manifest.files]
    if len(set(paths)) != len(paths):
        raise BackupError("清单中有重复的文件")
    databases = [e for e in manifest.files if e.key is None]
    if [e.path for e in databases] != [manifest.database_file]:
        raise BackupError(f"清单不完整：应恰好列出一个数据库文件 {manifest.database_file}")
    for entry in manifest.files:
        safe_path(entry.path)
        if entry.key is not None:
            try:
                check_key(entry.key)
            except ValueError:
                raise BackupError(f"清单中的存储键无效：{entry.key!r}") from None
            if entry.path != f"{OBJECTS}/{entry.key}":
                raise BackupError(f"清单中文件 {entry.path} 与其存储键 {entry.key} 不符")
    if storage.get("objects") != len(manifest.objects):
        raise BackupError(
            f"清单不完整：记载 {storage.get('objects')} 个对象，实际列出 {len(manifest.objects)} 个"
        )
    if storage.get("bytes") != manifest.object_bytes:
        raise BackupError("清单不完整：对象总字节数与所列文件不符")


def safe_path(relative: str) -> PurePosixPath:
    """A relative path inside the folder: no absolute path, no ``..``, no backslash."""
    path = PurePosixPath(relative)
    if (
        not relative
        or "\\" in relative
        or "\x00" in relative
        or path.is_absolute()
        or any(part in ("", ".", "..") for part in relative.split("/"))
        or path.parts[0] == MANIFEST
    ):
        raise BackupError(f"清单中的文件路径不安全：{relative!r}")
    return path


def hash_chunks(chunks: Iterable[bytes]) -> tuple[int, str]:
    size, digest = 0, hashlib.sha256()
    for chunk in chunks:
        size += len(chunk)
        digest.update(chunk)
    return size, digest.hexdigest()


def read_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while data := handle.read(CHUNK):
            yield data


def write_chunks(chunks: Iterable[bytes], path: Path) -> tuple[int, str]:
    """Write ``chunks`` to a new file at ``path``; its size and SHA-256."""
    size, digest = 0, hashlib.sha256()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("xb") as out:
        for chunk in chunks:
            out.write(chunk)
            size += len(chunk)
            digest.update(chunk)
        out.flush()
        os.fsync(out.fileno())
    return size, digest.hexdigest()


def write_manifest(folder: Path, manifest: Manifest) -> str:
    """Write ``manifest.json`` (last, and atomically); the SHA-256 of what was written."""
    body = manifest.to_json().encode("utf-8")
    temporary = folder / f".{MANIFEST}.partial"
    with temporary.open("xb") as out:
        out.write(body)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, folder / MANIFEST)
    return hashlib.sha256(body).hexdigest()


@dataclasses.dataclass
class VerifyReport:
    manifest: Manifest | None = None
    manifest_sha256: str = ""
    checked: int = 0
    bytes: int = 0
    problems: list[str] = dataclasses.field(default_factory=list)  # the manifest itself
    changed: list[str] = dataclasses.field(default_factory=list)  # size or digest differs
    missing: list[str] = dataclasses.field(default_factory=list)
    unlisted: list[str] = dataclasses.field(default_factory=list)  # in the folder, not listed

    @property
    def ok(self) -> bool:
        return not (self.problems or self.changed or self.missing or self.unlisted)


# A manifest lists ~200 bytes per object: a million evidence files stay far below this.
MANIFEST_MAX_BYTES = 512 << 20


def read_manifest(folder: Path) -> tuple[Manifest, str]:
    """The folder's manifest and its SHA-256; :class:`BackupError` if absent or broken."""
    path = folder / MANIFEST
    if not folder.is_dir():
        raise BackupError(f"备份目录不存在：{folder}")
    if not path.is_file():
        raise BackupError(f"缺少 {MANIFEST}：备份不完整（可能在写入时中断）")
    if path.stat().st_size > MANIFEST_MAX_BYTES:
        # The folder is the operator's to point at: a wrong or hostile file must not be
        # read whole into memory.
        raise BackupError(
            f"{MANIFEST} 超过 {MANIFEST_MAX_BYTES // (1 << 20)} MiB，不是本系统生成的清单"
        )
    body = path.read_bytes()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BackupError(f"{MANIFEST} 不是 UTF-8 文本") from exc
    return parse_manifest(text), hashlib.sha256(body).hexdigest()


def verify_backup(folder: Path) -> VerifyReport:
    """Re-hash every listed file; list what differs, is missing or is not listed."""
    report = VerifyReport()
    try:
        report.manifest, report.manifest_sha256 = read_manifest(folder)
    except BackupError as exc:
        report.problems.append(exc.message)
        return report
    listed = {e.path for e in report.manifest.files}
    for entry in report.manifest.files:
        path = folder / entry.path
        if not path.is_file() or path.is_symlink():
            report.missing.append(entry.path)
            continue
        size, digest = hash_chunks(read_chunks(path))
        report.checked += 1
        report.bytes += size
        if size != entry.size or digest != entry.sha256:
            report.changed.append(entry.path)
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames):
            relative = Path(dirpath, name).relative_to(folder).as_posix()
            if relative != MANIFEST and relative not in listed:
                report.unlisted.append(relative)
    return report

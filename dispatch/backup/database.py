"""The database half of a backup: one consistent snapshot, and what it holds.

What the manifest states about the database (its Alembic revision, the rows per table)
and the list of evidence objects to copy are read from the very snapshot that is dumped,
so the objects in a backup are exactly those its rows name:

- PostgreSQL: a ``REPEATABLE READ`` transaction exports its snapshot
  (``pg_export_snapshot()``), ``pg_dump --snapshot`` dumps that snapshot, and the same
  transaction reads the counts and the stored-file rows;
- SQLite: the online backup API writes the copy, and the copy is read.

Rows are never deleted and objects never change (keys are new for every file), so copying
the objects after the snapshot still gives each row its bytes.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Connection, create_engine, func, inspect, select, table, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from dispatch.backup import pg, sqlite
from dispatch.backup.manifest import DATABASE_FILES, BackupError
from models import StoredFile

DIALECTS = tuple(DATABASE_FILES)
# Relations a database that is "empty" may not have (tables, views, sequences, ...).
PG_RELATIONS = text(
    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
    "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
    "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%' "
    "ORDER BY c.relname"
)


@dataclasses.dataclass(frozen=True)
class FileRow:
    key: str
    size: int
    sha256: str
    content_type: str


@dataclasses.dataclass
class Snapshot:
    """What the dumped snapshot holds."""

    dialect: str
    revision: str | None
    tables: dict[str, int]
    files: list[FileRow]  # stored files of the backend being backed up
    other_backends: int


def dialect_of(url: str) -> str:
    name = make_url(url).get_backend_name()
    if name not in DIALECTS:
        raise BackupError(f"不支持备份该类型的数据库：{name}")
    return name


def _read(conn: Connection, dialect: str, backend: str) -> Snapshot:
    names = sorted(inspect(conn).get_table_names())
    counts = {
        name: int(conn.scalar(select(func.count()).select_from(table(name))) or 0) for name in names
    }
    revision = (
        conn.scalar(text("SELECT version_num FROM alembic_version"))
        if "alembic_version" in names
        else None
    )
    files: list[FileRow] = []
    other = 0
    if StoredFile.__tablename__ in names:
        columns = (StoredFile.key, StoredFile.size, StoredFile.sha256, StoredFile.content_type)
        files = [
            FileRow(*row)
            for row in conn.execute(
                select(*columns).where(StoredFile.backend == backend).order_by(StoredFile.id)
            )
        ]
        other = counts[StoredFile.__tablename__] - len(files)
    return Snapshot(dialect, revision, counts, files, other)


@contextlib.contextmanager
def _sqlite_reader(path: Path) -> Iterator[Connection]:
    engine = create_engine("sqlite://", creator=lambda: sqlite.read_only(path), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def dump(url: str, folder: Path, backend: str) -> Snapshot:
    """Write the database file into ``folder``; what its snapshot holds."""
    dialect = dialect_of(url)
    dest = folder / DATABASE_FILES[dialect]
    try:
        if dialect == "sqlite":
            sqlite.backup(sqlite.database_path(url), dest)
            with _sqlite_reader(dest) as conn:
                return _read(conn, dialect, backend)
        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
                with conn.begin():
                    snapshot = conn.scalar(text("SELECT pg_export_snapshot()"))
                    pg.dump(url, dest, str(snapshot))
                    return _read(conn, dialect, backend)
        finally:
            engine.dispose()
    except SQLAlchemyError as exc:
        detail = getattr(exc, "orig", None) or exc
        raise BackupError(f"读取数据库失败：{detail}") from exc


def existing_relations(url: str) -> list[str]:
    """The tables (views, sequences) the database at ``url`` already has."""
    dialect = dialect_of(url)
    if dialect == "sqlite":
        return sqlite.tables(sqlite.database_path(url))
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return list(conn.scalars(PG_RELATIONS))
    except SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise BackupError(f"无法连接目标数据库：{detail}") from exc
    finally:
        engine.dispose()


def load(url: str, folder: Path, backend: str) -> Snapshot:
    """Put the backed-up database into the (checked empty) database at ``url``; read it."""
    dialect = dialect_of(url)
    source = folder / DATABASE_FILES[dialect]
    if dialect == "sqlite":
        target = sqlite.database_path(url)
        sqlite.restore(source, target)
        with _sqlite_reader(target) as conn:
            return _read(conn, dialect, backend)
    pg.restore(url, source)
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return _read(conn, dialect, backend)
    finally:
        engine.dispose()

"""PostgreSQL through its own tools: ``pg_dump -Fc`` and ``pg_restore --no-owner``.

The tools are found on ``PATH`` or under ``/usr/lib/postgresql/<version>/bin`` (Debian's
server packages; the newest version first, since ``pg_dump`` refuses a newer server).
The connection comes from the app's database URL through libpq's environment variables,
so the password is never on a command line (where ``ps`` would show it); ``-w`` makes a
missing password an error instead of a prompt the cron job would wait on forever.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from dispatch.backup.manifest import BackupError

TOOL_DIRS = Path("/usr/lib/postgresql")
# URL query parameters psycopg accepts that libpq also reads from the environment.
LIBPQ_ENV = {
    "host": "PGHOST",
    "port": "PGPORT",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME",
    "options": "PGOPTIONS",
    "gssencmode": "PGGSSENCMODE",
    "channel_binding": "PGCHANNELBINDING",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}
ERROR_TAIL = 2000


def _version(path: Path) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path.parent.parent.name)) or (0,)


def find_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(TOOL_DIRS.glob(f"*/bin/{name}"), key=_version, reverse=True)
    if candidates:
        return str(candidates[0])
    raise BackupError(
        f"找不到 {name}：请安装 PostgreSQL 客户端工具（Debian 软件包 postgresql-client）"
    )


def libpq_env(url: str) -> dict[str, str]:
    """The process environment with the URL's connection in libpq's variables."""
    parsed = make_url(url)
    # Inherited PG* variables (a PGSERVICE, another PGHOST) must not redirect the tools.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["PGCONNECT_TIMEOUT"] = "10"
    for name, value in parsed.query.items():
        variable = LIBPQ_ENV.get(name)
        if variable is None:
            raise BackupError(f"数据库地址中的参数 {name} 无法传给 PostgreSQL 工具")
        env[variable] = value if isinstance(value, str) else value[-1]
    if parsed.host:
        env["PGHOST"] = parsed.host
    if parsed.port:
        env["PGPORT"] = str(parsed.port)
    if parsed.username:
        env["PGUSER"] = parsed.username
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    if parsed.database:
        env["PGDATABASE"] = parsed.database
    return env


def _run(args: list[str], url: str, what: str) -> None:
    try:
        result = subprocess.run(
            args, env=libpq_env(url), capture_output=True, text=True, check=False
        )
    except OSError as exc:
        raise BackupError(f"{what}无法启动：{exc}") from exc
    if result.returncode != 0:
        detail = result.stderr.strip()[-ERROR_TAIL:] or f"退出码 {result.returncode}"
        raise BackupError(f"{what}失败：{detail}")


def dump(url: str, dest: Path, snapshot: str) -> None:
    """``pg_dump -Fc`` of the database as of ``snapshot`` (exported by the caller)."""
    _run(
        [find_tool("pg_dump"), "-Fc", "-w", f"--snapshot={snapshot}", "-f", str(dest)],
        url,
        "pg_dump 导出数据库",
    )


def _conninfo_value(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def restore(url: str, source: Path) -> None:
    """``pg_restore`` into the (empty) database, all or nothing.

    ``--no-owner`` and ``--no-acl``: the target's roles need not be the source's, so the
    restoring account owns everything and no grant names a role the new server lacks.
    """
    database = make_url(url).database or ""
    _run(
        [
            find_tool("pg_restore"),
            "--no-owner",
            "--no-acl",
            "--exit-on-error",
            "--single-transaction",
            "-w",
            # A conninfo rather than a bare name: a database name may not be read as one.
            "-d",
            f"dbname={_conninfo_value(database)}",
            str(source),
        ],
        url,
        "pg_restore 恢复数据库",
    )

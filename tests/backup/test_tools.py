"""How the PostgreSQL tools are reached: the URL's connection goes to libpq's environment
(the password never onto a command line), and the tools are found where Debian puts them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dispatch.backup import BackupError, pg


def test_the_url_becomes_libpq_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGSERVICE", "elsewhere")  # an inherited PG* must not redirect the tools
    env = pg.libpq_env(
        "postgresql+psycopg://dispatch:s%40cret%2Fpw@db.example:5433/减排?sslmode=verify-full"
    )
    assert env["PGPASSWORD"] == "s@cret/pw"
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"]) == ("db.example", "5433", "dispatch")
    assert (env["PGDATABASE"], env["PGSSLMODE"]) == ("减排", "verify-full")
    assert "PGSERVICE" not in env
    assert env["PATH"] == os.environ["PATH"]


def test_a_socket_directory_in_the_query_is_the_host() -> None:
    env = pg.libpq_env("postgresql+psycopg://dispatch@/dispatch?host=/run/postgresql")
    assert env["PGHOST"] == "/run/postgresql" and "PGPASSWORD" not in env


def test_an_unknown_url_parameter_is_refused() -> None:
    with pytest.raises(BackupError, match="参数 prepare_threshold 无法传给 PostgreSQL 工具"):
        pg.libpq_env("postgresql+psycopg://u@h/d?prepare_threshold=0")


def test_the_tools_are_found_outside_path_too(monkeypatch: pytest.MonkeyPatch) -> None:
    if not list(pg.TOOL_DIRS.glob("*/bin/pg_dump")):
        pytest.skip("no Debian PostgreSQL tools under /usr/lib/postgresql")
    monkeypatch.setenv("PATH", "/nonexistent")
    found = Path(pg.find_tool("pg_dump"))
    assert found.name == "pg_dump" and found.is_relative_to(pg.TOOL_DIRS)
    with pytest.raises(BackupError, match="找不到 pg_nothing"):
        pg.find_tool("pg_nothing")

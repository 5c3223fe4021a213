"""``dispatch audit archive``, ``verify --archive`` and ``export``, run for real as commands
against their own committed database, and the retention setting (never below 180 days)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from dispatch import audit
from dispatch.app import create_app
from dispatch.audit import ARCHIVE_ACTION
from dispatch.cli import main
from dispatch.config import ConfigError, Settings
from models import AuditEvent
from tests.conftest import TEST_SECRET, migrate

DISPATCH = Path(sys.executable).parent / "dispatch"
UTC = dt.UTC


@pytest.fixture
def log(new_database_url: Callable[[], str]) -> Iterator[tuple[str, Engine, dict[str, list[int]]]]:
    """Four events of 2020, three of the last hour (the commands run on the real clock)."""
    url = new_database_url()
    engine = migrate(url)
    now = dt.datetime.now(UTC)
    ids: dict[str, list[int]] = {"old": [], "new": []}
    with Session(engine) as session:
        for key, start, n in (("old", dt.datetime(2020, 3, 1, tzinfo=UTC), 4),
                              ("new", now - dt.timedelta(hours=1), 3)):  # fmt: skip
            for i in range(n):
                acting = audit.Acting(None, start + dt.timedelta(minutes=i), "192.0.2.3")
                event = audit.record(session, acting, "auth.login", details={"i": i})
                ids[key].append(event.id)
        session.commit()
    try:
        yield url, engine, ids
    finally:
        engine.dispose()


def run(url: str, tmp_path: Path, *args: str, **env_extra: str) -> subprocess.CompletedProcess[str]:
    """The console script as a process of its own (what an operator runs)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPATCH_")}
    env.update(DISPATCH_DATABASE_URL=url, DISPATCH_INSTANCE_PATH=str(tmp_path / "instance"))
    env.update(env_extra)
    return subprocess.run(
        [str(DISPATCH), "audit", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@dataclasses.dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


def invoke(url: str, tmp_path: Path, *args: str, **env_extra: str) -> Ran:
    """The same command in this process (click's runner): seconds faster per call."""
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("DISPATCH_")}
    env.update(DISPATCH_DATABASE_URL=url, DISPATCH_INSTANCE_PATH=str(tmp_path / "instance"))
    env.update(env_extra)
    result = CliRunner().invoke(main, ["audit", *args], env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Ran(result.exit_code, result.stdout, result.stderr)


def stored(engine: Engine) -> list[AuditEvent]:
    with Session(engine) as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def test_archive_then_verify_live_and_end_to_end(log, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, engine, ids = log
    out = tmp_path / "审计归档-2020.jsonl"
    result = run(url, tmp_path, "archive", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert f"已归档审计事件 #{ids['old'][0]}–#{ids['old'][-1]} 共 4 条" in result.stdout
    assert "SHA-256：" in result.stdout
    records = [json.loads(line) for line in out.read_bytes().splitlines()]
    assert [r["id"] for r in records[1:]] == ids["old"]
    # No temporary file is left beside the archive.
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["instance", out.name])

    events = stored(engine)
    assert [e.id for e in events][:3] == ids["new"]
    (archived,) = [e for e in events if e.action == ARCHIVE_ACTION]
    assert archived.details["count"] == 4 and archived.details["file"] == out.name

    live = run(url, tmp_path, "verify")
    assert live.returncode == 0, live.stderr
    assert "审计日志校验通过：共 4 条事件" in live.stdout
    assert f"事件 #{ids['old'][-1]} 及之前的事件已归档" in live.stdout

    whole = run(url, tmp_path, "verify", "--archive", str(out))
    assert whole.returncode == 0, whole.stderr
    assert "归档文件 1 个共 4 条事件，现存 4 条事件" in whole.stdout


def test_verify_finds_a_tampered_archive_and_a_deleted_live_event(log, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, engine, ids = log
    out = tmp_path / "a.jsonl"
    assert invoke(url, tmp_path, "archive", "--out", str(out)).returncode == 0
    content = out.read_bytes()
    out.write_bytes(content.replace(b'"remote_addr":"192.0.2.3"', b'"remote_addr":"192.0.2.9"', 1))
    result = invoke(url, tmp_path, "verify", "--archive", str(out))
    assert result.returncode == 1
    assert "审计日志校验失败" in result.stderr
    assert f"a.jsonl：事件 #{ids['old'][0]}（第 2 行）的内容与其哈希不符" in result.stderr

    out.write_bytes(content)
    with engine.begin() as conn:
        conn.execute(AuditEvent.__table__.delete().where(AuditEvent.id == ids["new"][1]))
    live = invoke(url, tmp_path, "verify")
    assert live.returncode == 1
    assert f"事件 #{ids['new'][2]} 无法通过校验" in live.stderr
    whole = invoke(url, tmp_path, "verify", "--archive", str(out))
    assert whole.returncode == 1 and "现存日志：事件" in whole.stderr


def test_archive_refuses_a_recent_date_and_an_existing_file(log, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, engine, _ids = log
    before = len(stored(engine))
    recent = (dt.datetime.now(UTC) - dt.timedelta(days=30)).date().isoformat()
    result = invoke(
        url, tmp_path, "archive", "--out", str(tmp_path / "a.jsonl"), "--before", recent
    )
    assert result.returncode != 0
    assert (
        f"--before {recent} 未满保存期（DISPATCH_AUDIT_RETENTION_DAYS = 180 天）" in result.stderr
    )
    bad = invoke(
        url, tmp_path, "archive", "--out", str(tmp_path / "a.jsonl"), "--before", "2020/3/1"
    )
    assert bad.returncode != 0 and "日期应写成 YYYY-MM-DD" in bad.stderr
    existing = tmp_path / "exists.jsonl"
    existing.write_text("keep me")
    taken = invoke(url, tmp_path, "archive", "--out", str(existing))
    assert taken.returncode != 0 and "已存在" in taken.stderr
    assert existing.read_text() == "keep me"
    assert not (tmp_path / "a.jsonl").exists()
    assert len(stored(engine)) == before


def test_archive_before_a_date_moves_only_what_precedes_it(log, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, _engine, _ids = log
    # The old events happened at 08:00 on 2020-03-01 in Beijing.
    result = invoke(
        url, tmp_path, "archive", "--out", str(tmp_path / "a.jsonl"), "--before", "2020-03-01"
    )
    assert result.returncode == 0, result.stderr
    assert "没有 2020-03-01 00:00（北京时间）之前的审计事件，未生成归档文件" in result.stdout
    assert not (tmp_path / "a.jsonl").exists()
    moved = invoke(
        url, tmp_path, "archive", "--out", str(tmp_path / "b.jsonl"), "--before", "2020-03-02"
    )
    assert moved.returncode == 0, moved.stderr
    assert "共 4 条" in moved.stdout


def test_retention_setting_below_180_days_stops_the_command(log, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, engine, _ids = log
    result = invoke(
        url, tmp_path, "archive", "--out", str(tmp_path / "a.jsonl"),
        DISPATCH_AUDIT_RETENTION_DAYS="90",
    )  # fmt: skip
    assert result.returncode != 0
    assert "DISPATCH_AUDIT_RETENTION_DAYS 不能少于 180 天" in result.stderr
    assert len(stored(engine)) == 7


def test_a_longer_retention_archives_less(log, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, engine, _ids = log
    days = (dt.datetime.now(UTC) - dt.datetime(2020, 3, 1, tzinfo=UTC)).days + 30
    result = invoke(
        url, tmp_path, "archive", "--out", str(tmp_path / "a.jsonl"),
        DISPATCH_AUDIT_RETENTION_DAYS=str(days),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "未生成归档文件" in result.stdout
    assert len(stored(engine)) == 7


def test_export_command_writes_the_filter_and_is_audited(log, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, engine, ids = log
    out = tmp_path / "安全事件.xlsx"
    result = invoke(url, tmp_path, "export", "--out", str(out), "--category", "security",
                 "--to", "2020-12-31")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "已导出 4 条审计事件" in result.stdout
    book = openpyxl.load_workbook(out, read_only=True)
    rows = list(book["审计日志"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == ids["old"]
    book.close()
    (event,) = [e for e in stored(engine) if e.action == "audit.export"]
    assert event.details["filters"] == {"category": "security", "date_to": "2020-12-31"}
    assert (event.details["rows"], event.details["via"]) == (4, "cli")
    refused = invoke(url, tmp_path, "export", "--out", str(tmp_path / "x.xlsx"), "--outcome", "ok")
    assert refused.returncode != 0 and "结果：请选择" in refused.stderr
    assert not (tmp_path / "x.xlsx").exists()


# --- the setting -----------------------------------------------------------------------


def test_retention_defaults_to_180_days() -> None:
    assert Settings.from_env({}).audit_retention_days == 180
    assert Settings().audit_retention_days == 180


@pytest.mark.parametrize("value", ["0", "90", "179", "-5"])
def test_retention_below_180_days_is_refused_at_start(value: str) -> None:
    settings = Settings.from_env({"DISPATCH_AUDIT_RETENTION_DAYS": value})
    with pytest.raises(ConfigError, match="DISPATCH_AUDIT_RETENTION_DAYS 不能少于 180 天"):
        settings.validate()


@pytest.mark.parametrize("value", ["abc", "1.5", "180天"])
def test_retention_that_is_no_number_is_refused(value: str) -> None:
    with pytest.raises(ConfigError, match="DISPATCH_AUDIT_RETENTION_DAYS 必须为天数"):
        Settings.from_env({"DISPATCH_AUDIT_RETENTION_DAYS": value})


def test_app_does_not_start_with_a_short_retention(tmp_path: Path) -> None:
    settings = Settings(
        instance_path=tmp_path, secret_key=TEST_SECRET, audit_retention_days=30, testing=True
    )
    with pytest.raises(ConfigError, match="DISPATCH_AUDIT_RETENTION_DAYS"):
        create_app(settings)


def test_a_year_is_accepted() -> None:
    settings = Settings.from_env({"DISPATCH_AUDIT_RETENTION_DAYS": " 365 "})
    settings.validate()
    assert settings.audit_retention_days == 365

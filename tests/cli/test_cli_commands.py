"""The ``dispatch`` console script, run for real as a subprocess against its own database:
migrations, the repeatable demo seed, account creation, serving and production checks."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, select, text

from dispatch.app import create_app
from dispatch.config import Settings
from dispatch.db import make_engine
from dispatch.demo.orgs import ACCOUNTS, DEMO_PASSWORD, demo_uscc
from models import Role, User
from tests.conftest import TEST_SECRET, login

DISPATCH = Path(sys.executable).parent / "dispatch"
COUNTED = ("regions", "enterprises", "users", "audit_events", "evidence_files", "stored_files")


def run(
    *args: str, url: str, instance: Path, timeout: float = 120, **extra_env: str
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPATCH_")}
    env.update(DISPATCH_DATABASE_URL=url, DISPATCH_INSTANCE_PATH=str(instance), **extra_env)
    return subprocess.run(
        [str(DISPATCH), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.scalar(text(f"SELECT count(*) FROM {t}")) or 0 for t in COUNTED}  # noqa: S608


class CliDatabase:
    """A fresh database that the commands below upgrade and seed, shared by this module."""

    def __init__(self, url: str, instance: Path) -> None:
        self.url = url
        self.instance = instance
        self.engine = make_engine(url)

    def run(self, *args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
        return run(*args, url=self.url, instance=self.instance, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def cli_db(
    new_database_url: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[
    tuple[CliDatabase, subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]
]:
    db = CliDatabase(new_database_url(), tmp_path_factory.mktemp("cli-instance"))
    try:
        upgraded = db.run("db", "upgrade")
        assert upgraded.returncode == 0, upgraded.stderr
        seeded = db.run("demo")
        assert seeded.returncode == 0, seeded.stderr
        yield db, upgraded, seeded
    finally:
        db.engine.dispose()


def test_db_upgrade_builds_the_schema_on_a_fresh_database(cli_db) -> None:  # type: ignore[no-untyped-def]
    db, upgraded, _seeded = cli_db
    assert "数据库已升级到 head" in upgraded.stdout
    tables = set(inspect(db.engine).get_table_names())
    assert {"alembic_version", *COUNTED} <= tables
    with db.engine.connect() as conn:
        revision = conn.scalar(text("SELECT version_num FROM alembic_version"))
    from alembic.script import ScriptDirectory

    from dispatch.migrate import alembic_config

    assert revision == ScriptDirectory.from_config(alembic_config()).get_current_head()
    # Upgrading again is a no-op, not an error.
    again = db.run("db", "upgrade")
    assert again.returncode == 0, again.stderr


def test_demo_reports_what_it_created_and_the_accounts(cli_db) -> None:  # type: ignore[no-untyped-def]
    db, _upgraded, seeded = cli_db
    assert "演示数据就绪：新建区划 14 个、企业 34 家、用户 8 个" in seeded.stdout
    with db.engine.connect() as conn:
        sheets = conn.scalar(
            text("SELECT count(*) FROM reduction_confirmations WHERE sheet_evidence_id IS NOT NULL")
        )
    # The files the demo's users sent; the calculation sheets are the system's own.
    files = counts(db.engine)["evidence_files"] - (sheets or 0)
    assert sheets and files > 0 and f"佐证材料 {files} 份" in seeded.stdout
    assert f"密码均为 {DEMO_PASSWORD}" in seeded.stdout
    for username, display, role, _org in ACCOUNTS:
        assert username in seeded.stdout
        assert f"{role.label}（{display}）" in seeded.stdout


def test_demo_second_run_creates_nothing(cli_db) -> None:  # type: ignore[no-untyped-def]
    db, _upgraded, _seeded = cli_db
    before = counts(db.engine)
    second = db.run("demo")
    assert second.returncode == 0, second.stderr
    assert counts(db.engine) == before
    assert "新建区划 0 个、企业 0 家、用户 0 个" in second.stdout
    assert "佐证材料 0 份" in second.stdout
    for username, *_rest in ACCOUNTS:
        assert username in second.stdout


def test_user_create_then_the_user_can_log_in(cli_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db, *_ = cli_db
    password = "Zhang@2025x"
    result = db.run(
        "user", "create", "--username", "zhang_san", "--display-name", "张三",
        "--role", "district", "--org", "370102", "--password", password, "--no-must-change",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"已创建用户 zhang_san（{Role.DISTRICT.label}，历下区）" in result.stdout

    with db.engine.connect() as conn:
        row = conn.execute(
            select(User.role, User.display_name, User.must_change_password).where(
                User.username == "zhang_san"
            )
        ).one()
        logged = conn.scalar(
            text("SELECT count(*) FROM audit_events WHERE action = 'admin.user.create' "
                 "AND object_type = 'user' AND details LIKE '%zhang_san%'")
        ) if db.engine.dialect.name == "sqlite" else conn.scalar(
            text("SELECT count(*) FROM audit_events WHERE action = 'admin.user.create' "
                 "AND details->>'username' = 'zhang_san'")
        )  # fmt: skip
    assert row.role == Role.DISTRICT
    assert row.display_name == "张三"
    assert row.must_change_password is False
    assert logged == 1

    settings = Settings(
        instance_path=tmp_path / "instance", database_url=db.url, secret_key=TEST_SECRET,
        testing=True,
    )  # fmt: skip
    app = create_app(settings)
    try:
        client = app.test_client()
        response = login(client, "zhang_san", password)
        assert response.status_code == 302, response.get_data(as_text=True)
        home = client.get("/").get_data(as_text=True)
        assert "区县工作台 · 历下区" in home
    finally:
        app.extensions["db"].engine.dispose()


def test_user_create_for_an_enterprise_by_credit_code(cli_db) -> None:  # type: ignore[no-untyped-def]
    db, *_ = cli_db
    uscc = demo_uscc("370103", 4)  # 济南南郊热电有限公司
    result = db.run(
        "user", "create", "--username", "nanjiao", "--role", "enterprise",
        "--org", uscc.lower(), "--password", "Reheat@2025",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "济南南郊热电有限公司" in result.stdout
    with db.engine.connect() as conn:
        must_change = conn.scalar(
            select(User.must_change_password).where(User.username == "nanjiao")
        )
    assert must_change is True  # the default: change the password at first login


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "district", "--org", "999999"], "请选择所属区划"),
        (["--role", "enterprise", "--org", "370102"], "企业用户必须选择所属企业"),
        (["--role", "district", "--org", "370100"], "区县用户的所属区划必须是区县级"),
        (["--role", "city", "--org", "370100", "--password", "short"], "密码长度不能少于 10 个"),
        (["--role", "city", "--org", "370100", "--password", "Li_si@2025"], "密码不能包含用户名"),
        (["--role", "city", "--org", "370100", "--username", "admin"], "用户名 admin 已存在"),
        # The admin form's rules (issue 8): no look-alike or unclean names from here either.
        (["--role", "city", "--org", "370100", "--username", "admin\u200b"],
         "用户名不能包含不可见字符（U+200B）"),
        (["--role", "city", "--org", "370100", "--username", "\u0430dmin"],  # Cyrillic а
         "用户名只能使用小写英文字母、数字和 . _ -"),
        (["--role", "city", "--org", "370100", "--username", "Li_Si"],
         "用户名只能使用小写英文字母、数字和 . _ -"),
        (["--role", "city", "--org", "370100", "--username", "l" * 65],
         "用户名过长：最多 64 个字符"),
        (["--role", "city", "--org", "370100", "--display-name", "李四\x1b[31m"],
         "姓名不能包含控制字符（U+001B）"),
        (["--role", "city", "--org", "370100", "--display-name", "李四\u202e"],
         "姓名不能包含文字方向控制字符（U+202E）"),
    ],
)  # fmt: skip
def test_user_create_refuses_with_a_chinese_message(
    cli_db,  # type: ignore[no-untyped-def]
    args: list[str],
    message: str,
) -> None:
    db, *_ = cli_db
    options = {"--username": "li_si", "--password": "Lisi@2025x"}
    full = list(args)
    for option, value in options.items():
        if option not in full:
            full += [option, value]
    before = counts(db.engine)
    result = db.run("user", "create", *full)
    assert result.returncode != 0
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert counts(db.engine) == before


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_healthz(cli_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db, *_ = cli_db
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPATCH_")}
    env.update(DISPATCH_DATABASE_URL=db.url, DISPATCH_INSTANCE_PATH=str(db.instance))
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(DISPATCH), "serve", "--port", str(port), "--workers", "1"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            health = None
            # A loaded CI machine may take a while to boot the worker: wait for it, and
            # count a read timeout (the worker still importing) as "not yet".
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and proc.poll() is None:
                try:
                    with urllib.request.urlopen(
                        f"http://127.0.0.1:{port}/healthz", timeout=10
                    ) as response:
                        health = (response.status, json.load(response))
                        break
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    time.sleep(0.2)
            assert health is not None, log.read_text()
            status, body = health
            assert status == 200
            assert body["status"] == "ok"
            assert body["database"] == "ok"
            assert body["storage"] == "ok"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
    assert f"http://127.0.0.1:{port}/" in log.read_text()


SHORT_SECRET = {"DISPATCH_SECRET_KEY": "too-short"}
SQLITE_URL = {"DISPATCH_SECRET_KEY": "x" * 40, "DISPATCH_DATABASE_URL": "sqlite:///prod.db"}
NEEDS_SECRET = "生产模式必须设置 DISPATCH_SECRET_KEY，且长度不少于 32 个字符"
NO_SQLITE = "生产模式不能使用 SQLite"


@pytest.mark.parametrize(
    ("command", "env", "message"),
    [
        (["serve", "--port", "1"], SHORT_SECRET, NEEDS_SECRET),
        (["serve", "--port", "1"], {}, NEEDS_SECRET),
        (["serve", "--port", "1"], SQLITE_URL, NO_SQLITE),
        (["db", "upgrade"], SHORT_SECRET, NEEDS_SECRET),
        (["demo"], SQLITE_URL, NO_SQLITE),
    ],
)
def test_production_refuses_unsafe_settings(
    tmp_path: Path, command: list[str], env: dict[str, str], message: str
) -> None:
    env = {"DISPATCH_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none", **env}
    url = env.pop("DISPATCH_DATABASE_URL")
    result = run(
        *command, url=url, instance=tmp_path / "instance", timeout=60,
        DISPATCH_ENV="production", **env,
    )  # fmt: skip
    assert result.returncode != 0
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    # Nothing was created on the way to the refusal.
    assert not (tmp_path / "instance").exists()

"""Several workers, one login limit: with Redis the counters are shared by every worker
process; production refuses to serve several workers on the per-process ``memory://`` store
and does not start when Redis does not answer (issue 12, point 4).

The workers are real processes (``dispatch serve --workers 1``, twice, on one database and
one secret): two apps in this process would share Flask-Limiter's one extension object,
and so its store, which is exactly what separate workers do not.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import pytest
import urllib3
from sqlalchemy import func, select

from dispatch.app import create_app
from dispatch.config import ConfigError, Settings
from dispatch.db import Database
from models import AuditEvent, AuditOutcome
from tests.conftest import CSRF_RE, TEST_SECRET, migrate
from tests.pg import free_port
from tests.redis_server import TempRedis

DISPATCH = Path(sys.executable).parent / "dispatch"
UNUSED_PG = "postgresql+psycopg://nobody@127.0.0.1:1/none"
HTTP = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(connect=2, read=30))


def _clean_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DISPATCH_") and k != "WEB_CONCURRENCY"
    }
    env.update(extra)
    return env


@contextmanager
def workers(env: dict[str, str], logs: Path, count: int) -> Iterator[list[str]]:
    """``count`` gunicorn processes of one worker each, booted side by side; yields their
    base URLs once every one answers."""
    logs.mkdir()
    procs: list[tuple[subprocess.Popen[bytes], str, Path]] = []
    try:
        for n in range(count):
            port, log = free_port(), logs / f"worker{n}.log"
            with log.open("w") as out:
                proc = subprocess.Popen(
                    [str(DISPATCH), "serve", "--port", str(port), "--workers", "1"],
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            procs.append((proc, f"http://127.0.0.1:{port}", log))
        deadline = time.monotonic() + 90  # a loaded CI machine boots workers slowly
        for proc, base, log in procs:
            while True:
                assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
                try:
                    if HTTP.request("GET", f"{base}/healthz").status == 200:
                        break
                except urllib3.exceptions.HTTPError:
                    time.sleep(0.2)
        yield [base for _, base, _ in procs]
    finally:
        for proc, _, _ in procs:
            proc.terminate()
        for proc, _, _ in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


def _bad_logins(bases: list[str], count: int) -> list[int]:
    """``count`` wrong-password POSTs from one browser, taking turns between the workers."""
    page = HTTP.request("GET", f"{bases[0]}/login")
    cookie = page.headers["Set-Cookie"].split(";", 1)[0]
    match = CSRF_RE.search(page.data.decode())
    assert match, page.data.decode()
    body = urlencode({"csrf_token": match.group(1), "username": "nobody", "password": "x1"})
    headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    return [
        HTTP.request("POST", f"{bases[n % len(bases)]}/login", body=body, headers=headers).status
        for n in range(count)
    ]


@pytest.mark.parametrize(
    ("store", "expected"),
    [
        # Four logins per hour in all: the fifth, whichever worker takes it, is refused.
        ("redis", [200, 200, 200, 200, 429]),
        # Each worker counts alone (the bug): three and two POSTs, never over four.
        ("memory", [200, 200, 200, 200, 200]),
    ],
)
def test_two_workers_share_one_limit_only_in_redis(
    store: str,
    expected: list[int],
    new_database_url: Callable[[], str],
    redis_url: str,
    redis_server: TempRedis,
    tmp_path: Path,
):
    url = new_database_url()
    engine = migrate(url)
    env = _clean_env(
        DISPATCH_DATABASE_URL=url,
        DISPATCH_INSTANCE_PATH=str(tmp_path / "instance"),
        DISPATCH_SECRET_KEY=TEST_SECRET,  # one secret: a session from one worker is valid at both
        DISPATCH_LOGIN_RATE_LIMIT="4 per hour",
        DISPATCH_RATELIMIT_STORAGE_URI=redis_url if store == "redis" else "memory://",
    )
    try:
        with workers(env, tmp_path / "logs", 2) as bases:
            assert _bad_logins(bases, 5) == expected
        with engine.connect() as conn:
            reached = conn.scalar(
                select(func.count()).where(
                    AuditEvent.action == "auth.login",
                    AuditEvent.actor_username == "nobody",
                    AuditEvent.outcome == AuditOutcome.FAILURE,
                )
            )
    finally:
        engine.dispose()
    # Only the POSTs under the limit reached the password check and the audit log.
    assert reached == expected.count(200)
    with redis_server.client() as conn:
        keys = conn.keys("*")
    assert len(keys) == (1 if store == "redis" else 0)


def test_production_serve_refuses_memory_store_for_several_workers(tmp_path: Path):
    env = _clean_env(
        DISPATCH_ENV="production",
        DISPATCH_DATABASE_URL=UNUSED_PG,
        DISPATCH_SECRET_KEY=TEST_SECRET,
        DISPATCH_INSTANCE_PATH=str(tmp_path / "instance"),
    )
    result = subprocess.run(
        [str(DISPATCH), "serve", "--port", "1", "--workers", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "运行 2 个 worker 进程时，登录限流不能使用进程内存储 memory://" in result.stderr
    assert "DISPATCH_RATELIMIT_STORAGE_URI" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "instance").exists()  # refused before anything was created


@pytest.mark.parametrize(("workers", "refused"), [({}, True), ({"WEB_CONCURRENCY": "1"}, False)])
def test_wsgi_entry_counts_unknown_workers_as_several(
    tmp_path: Path, workers: dict[str, str], refused: bool
):
    """``gunicorn -w 4 wsgi:app`` hides its count: production then refuses memory://."""
    env = _clean_env(
        DISPATCH_ENV="production",
        DISPATCH_DATABASE_URL=UNUSED_PG,
        DISPATCH_SECRET_KEY=TEST_SECRET,
        DISPATCH_INSTANCE_PATH=str(tmp_path / "instance"),
        **workers,
    )
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if refused:
        assert result.returncode != 0
        assert "登录限流不能使用进程内存储 memory://" in result.stderr
    else:
        assert result.returncode == 0, result.stderr


def _production(settings: Settings, **changes: object) -> Settings:
    # The URL only has to pass validation: the app is given the test database below.
    return dataclasses.replace(
        settings, env="production", database_url=UNUSED_PG, ratelimit_enabled=True, **changes
    )


def test_production_server_starts_on_redis_with_several_workers(
    settings, engine, session_factory, clock, redis_url: str
):
    served = _production(settings, ratelimit_storage_uri=redis_url).for_server(4)
    app = create_app(served, database=Database(engine, session_factory), clock=clock)
    assert app.config["SETTINGS"].workers == 4
    assert app.test_client().get("/login").status_code == 200


@pytest.mark.parametrize("workers", [2, None])
def test_production_server_refuses_memory_store_with_several_or_unknown_workers(
    settings, engine, session_factory, clock, workers: int | None
):
    served = _production(settings).for_server(workers)
    with pytest.raises(ConfigError, match="memory://"):
        create_app(served, database=Database(engine, session_factory), clock=clock)


def test_production_server_refuses_a_redis_that_does_not_answer(
    settings, engine, session_factory, clock
):
    dead = f"redis://127.0.0.1:{free_port()}/0"
    served = _production(settings, ratelimit_storage_uri=dead).for_server(2)
    with pytest.raises(ConfigError, match="登录限流存储不可用"):
        create_app(served, database=Database(engine, session_factory), clock=clock)


def test_commands_and_single_workers_keep_the_memory_store(
    settings, engine, session_factory, clock
):
    """A command (backup, migrations) serves no logins; one worker counts alone correctly."""
    for production in (_production(settings), _production(settings).for_server(1)):
        app = create_app(production, database=Database(engine, session_factory), clock=clock)
        assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"

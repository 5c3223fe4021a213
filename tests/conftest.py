"""Shared fixtures: the database under test (SQLite or a throwaway PostgreSQL cluster),
the app bound to a per-test transaction, a controllable clock and login helpers.

Choose the backend with ``--db=sqlite|postgresql`` (default from ``DISPATCH_TEST_DB``,
else sqlite). The schema is always built by the Alembic migrations, never ``create_all``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.routing import Rule

from dispatch.app import create_app
from dispatch.config import Settings
from dispatch.db import Database, make_engine
from dispatch.migrate import alembic_config
from tests.factories import World, WorldIds, build_world, load_world, world_ids
from tests.pg import TempPostgres
from tests.redis_server import TempRedis
from tests.s3 import TempS3

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
START = dt.datetime(2025, 6, 2, 1, 0, tzinfo=dt.UTC)


class SharedBytecode(BytecodeCache):
    """Compiled templates kept for every app the test process builds.

    A production process builds its app once and compiles each template once; the suite
    builds an app per test, and compiling the same templates again and again took a fifth
    of the access matrix's time (46 of 228 s under cProfile). Jinja checks each entry
    against its template's source, so an edited template is compiled afresh.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


def share_route_builders() -> None:
    """URL builders compiled once for every app the test process builds.

    Werkzeug compiles two Python functions per URL rule (ast, then ``compile``) each time
    an app registers its routes: three quarters of ``create_app`` (4.0 of 5.2 s for 40
    apps under cProfile), which the suite runs for every test. A builder depends only on
    the rule's text, its parsed trace, its defaults and whether it appends unknown
    arguments, and is bound to its rule afterwards, so identical rules of later apps take
    the first one's. Werkzeug without the private method: the suite only runs slower.
    """
    compile_builder = getattr(Rule, "_compile_builder", None)
    if compile_builder is None:
        return
    built: dict[tuple[Any, ...], Any] = {}

    def shared(rule: Rule, append_unknown: bool = True) -> Any:
        defaults = repr(sorted((rule.defaults or {}).items()))
        key = (rule.rule, tuple(rule._trace), defaults, append_unknown)
        if key not in built:
            built[key] = compile_builder(rule, append_unknown)
        return built[key]

    Rule._compile_builder = shared  # type: ignore[method-assign]


def pytest_configure(config: pytest.Config) -> None:
    # Production keeps argon2's default cost; the suite hashes hundreds of passwords.
    from argon2 import PasswordHasher

    from dispatch.auth.passwords import use_hasher

    use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": SharedBytecode()}
    share_route_builders()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        default=os.environ.get("DISPATCH_TEST_DB", "sqlite"),
        choices=["sqlite", "postgresql"],
        help="database backend for the suite",
    )


def pytest_report_header(config: pytest.Config) -> str:
    return f"database backend: {config.getoption('--db')}"


@pytest.fixture(scope="session")
def backend(pytestconfig: pytest.Config) -> str:
    return str(pytestconfig.getoption("--db"))


@pytest.fixture(scope="session")
def postgres(backend: str) -> Iterator[TempPostgres | None]:
    if backend != "postgresql":
        yield None
        return
    server = TempPostgres().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[TempS3]:
    """A real S3 server (SeaweedFS) for the whole run, started the first time a test asks."""
    server = TempS3().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[TempRedis]:
    """A real Redis (the limiter's shared store) for the whole run, started when first asked."""
    server = TempRedis().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_url(redis_server: TempRedis) -> str:
    """The Redis URL, emptied for this test (counters of earlier tests do not leak in)."""
    redis_server.flush()
    return redis_server.url()


_db_counter = itertools.count()


@pytest.fixture(scope="session")
def new_database_url(
    backend: str, postgres: TempPostgres | None, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[], str]:
    """Factory for empty databases on the backend under test."""

    def make() -> str:
        n = next(_db_counter)
        if postgres is not None:
            return postgres.create_database(f"test_{n}")
        path = tmp_path_factory.mktemp("db") / f"test_{n}.db"
        return f"sqlite:///{path}"

    return make


def suite_settings(instance_path: Path, database_url: str) -> Settings:
    """The settings of the suite's apps."""
    return Settings(
        env="development",
        instance_path=instance_path,
        database_url=database_url,
        secret_key=TEST_SECRET,
        testing=True,
        # The suite logs in hundreds of times from one address; one test turns it back on.
        ratelimit_enabled=False,
    )


def migrate(url: str) -> Engine:
    from alembic import command

    engine = make_engine(url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(connection=conn), "head")
    return engine


@pytest.fixture(scope="session")
def plain_engine(new_database_url: Callable[[], str]) -> Iterator[Engine]:
    """The migrated database of the tests that do not ask for the world."""
    eng = migrate(new_database_url())
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def world_database(
    new_database_url: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Engine, WorldIds]]:
    """A migrated database with the world built once (through the services, in an app of
    its own) and committed, and the ids of its rows, for the tests that ask for it.

    Building it anew in every test's transaction cost 0.075 s a test (SQLite: the suite
    took 9:01 instead of 8:11 on two workers); each test still rolls back what it changes.
    """
    url = new_database_url()
    eng = migrate(url)
    settings = suite_settings(tmp_path_factory.mktemp("world") / "instance", url)
    factory = sessionmaker(bind=eng, expire_on_commit=False)
    builder = create_app(settings, database=Database(eng, factory), clock=FakeClock())
    with builder.app_context(), factory() as session:
        ids = world_ids(build_world(session))
        session.commit()
    yield eng, ids
    eng.dispose()


@pytest.fixture
def engine(request: pytest.FixtureRequest, plain_engine: Engine) -> Engine:
    """The test's database: the one with the world when the test asks for the world (by
    itself or through another fixture), else the plain one."""
    if "world" in request.fixturenames:
        found: tuple[Engine, WorldIds] = request.getfixturevalue("world_database")
        return found[0]
    return plain_engine


@pytest.fixture
def session_factory(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """Sessions on one connection inside a transaction rolled back after the test.

    Commits made by the app become savepoint releases, so each test sees a clean database.
    """
    conn = engine.connect()
    trans = conn.begin()
    factory = sessionmaker(
        bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        yield factory
    finally:
        trans.rollback()
        conn.close()


@pytest.fixture
def db(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """The test's own session (for setting up data and checking results)."""
    session = session_factory()
    try:
        yield session
    finally:
        session.close()


class FakeClock:
    """A clock the tests move by hand."""

    def __init__(self, start: dt.datetime = START) -> None:
        self.current = start

    def __call__(self) -> dt.datetime:
        return self.current

    def advance(self, **kwargs: float) -> None:
        self.current += dt.timedelta(**kwargs)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(tmp_path: Path, engine: Engine) -> Settings:
    return suite_settings(tmp_path / "instance", engine.url.render_as_string(hide_password=False))


@pytest.fixture
def app(
    settings: Settings, engine: Engine, session_factory: sessionmaker[Session], clock: FakeClock
) -> Flask:
    return create_app(settings, database=Database(engine, session_factory), clock=clock)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def world(db: Session, world_database: tuple[Engine, WorldIds]) -> World:
    """Two districts of one city, an enterprise in each, a user for every role, and a
    second city out of scope for the first (see ``tests.factories.World``), in the test's
    session: already in its database (``world_database``)."""
    return load_world(db, world_database[1])


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token rendered on the page at ``path`` (as a browser would get it)."""
    page = client.get(path)
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match, f"no csrf_token on {path} (status {page.status_code})"
    return match.group(1)


def post_form(client: FlaskClient, path: str, data: dict, *, token_from: str | None = None, **kw):  # type: ignore[no-untyped-def]
    """POST a form the way the browser does: with the token of the page that shows it."""
    payload = {"csrf_token": csrf_token(client, token_from or path), **data}
    return client.post(path, data=payload, **kw)


def login(client: FlaskClient, username: str, password: str):  # type: ignore[no-untyped-def]
    return post_form(client, "/login", {"username": username, "password": password})


@pytest.fixture
def login_as(client: FlaskClient, world: World) -> Callable[[str], FlaskClient]:
    """Sign the test client in as the world's user of the given key (e.g. "city")."""

    def do(key: str) -> FlaskClient:
        user = world.users[key]
        response = login(client, user.username, world.password)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return do

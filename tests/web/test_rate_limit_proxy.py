"""The login limiter behind the bureau's reverse proxy: it keys on the real client, so one
client's burst of bad logins does not lock everyone else out, a forged X-Forwarded-For
counts for nothing, and the audit log records the client's address (issue 12, point 4).

In these requests the test client's connecting address is the proxy's, and the proxy's
``X-Forwarded-For`` names the client, as nginx's ``$proxy_add_x_forwarded_for`` does.
"""

from __future__ import annotations

import dataclasses

from flask import Flask, request
from flask.testing import FlaskClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from dispatch.app import create_app
from dispatch.config import Settings
from dispatch.db import Database
from models import AuditEvent, AuditOutcome
from tests.conftest import FakeClock, post_form
from tests.factories import World
from tests.redis_server import TempRedis

PROXY = "10.0.0.2"
ATTACKER = "203.0.113.7"
COLLEAGUE = "198.51.100.20"


def limited_app(
    settings: Settings,
    engine: Engine,
    session_factory: sessionmaker[Session],
    clock: FakeClock,
    **changes: object,
) -> Flask:
    """The app with the login limiter on: three login POSTs per hour and address."""
    limited = dataclasses.replace(
        settings, ratelimit_enabled=True, login_rate_limit="3 per hour", **changes
    )
    return create_app(limited, database=Database(engine, session_factory), clock=clock)


def connected_from(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def sign_in(client: FlaskClient, username: str, password: str, forwarded_for: str = ""):  # type: ignore[no-untyped-def]
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    form = {"username": username, "password": password}
    return post_form(client, "/login", form, headers=headers)


def bad_login(client: FlaskClient, forwarded_for: str = "") -> int:
    return sign_in(client, "nobody", "Wrong-pass1", forwarded_for).status_code  # type: ignore[no-any-return]


def failed_login_addresses(db: Session) -> list[str]:
    events = db.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "auth.login", AuditEvent.actor_username == "nobody")
        .order_by(AuditEvent.id)
    )
    return [e.remote_addr for e in events if e.outcome is AuditOutcome.FAILURE]


def successful_login_addresses(db: Session, username: str) -> list[str]:
    events = db.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "auth.login",
            AuditEvent.actor_username == username,
            AuditEvent.outcome == AuditOutcome.SUCCESS,
        )
    )
    return [e.remote_addr for e in events]


def test_behind_one_proxy_a_burst_from_one_client_does_not_block_another(
    settings, engine, session_factory, clock, world: World, db: Session
):
    app = limited_app(settings, engine, session_factory, clock, trusted_proxies=1)
    attacker, colleague = connected_from(app, PROXY), connected_from(app, PROXY)
    admin = world.users["admin"]

    assert [bad_login(attacker, ATTACKER) for _ in range(4)] == [200, 200, 200, 429]
    # The bug of issue 12: every request came from the proxy, so this login got 429.
    signed_in = sign_in(colleague, admin.username, world.password, COLLEAGUE)
    assert signed_in.status_code == 302
    assert colleague.get("/").status_code == 200
    # The attacker's own address stays blocked, whatever account it tries.
    blocked = sign_in(attacker, admin.username, world.password, ATTACKER)
    assert blocked.status_code == 429

    # The audit log names the clients, not the proxy; the refused POST never reached it.
    assert failed_login_addresses(db) == [ATTACKER] * 3
    assert successful_login_addresses(db, admin.username) == [COLLEAGUE]


def test_behind_one_proxy_only_the_entry_it_appended_is_believed(
    settings, engine, session_factory, clock, world: World, db: Session
):
    """A client that sends its own X-Forwarded-For cannot pose as someone new each time:
    the proxy appends the real address, and only that last entry is trusted."""
    app = limited_app(settings, engine, session_factory, clock, trusted_proxies=1)
    attacker = connected_from(app, PROXY)
    statuses = [bad_login(attacker, f"192.0.2.{n}, {ATTACKER}") for n in range(1, 5)]
    assert statuses == [200, 200, 200, 429]
    assert failed_login_addresses(db) == [ATTACKER] * 3


def test_without_trusted_proxies_a_forged_forwarded_for_is_ignored(
    settings, engine, session_factory, clock, world: World, db: Session
):
    assert settings.trusted_proxies == 0  # the default
    app = limited_app(settings, engine, session_factory, clock)
    attacker = connected_from(app, ATTACKER)
    statuses = [bad_login(attacker, f"192.0.2.{n}") for n in range(1, 5)]
    assert statuses == [200, 200, 200, 429]
    assert failed_login_addresses(db) == [ATTACKER] * 3
    # Another address is not affected by the attacker's burst.
    other = connected_from(app, COLLEAGUE)
    admin = world.users["admin"]
    assert sign_in(other, admin.username, world.password).status_code == 302
    assert successful_login_addresses(db, admin.username) == [COLLEAGUE]


def _echo_app(settings: Settings, engine, session_factory, clock, proxies: int) -> Flask:
    app = limited_app(settings, engine, session_factory, clock, trusted_proxies=proxies)

    @app.route("/_whoami")
    def _whoami():  # type: ignore[no-untyped-def]
        return f"{request.scheme} {request.remote_addr}"

    return app


def test_the_trusted_proxy_tells_the_scheme_and_the_client(
    settings, engine, session_factory, clock
):
    forwarded = {"X-Forwarded-For": ATTACKER, "X-Forwarded-Proto": "https"}
    behind = connected_from(_echo_app(settings, engine, session_factory, clock, 1), PROXY)
    assert behind.get("/_whoami", headers=forwarded).get_data(as_text=True) == f"https {ATTACKER}"
    direct = connected_from(_echo_app(settings, engine, session_factory, clock, 0), PROXY)
    assert direct.get("/_whoami", headers=forwarded).get_data(as_text=True) == f"http {PROXY}"


def test_in_redis_the_counter_is_the_clients(
    settings,
    engine,
    session_factory,
    clock,
    world: World,
    db: Session,
    redis_url: str,
    redis_server: TempRedis,
):
    app = limited_app(
        settings, engine, session_factory, clock,
        trusted_proxies=1, ratelimit_storage_uri=redis_url,
    )  # fmt: skip
    attacker, colleague = connected_from(app, PROXY), connected_from(app, PROXY)
    assert [bad_login(attacker, ATTACKER) for _ in range(4)] == [200, 200, 200, 429]
    admin = world.users["admin"]
    signed_in = sign_in(colleague, admin.username, world.password, COLLEAGUE)
    assert signed_in.status_code == 302

    with redis_server.client() as conn:
        keys = sorted(k.decode() for k in conn.keys("*"))
        counts = {k: int(conn.get(k) or 0) for k in keys}
    # One counter per client, under this app's prefix; none for the proxy.
    assert len(keys) == 2, keys
    attacker_key = next(k for k in keys if ATTACKER in k)
    colleague_key = next(k for k in keys if COLLEAGUE in k)
    assert all("dispatch" in k and "login" in k and PROXY not in k for k in keys)
    assert counts[attacker_key] >= 4 and counts[colleague_key] == 1
    assert failed_login_addresses(db) == [ATTACKER] * 3

"""The categories of the auditor's filter: the SQL filter and the label in the export agree,
every action the app records is filed as expected, and the page filters by category and by
address."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch import audit
from dispatch.auditlog.categories import BY_KEY, CATEGORIES, EXPORTS, SECURITY
from models import AuditEvent
from tests.conftest import FakeClock
from tests.factories import World

# Every action name the app records today (and the ones issue 12 adds under known prefixes).
SECURITY_ACTIONS = [
    "auth.login", "auth.logout", "auth.lockout", "auth.password_change",
    "admin.user.create", "admin.user.update", "admin.user.role_change", "admin.user.disable",
    "admin.user.enable", "admin.user.reset_password", "security.user.unlock",
    "auth.totp.enrol", "security.totp_reset", "audit.export", "audit.archive",
]  # fmt: skip
EXPORT_ACTIONS = [
    "project.export", "progress.export", "progress.fill_download", "evidence.download",
    "evidence.preview", "evidence.archive_download", "evidence.archive_export", "audit.export",
]  # fmt: skip
NEITHER = [
    "project.create", "project.approve", "report.submit", "round.open", "evidence.upload",
    "evidence.review", "admin.region.create", "admin.enterprise.import", "progress.import",
    "evidence.reconcile", "xauth.login", "auth_login", "projectexport.x",
]  # fmt: skip
ALL = sorted(set(SECURITY_ACTIONS + EXPORT_ACTIONS + NEITHER))


def test_security_and_export_membership() -> None:
    assert [a for a in ALL if SECURITY.matches(a)] == sorted(SECURITY_ACTIONS)
    assert [a for a in ALL if EXPORTS.matches(a)] == sorted(EXPORT_ACTIONS)


@pytest.fixture
def every_action(app: Flask, db: Session, clock: FakeClock) -> dict[str, int]:
    with app.app_context():
        ids = {a: audit.record(db, audit.Acting(None, clock.current), a).id for a in ALL}
        db.commit()
    return ids


@pytest.mark.parametrize("category", [c.key for c in CATEGORIES])
def test_sql_filter_agrees_with_the_label(
    db: Session, every_action: dict[str, int], category: str
) -> None:
    """What the page filters (SQL) is what the export labels (Python), action by action."""
    condition = BY_KEY[category].condition()
    found = set(db.scalars(select(AuditEvent.action).where(condition)))
    assert found & set(ALL) == {a for a in ALL if BY_KEY[category].matches(a)}


def test_like_wildcards_in_names_are_literal(app: Flask, db: Session, clock: FakeClock) -> None:
    """``auth_`` does not match ``auth.`` (an underscore is a LIKE wildcard unless escaped)."""
    with app.app_context():
        event = audit.record(db, audit.Acting(None, clock.current), "auth_x")
        db.commit()
    matched = db.scalars(select(AuditEvent.id).where(SECURITY.condition()))
    assert event.id not in set(matched)


ROW_ID = re.compile(r"<tr>\s*<td>(\d+)</td>")


def listed(client: FlaskClient, query: str) -> set[int]:
    response = client.get(f"/audit/events{query}")
    assert response.status_code == 200
    return {int(i) for i in ROW_ID.findall(response.get_data(as_text=True))}


def test_page_filters_by_category(
    login_as: Callable[[str], FlaskClient], world: World, every_action: dict[str, int]
) -> None:
    client = login_as("auditor")
    shown = listed(client, "?category=export")
    assert {every_action[a] for a in EXPORT_ACTIONS} <= shown
    assert not {every_action[a] for a in NEITHER} & shown
    assert "安全事件" in client.get("/audit/events").get_data(as_text=True)


def test_page_filters_by_address_prefix(
    app: Flask, db: Session, clock: FakeClock, login_as: Callable[[str], FlaskClient]
) -> None:
    with app.app_context():
        ids = {
            addr: audit.record(db, audit.Acting(None, clock.current, addr), "auth.login").id
            for addr in ("10.2.0.7", "10.20.0.7", "192.0.2.1")
        }
        db.commit()
    client = login_as("auditor")
    assert listed(client, "?remote_addr=10.2.") == {ids["10.2.0.7"]}
    assert listed(client, "?remote_addr=10.2") == {ids["10.2.0.7"], ids["10.20.0.7"]}
    assert listed(client, "?remote_addr=%25") == set()

"""Security events are in the audit log (等保 level 3): sign-ins and their failures with the
address and the name tried, lockouts, logouts, password changes, account and role changes,
and every export and download; each is filed under its category, so the auditor's
"安全事件" and "导出与下载" filters find exactly them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.audit import Acting
from dispatch.auditlog.categories import EXPORTS, SECURITY
from dispatch.auth.services import UNLOCK_ACTION, unlock
from dispatch.orgs import accounts
from dispatch.storage.current import current_storage
from models import AuditEvent, AuditOutcome, ReportStatus, Role
from tests.conftest import FakeClock, csrf_token, login, post_form
from tests.evidence.states import evidence_at
from tests.factories import World
from tests.rounds.states import report_at

ADDRESS = "198.51.100.7"
FROM_ADDRESS = {"environ_base": {"REMOTE_ADDR": ADDRESS}}


def events_since(db: Session, after: int, action: str | None = None) -> list[AuditEvent]:
    db.expire_all()
    stmt = select(AuditEvent).where(AuditEvent.id > after).order_by(AuditEvent.id)
    if action is not None:
        stmt = stmt.where(AuditEvent.action == action)
    return list(db.scalars(stmt))


def last_id(db: Session) -> int:
    return db.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) or 0


def sign_in(client: FlaskClient, username: str, password: str) -> int:
    response = post_form(
        client, "/login", {"username": username, "password": password}, **FROM_ADDRESS
    )
    return response.status_code


def test_sign_in_success_and_failures_name_the_account_tried_and_the_address(
    client: FlaskClient, db: Session, world: World
) -> None:
    start = last_id(db)
    city = world.users["city"]
    assert sign_in(client, "nobody_here", "whatever-1") == 200
    assert sign_in(client, city.username, "wrong-password") == 200
    assert sign_in(client, city.username, world.password) == 302

    unknown, wrong, good = events_since(db, start, "auth.login")
    assert (unknown.outcome, unknown.actor_id, unknown.actor_username) == (
        AuditOutcome.FAILURE,
        None,
        "nobody_here",
    )
    assert unknown.details["reason"] == "unknown_user"
    assert (wrong.outcome, wrong.actor_id, wrong.actor_username) == (
        AuditOutcome.FAILURE,
        city.id,
        city.username,
    )
    assert wrong.details == {"reason": "bad_password", "failed_logins": 1}
    assert (good.outcome, good.actor_id, good.object_id) == (
        AuditOutcome.SUCCESS,
        city.id,
        str(city.id),
    )
    for event in (unknown, wrong, good):
        assert event.remote_addr == ADDRESS
    # No password, right or wrong, is ever written to the log.
    for event in events_since(db, start):
        assert world.password not in str(event.details)
        assert "wrong-password" not in str(event.details)


def test_lockout_is_recorded_when_applied_and_a_locked_sign_in_is_denied(
    client: FlaskClient, db: Session, world: World
) -> None:
    start = last_id(db)
    target = world.users["district_a"]
    for _ in range(5):
        assert sign_in(client, target.username, "wrong-password") == 200
    (lockout,) = events_since(db, start, "auth.lockout")
    assert (lockout.actor_id, lockout.object_type, lockout.object_id) == (
        target.id,
        "user",
        str(target.id),
    )
    assert lockout.remote_addr == ADDRESS
    db.refresh(target)
    assert target.locked_until is not None
    assert lockout.details["locked_until"] == target.locked_until.isoformat()
    # Even the right password is refused now, and that is recorded as denied.
    assert sign_in(client, target.username, world.password) == 200
    denied = events_since(db, lockout.id, "auth.login")
    assert [(e.outcome, e.details["reason"]) for e in denied] == [(AuditOutcome.DENIED, "locked")]


def test_an_unlock_by_the_security_officer_is_a_security_event(
    app: Flask, client: FlaskClient, db: Session, world: World, clock: FakeClock
) -> None:
    target = world.users["district_a"]
    for _ in range(5):
        sign_in(client, target.username, "wrong-password")
    start = last_id(db)
    db.refresh(target)
    with app.app_context():
        unlock(db, Acting(world.users["security"], clock.current, "10.0.0.9"), target)
        db.commit()
    (event,) = events_since(db, start)
    assert (event.action, event.actor_id, event.object_id, event.remote_addr) == (
        UNLOCK_ACTION,
        world.users["security"].id,
        str(target.id),
        "10.0.0.9",
    )
    assert SECURITY.matches(event.action)


def test_logout_and_password_change_are_recorded(
    client: FlaskClient, db: Session, world: World, login_as: Callable[[str], FlaskClient]
) -> None:
    client = login_as("city")
    start = last_id(db)
    new_password = "Another#Pass2025x"
    response = post_form(
        client,
        "/account/password",
        {
            "current_password": world.password,
            "new_password": new_password,
            "confirm_password": new_password,
        },
    )
    assert response.status_code == 302
    changed = events_since(db, start, "auth.password_change")
    assert [e.actor_id for e in changed] == [world.users["city"].id]
    token = csrf_token(client, "/account/password")
    client.post("/logout", data={"csrf_token": token})
    (logout,) = events_since(db, start, "auth.logout")
    assert logout.actor_id == world.users["city"].id


def test_account_and_role_changes_are_recorded_with_old_and_new_role(
    app: Flask, db: Session, world: World, clock: FakeClock
) -> None:
    admin = Acting(world.users["admin"], clock.current, "10.0.0.5")
    target = world.users["district_a"]
    start = last_id(db)
    with app.app_context():
        created = accounts.create_user(
            db,
            admin,
            username="new_clerk",
            display_name="新职员",
            role=Role.DISTRICT,
            password="Clerk#2025pass",
            region=world.district_b,
        )
        accounts.update_user(
            db,
            admin,
            target,
            display_name=target.display_name,
            phone="",
            role=Role.CITY,
            region=world.city,
            enterprise=None,
        )
        accounts.disable_user(db, admin, created)
        accounts.enable_user(db, admin, created)
        accounts.reset_password(db, admin, created, "Reset#2025pass")
        db.commit()
    recorded = events_since(db, start)
    assert [e.action for e in recorded] == [
        "admin.user.create",
        "admin.user.update",
        "admin.user.role_change",
        "admin.user.disable",
        "admin.user.enable",
        "admin.user.reset_password",
    ]
    role_change = recorded[2]
    assert role_change.details == {"username": target.username, "from": "district", "to": "city"}
    assert role_change.object_id == str(target.id)
    assert recorded[0].details["role"] == "district"
    assert recorded[1].details["changes"]["role"] == ["district", "city"]
    for event in recorded:
        assert (event.actor_id, event.remote_addr) == (world.users["admin"].id, "10.0.0.5")
        assert SECURITY.matches(event.action), event.action


def test_an_edit_that_keeps_the_role_records_no_role_change(
    app: Flask, db: Session, world: World, clock: FakeClock
) -> None:
    target = world.users["district_a"]
    start = last_id(db)
    with app.app_context():
        accounts.update_user(
            db,
            Acting(world.users["admin"], clock.current),
            target,
            display_name="改个名字",
            phone="",
            role=Role.DISTRICT,
            region=world.district_a,
            enterprise=None,
        )
        db.commit()
    assert [e.action for e in events_since(db, start)] == ["admin.user.update"]


def test_security_filter_lists_the_security_events_and_nothing_else(
    client: FlaskClient, db: Session, world: World, login_as: Callable[[str], FlaskClient]
) -> None:
    start = last_id(db)
    sign_in(client, "nobody_here", "x")
    sign_in(client, world.users["city"].username, "wrong-password")
    client = login_as("auditor")
    page = client.get("/audit/events?category=security").get_data(as_text=True)
    for event in events_since(db, start):
        if SECURITY.matches(event.action):
            assert f"<td>{event.id}</td>" in page
    # The world's set-up (regions, enterprises) is not a security event; its accounts are.
    db.expire_all()
    regions = db.scalars(select(AuditEvent.id).where(AuditEvent.action == "admin.region.create"))
    for event_id in regions:
        assert f"<td>{event_id}</td>" not in page
    users = db.scalars(select(AuditEvent.id).where(AuditEvent.action == "admin.user.create"))
    for event_id in users:
        assert f"<td>{event_id}</td>" in page


# --- exports and downloads ---------------------------------------------------------------

DOWNLOADS = {
    # action: (user, url template)
    "project.export": ("city", "/projects/export.xlsx?year=2025&status=all"),
    "progress.export": ("city", "/rounds/{round}/progress.xlsx"),
    "progress.fill_download": ("district_a", "/rounds/{round}/fill.xlsx"),
    "evidence.download": ("city", "/evidence/files/{evidence}/download"),
    "evidence.preview": ("city", "/evidence/files/{evidence}/preview"),
    "evidence.archive_download": ("city", "/evidence/archive.zip?all=1"),
    "audit.export": ("auditor", "/audit/events.xlsx?category=security"),
}


@pytest.fixture
def downloadable(app: Flask, db: Session, world: World) -> dict[str, int]:
    with app.app_context():
        report = report_at(db, world, ReportStatus.PENDING)
        ev = evidence_at(db, world, current_storage())
    return {"round": report.round_id, "evidence": ev.id}


@pytest.mark.parametrize("action", list(DOWNLOADS))
def test_every_export_and_download_is_recorded(
    action: str,
    app: Flask,
    db: Session,
    world: World,
    downloadable: dict[str, int],
    login_as: Callable[[str], FlaskClient],
) -> None:
    key, url = DOWNLOADS[action]
    client = login_as(key)
    start = last_id(db)
    response = client.get(url.format(**downloadable), **FROM_ADDRESS)
    assert response.status_code == 200, response.status
    assert len(response.get_data()) > 0
    response.close()
    (event,) = events_since(db, start, action)
    assert (event.actor_id, event.remote_addr) == (world.users[key].id, ADDRESS)
    assert event.outcome == AuditOutcome.SUCCESS
    assert EXPORTS.matches(action)
    # The auditor finds it under 导出与下载.
    auditor = app.test_client()
    assert login(auditor, world.users["auditor"].username, world.password).status_code == 302
    page = auditor.get("/audit/events?category=export").get_data(as_text=True)
    assert f"<td>{event.id}</td>" in page


def test_export_category_leaves_out_what_is_no_export(
    db: Session, world: World, login_as: Callable[[str], FlaskClient]
) -> None:
    page = login_as("auditor").get("/audit/events?category=export").get_data(as_text=True)
    assert "没有符合条件的记录" in page  # the world's set-up and sign-ins are not exports

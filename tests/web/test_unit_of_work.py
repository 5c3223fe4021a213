"""The unit of work: one commit, refusals shown, stale versions and taken keys mapped to
Chinese messages with the user's input kept, anything else rolled back and re-raised; and
the acting user, time and address reaching the audit log through the explicit path."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask, get_flashed_messages
from sqlalchemy import event, func, insert, select, text, update
from sqlalchemy.orm import Session

from dispatch import audit
from dispatch.audit import Acting
from dispatch.web import uow
from forms.admin import RegionCreateForm
from models import AuditEvent, Project, ProjectEvent, Region, RegionKind, Role, User, UserSession
from tests.conftest import FakeClock, post_form
from tests.factories import World
from tests.projects.helpers import make_project
from tests.projects.test_project_forms import A1_FORM

NEW_A1 = "/projects/new?type=A1&method=flue_gas"


def _region_count(db: Session, code: str) -> int:
    return db.scalar(select(func.count()).where(Region.division_code == code)) or 0


# --- run() on its own ---------------------------------------------------------------------


def test_success_commits_once_and_returns_the_value(app: Flask, db: Session, world: World):
    with app.test_request_context(method="POST"):
        outcome = uow.run(
            lambda s: (
                s.execute(
                    update(Region).where(Region.id == world.district_b.id).values(name="乙新区")
                ).rowcount
            )
        )
    assert outcome.ok and outcome.value == 1
    db.expire_all()
    assert db.get(Region, world.district_b.id).name == "乙新区"


def test_a_taken_unique_key_becomes_a_message_on_its_field(app: Flask, db: Session, world: World):
    """The service checked the code was free; a concurrent insert took it before ours."""

    def work(session: Session) -> None:
        session.add(
            Region(
                name="重复区",
                division_code=world.district_a.division_code,
                kind=RegionKind.DISTRICT,
                parent_id=world.city.id,
                path="/",
            )
        )
        session.flush()

    with app.test_request_context(method="POST", data={"name": "重复区"}):
        form = RegionCreateForm(parents=[])
        outcome = uow.run(work, form=form)
        assert not outcome.ok and outcome.value is None
        assert outcome.refusal == uow.Refusal("该行政区划代码已存在", field="division_code")
        assert form.division_code.errors == ["该行政区划代码已存在"]
        assert form.name.data == "重复区"  # what was typed stays
        assert get_flashed_messages() == []
    assert db.scalar(select(func.count()).where(Region.name == "重复区")) == 0


def test_another_integrity_error_gets_the_general_message(app: Flask, db: Session, world: World):
    def work(session: Session) -> None:
        # A parent that does not exist: a foreign key, not a unique key.
        session.execute(
            insert(Region).values(
                name="无上级区",
                division_code="990177",
                kind=RegionKind.DISTRICT,
                parent_id=987654,
                path="/",
            )
        )

    with app.test_request_context(method="POST"):
        outcome = uow.run(work)
        assert outcome.refusal == uow.Refusal(uow.GENERIC_CONFLICT.message)
        assert get_flashed_messages(with_categories=True) == [
            ("danger", uow.GENERIC_CONFLICT.message)
        ]
    assert _region_count(db, "990177") == 0


def test_anything_else_is_rolled_back_and_raised(app: Flask, db: Session, world: World):
    def work(session: Session) -> None:
        session.execute(update(Region).where(Region.id == world.district_b.id).values(name="半途"))
        raise RuntimeError("boom")

    with app.test_request_context(method="POST"), pytest.raises(RuntimeError, match="boom"):
        uow.run(work)
    db.expire_all()
    assert db.get(Region, world.district_b.id).name == "乙区"


def test_a_refusal_naming_no_field_of_the_form_is_flashed(app: Flask, db: Session, world: World):
    from dispatch.errors import DomainError

    def work(session: Session) -> None:
        session.execute(update(Region).where(Region.id == world.district_b.id).values(name="半途"))
        raise DomainError("不能这样做", field="no_such_field")

    with app.test_request_context(method="POST"):
        form = RegionCreateForm(parents=[])
        outcome = uow.run(work, form=form)
        assert outcome.refusal == uow.Refusal("不能这样做", field="no_such_field")
        assert get_flashed_messages(with_categories=True) == [("danger", "不能这样做")]
    db.expire_all()
    assert db.get(Region, world.district_b.id).name == "乙区"


# --- stale versions -----------------------------------------------------------------------


def test_a_row_changed_under_the_update_is_stale_and_the_form_keeps_the_input(
    app: Flask, db: Session, world: World, login_as, client
):
    """The page's version matches the loaded project, but another writer bumps the row's
    version_id just before our UPDATE: SQLAlchemy's StaleDataError, not the service check."""
    with app.app_context():
        project = make_project(db, world)
    login_as("district_a")
    page = f"/projects/{project.id}/edit"
    data = dict(
        A1_FORM,
        name=project.name,
        district_id=str(world.district_a.id),
        enterprise_id=str(world.enterprise_a.id),
        version=str(project.version_id),
        contact_name="我刚输入的联系人",
    )

    def other_writer(_mapper, connection, target) -> None:  # type: ignore[no-untyped-def]
        connection.execute(
            text("UPDATE projects SET version_id = version_id + 1 WHERE id = :id"),
            {"id": target.id},
        )

    event.listen(Project, "before_update", other_writer, once=True)
    try:
        response = post_form(client, page, data)
    finally:
        if event.contains(Project, "before_update", other_writer):
            event.remove(Project, "before_update", other_writer)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "已被他人修改，请刷新后重试" in body
    assert 'value="我刚输入的联系人"' in body
    db.refresh(project)
    assert project.contact_name == "张工"
    updates = select(func.count()).where(
        ProjectEvent.project_id == project.id, ProjectEvent.action == "update"
    )
    assert db.scalar(updates) == 0


# --- integrity errors through a view --------------------------------------------------------


def test_a_username_taken_between_check_and_insert_is_a_message_on_the_field(
    db: Session, world: World, login_as
):
    client = login_as("admin")

    def rival(_mapper, connection, target) -> None:  # type: ignore[no-untyped-def]
        # Another admin's request inserts the same username first (same transaction here;
        # the unique key refuses ours exactly as it would across connections).
        connection.execute(
            insert(User).values(
                username=target.username,
                display_name="他人创建",
                role=Role.DISTRICT,
                region_id=world.district_b.id,
                region_kind=RegionKind.DISTRICT.value,
                password_hash="x",
            )
        )

    event.listen(User, "before_insert", rival, once=True)
    try:
        response = post_form(
            client,
            "/admin/users/new",
            {
                "username": "wang_wu",
                "display_name": "王五",
                "phone": "",
                "role": "district",
                "region_id": str(world.district_a.id),
                "enterprise_uscc": "",
                "password": "Strong@2025pw",
                "confirm_password": "Strong@2025pw",
            },
        )
    finally:
        if event.contains(User, "before_insert", rival):
            event.remove(User, "before_insert", rival)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "该用户名已被使用" in page
    assert 'value="wang_wu"' in page and 'value="王五"' in page
    assert db.scalar(select(func.count()).where(User.username == "wang_wu")) == 0
    created = select(func.count()).where(AuditEvent.action == "admin.user.create")
    assert db.scalar(created.where(AuditEvent.details["username"].as_string() == "wang_wu")) == 0


# --- who, when, from where -------------------------------------------------------------------


def test_record_takes_time_and_address_from_acting_not_from_the_request(
    app: Flask, db: Session, world: World, clock: FakeClock
):
    at = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        event_ = audit.record(db, Acting(world.users["city"], at, "192.0.2.1"), "probe.acting")
    assert (event_.remote_addr, event_.occurred_at) == ("192.0.2.1", at)
    assert event_.actor_id == world.users["city"].id
    assert clock.current != at


def test_acting_is_built_once_per_request_from_user_clock_and_address(
    app: Flask, world: World, clock: FakeClock
):
    with app.test_request_context(environ_base={"REMOTE_ADDR": "198.51.100.4"}):
        first = uow.acting()
        clock.advance(seconds=30)
        assert uow.acting() is first
        assert first == Acting(None, clock.current - dt.timedelta(seconds=30), "198.51.100.4")


def test_a_create_is_audited_with_the_requests_address_and_the_test_clocks_time(
    db: Session, world: World, login_as, clock: FakeClock
):
    client = login_as("district_a")
    clock.advance(minutes=7)
    form = dict(
        A1_FORM, district_id=str(world.district_a.id), enterprise_id=str(world.enterprise_a.id)
    )
    response = post_form(client, NEW_A1, form, environ_base={"REMOTE_ADDR": "198.51.100.23"})
    assert response.status_code == 302, response.get_data(as_text=True)
    project = db.scalar(select(Project).where(Project.name == A1_FORM["name"]))
    created = db.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "project.create", AuditEvent.object_id == str(project.id)
        )
    )
    assert created.remote_addr == "198.51.100.23"
    assert created.occurred_at == clock.current
    assert created.actor_id == world.users["district_a"].id
    history = db.scalar(select(ProjectEvent).where(ProjectEvent.project_id == project.id))
    assert history.occurred_at == clock.current == project.created_at


def test_login_records_the_address_and_time_of_the_request(
    client, db: Session, world: World, clock: FakeClock
):
    clock.advance(hours=2)
    response = post_form(
        client,
        "/login",
        {"username": "dist_a", "password": world.password},
        environ_base={"REMOTE_ADDR": "192.0.2.44"},
    )
    assert response.status_code == 302
    login = db.scalar(
        select(AuditEvent).where(AuditEvent.action == "auth.login").order_by(AuditEvent.id.desc())
    )
    assert (login.remote_addr, login.occurred_at) == ("192.0.2.44", clock.current)
    assert login.actor_id == world.users["district_a"].id
    row = db.scalar(select(UserSession).where(UserSession.user_id == world.users["district_a"].id))
    assert (row.remote_addr, row.created_at) == ("192.0.2.44", clock.current)


def test_a_generated_code_taken_in_the_meantime_is_drawn_again(db: Session, world: World, login_as):
    """The first attempt's code is taken just before its insert; the rerun draws a free one."""
    client = login_as("district_a")
    attempts: list[str] = []

    def rival(_mapper, connection, target) -> None:  # type: ignore[no-untyped-def]
        attempts.append(target.code)
        if len(attempts) == 1:
            values = {
                c.key: getattr(target, c.key)
                for c in Project.__table__.columns
                if c.key != "id" and getattr(target, c.key, None) is not None
            }
            connection.execute(insert(Project).values({**values, "name": "抢先的项目"}))

    event.listen(Project, "before_insert", rival)
    try:
        form = dict(
            A1_FORM, district_id=str(world.district_a.id), enterprise_id=str(world.enterprise_a.id)
        )
        response = post_form(client, NEW_A1, form)
    finally:
        event.remove(Project, "before_insert", rival)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert attempts == ["990101-2025-A1-001", "990101-2025-A1-001"]
    # The rival's row went with the failed attempt (same transaction here): ours is 001.
    assert list(db.scalars(select(Project.name))) == [A1_FORM["name"]]

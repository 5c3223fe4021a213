"""Simultaneous saves against a committed database (each request on its own connection):
two creates racing for the same generated project code, and an edit overtaken by another.

The per-test transaction of the other tests cannot show a race (everything shares one
connection), so each test here migrates its own database and commits for real.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, event, select, update
from sqlalchemy.orm import Session

from dispatch.app import create_app
from dispatch.audit import Acting, verify_chain
from dispatch.core.catalog import get_catalog
from dispatch.db import Database, get_session
from dispatch.projects import services
from dispatch.projects.data import validate_project
from dispatch.web import uow
from models import Enterprise, Project, Region, User
from tests.conftest import FakeClock, login, migrate, post_form, suite_settings
from tests.factories import PASSWORD, build_world
from tests.projects.helpers import TODAY, project_input
from tests.projects.test_project_forms import A1_FORM

NEW_A1 = "/projects/new?type=A1&method=flue_gas"
CODE_PREFIX = "990101-2025-A1-"


class Committed:
    """An app on its own migrated database, with the test world committed."""

    def __init__(self, app: Flask, engine: Engine, ids: dict[str, int]) -> None:
        self.app, self.engine, self.ids = app, engine, ids

    def client_as(self, username: str) -> FlaskClient:
        client = self.app.test_client()
        assert login(client, username, PASSWORD).status_code == 302
        return client

    def form(self, **overrides: str) -> dict[str, str]:
        data = dict(
            A1_FORM,
            district_id=str(self.ids["district_a"]),
            enterprise_id=str(self.ids["enterprise_a"]),
        )
        data.update(overrides)
        return data

    def create_rival(self, name: str) -> str:
        """Another district user's create, on its own connection, committed; its code."""
        with Session(self.engine) as other:
            world = types.SimpleNamespace(
                district_a=other.get(Region, self.ids["district_a"]),
                enterprise_a=other.get(Enterprise, self.ids["enterprise_a"]),
            )
            clean, errors = validate_project(
                get_catalog(), project_input(world, name=name), today=TODAY
            )
            assert clean is not None, errors
            acting = Acting(other.get(User, self.ids["dist_a"]), dt.datetime.now(dt.UTC))
            project = services.create_project(other, acting, clean)
            other.commit()
            return project.code

    def projects(self) -> dict[str, str]:
        """Name → code of every project in the database."""
        with Session(self.engine) as s:
            return {name: code for name, code in s.execute(select(Project.name, Project.code))}


@pytest.fixture
def committed(new_database_url: Callable[[], str], tmp_path: Path) -> Iterator[Committed]:
    url = new_database_url()
    engine = migrate(url)
    settings = suite_settings(tmp_path / "instance", url)
    app = create_app(settings, database=Database(engine), clock=FakeClock())
    with app.app_context():
        session = get_session()
        world = build_world(session)
        session.commit()
        ids = {
            "district_a": world.district_a.id,
            "enterprise_a": world.enterprise_a.id,
            "dist_a": world.users["district_a"].id,
        }
    try:
        yield Committed(app, engine, ids)
    finally:
        engine.dispose()


def _before_insert(listener: Callable[..., None]) -> Callable[[], None]:
    """Run ``listener`` just before a Project row is inserted (after its code was chosen)."""
    event.listen(Project, "before_insert", listener)
    return lambda: event.remove(Project, "before_insert", listener)


def test_a_code_taken_by_a_simultaneous_create_is_drawn_again(committed: Committed) -> None:
    client = committed.client_as("dist_a")
    rival_codes: list[str] = []

    def rival(_mapper: Any, _connection: Any, target: Project) -> None:
        # Once: the other request commits the same code after ours chose it.
        if not rival_codes and target.name == A1_FORM["name"]:
            rival_codes.append(committed.create_rival("对手项目"))

    remove = _before_insert(rival)
    try:
        response = post_form(client, NEW_A1, committed.form())
    finally:
        remove()
    assert response.status_code == 302, response.get_data(as_text=True)
    assert rival_codes == [CODE_PREFIX + "001"]
    assert committed.projects() == {
        "对手项目": CODE_PREFIX + "001",
        A1_FORM["name"]: CODE_PREFIX + "002",
    }
    with Session(committed.engine) as s:
        assert verify_chain(s).ok


def test_when_every_attempt_loses_the_user_gets_a_chinese_message(committed: Committed) -> None:
    if committed.engine.dialect.name == "sqlite":
        pytest.skip("on SQLite a rerun holds the write lock first: no one can take its code")
    client = committed.client_as("dist_a")
    names = (f"对手项目{i}" for i in itertools.count(1))

    def rival(_mapper: Any, _connection: Any, target: Project) -> None:
        if target.name == A1_FORM["name"]:
            committed.create_rival(next(names))

    remove = _before_insert(rival)
    try:
        response = post_form(client, NEW_A1, committed.form(contact_name="我输入的联系人"))
    finally:
        remove()
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert uow.CONFLICTS["uq_projects_code"].message in page
    assert 'value="我输入的联系人"' in page
    stored = committed.projects()
    assert A1_FORM["name"] not in stored
    assert sorted(stored.values()) == [CODE_PREFIX + f"{n:03d}" for n in range(1, uow.ATTEMPTS + 1)]


def test_two_creates_at_the_same_moment_both_succeed_with_distinct_codes(
    committed: Committed,
) -> None:
    """Two requests on two threads both choose 001 before either inserts."""
    clients = [committed.client_as("dist_a"), committed.client_as("dist_a")]
    names = ["同时创建的项目甲", "同时创建的项目乙"]
    both_chose = threading.Barrier(2, timeout=30)
    waited: set[str] = set()

    def hold(_mapper: Any, _connection: Any, target: Project) -> None:
        if target.name in names and target.name not in waited:
            waited.add(target.name)
            assert target.code == CODE_PREFIX + "001"
            both_chose.wait()

    responses: dict[str, Any] = {}

    def create(client: FlaskClient, name: str) -> None:
        responses[name] = post_form(client, NEW_A1, committed.form(name=name))

    remove = _before_insert(hold)
    try:
        threads = [
            threading.Thread(target=create, args=pair) for pair in zip(clients, names, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        remove()
    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(names, 302)
    stored = committed.projects()
    assert sorted(stored[name] for name in names) == [CODE_PREFIX + "001", CODE_PREFIX + "002"]
    with Session(committed.engine) as s:
        assert verify_chain(s).ok


def test_an_edit_overtaken_by_a_committed_edit_keeps_the_users_input(
    committed: Committed,
) -> None:
    client = committed.client_as("dist_a")
    assert post_form(client, NEW_A1, committed.form()).status_code == 302
    with Session(committed.engine) as s:
        project = s.scalar(select(Project).where(Project.name == A1_FORM["name"]))
        assert project is not None
        project_id, version = project.id, project.version_id
    page = f"/projects/{project_id}/edit"
    data = committed.form(version=str(version), contact_name="我刚输入的联系人")

    def other_editor(_mapper: Any, _connection: Any, target: Project) -> None:
        # Another user saves the same project, committed, just before our UPDATE.
        with Session(committed.engine) as other:
            other.execute(
                update(Project)
                .where(Project.id == target.id)
                .values(contact_name="他人先保存", version_id=Project.version_id + 1)
            )
            other.commit()

    event.listen(Project, "before_update", other_editor, once=True)
    try:
        response = post_form(client, page, data)
    finally:
        if event.contains(Project, "before_update", other_editor):
            event.remove(Project, "before_update", other_editor)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "已被他人修改，请刷新后重试" in body
    assert 'value="我刚输入的联系人"' in body
    with Session(committed.engine) as s:
        stored = s.get(Project, project_id)
        assert stored is not None
        assert (stored.contact_name, stored.version_id) == ("他人先保存", version + 1)

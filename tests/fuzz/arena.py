"""Where every fuzz example runs: isolated, with the route's objects set up and signed in.

An :class:`Arena` is the test's app and world plus what the checks need: an approved
project of the export year (so the export has something to write) and a city user of its
own, signed in once, who exports after every example. No fuzzed route acts on either.

Each example runs inside a savepoint of the test's connection (:meth:`Arena.isolated`),
rolled back at its end, so examples are independent however many run in one test: the
app's commits release savepoints nested inside it. The objects a route acts on are set
up per example from its access-matrix row (:meth:`Arena.set_up`), through the services,
in a session of their own; the world's users sign in through the login page.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
from collections.abc import Iterator
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from dispatch.audit import Acting
from dispatch.demo.orgs import demo_uscc
from dispatch.projects import services
from dispatch.storage.current import current_storage
from models import (
    Enterprise,
    EvidenceStatus,
    PlanStatus,
    ReductionConfirmation,
    Region,
    ReportStatus,
    Role,
    User,
)
from tests.access.cases import (
    ACTORS,
    CR,
    DISABLED,
    LOCKED,
    OFFICER,
    TOTP_ACTOR,
    TOTP_PENDING,
    TOTP_USER,
    WORLD_KEY,
    Row,
)
from tests.auth.totp_helpers import enrol, sign_in_with_code
from tests.conftest import START, login
from tests.evidence.states import evidence_at
from tests.factories import World, make_user
from tests.projects.helpers import NOW, make_project
from tests.reductions.states import SETUPS as ACCOUNTING_SETUPS
from tests.rounds.states import report_at

# Few examples per route, the same on every run (CI is deterministic), no example
# database; the fixtures are per test and each example isolates itself.
# DISPATCH_FUZZ_EXAMPLES=200 digs deeper by hand (still derandomised).
FUZZ = settings(
    max_examples=int(os.environ.get("DISPATCH_FUZZ_EXAMPLES", "8")),
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=False,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

BASELINE_NAME = "基线项目：导出检查"
EXPORT_YEAR = 2025
EXPORTER = "fuzz_exporter"
SPARE = "fuzz_spare"
PASSWORD = "Fuzz@2025!pw"
NEW_PASSWORD = "Fuzz@2025!new"

# POST routes whose form is on another page than their own URL.
PAGE_OF = {
    "auth.logout": "/",
    "projects.submit": "/projects/{project}",
    "projects.approve": "/projects/{project}",
    "projects.return_": "/projects/{project}",
    "projects.withdraw": "/projects/{project}",
    "projects.withdrawal_request": "/projects/{project}",
    "projects.decide": "/projects/{project}",
    "admin.user_reset_password": "/admin/users/{user}/edit",
    "admin.user_disable": "/admin/users/{user}/edit",
    "admin.user_enable": "/admin/users/{user}/edit",
    "security.unlock": "/security/accounts/{user}",
    "security.reset_two_factor": "/security/accounts/{user}",
    "auth.regenerate_recovery_codes": "/account",
    "rounds.submit_report": "/rounds/reports/{report}",
    "rounds.submit_complete": "/rounds/{round}/grid",
    "rounds.set_deadlines": "/rounds/{round}",
    "rounds.close": "/rounds/{round}",
    "rounds.approve_report": "/rounds/reports/{report}",
    "rounds.return_report": "/rounds/reports/{report}",
    "evidence.upload": "/evidence/projects/{project}",
    "evidence.replace": "/evidence/projects/{project}",
    "evidence.pre_review": "/evidence/projects/{project}",
    "evidence.review": "/evidence/projects/{project}",
    "reductions.confirm": "/reductions/projects/{project}",
}


@dataclasses.dataclass
class Objects:
    """What one example's route acts on (ids, read back by the URL and the checks)."""

    project_id: int | None = None
    request_id: int | None = None
    user_id: int | None = None
    round_id: int | None = None
    report_id: int | None = None
    evidence_id: int | None = None
    confirmation_id: int | None = None  # the accounting setups' latest version


@dataclasses.dataclass
class Arena:
    app: Flask
    world: World
    session_factory: sessionmaker[Session]
    exporter: FlaskClient
    # The row's two-factor setup, for :meth:`signed_in` (set by :meth:`set_up`).
    two_factor_setup: str | None = None

    @classmethod
    def build(
        cls, app: Flask, db: Session, world: World, session_factory: sessionmaker[Session]
    ) -> Arena:
        with app.app_context():
            make_project(db, world, status=PlanStatus.APPROVED, name=BASELINE_NAME)
            make_user(db, Role.CITY, region=world.city, username=EXPORTER, password=PASSWORD)
            db.commit()
        exporter = app.test_client()
        assert login(exporter, EXPORTER, PASSWORD).status_code == 302
        return cls(app, world, session_factory, exporter)

    @contextlib.contextmanager
    def isolated(self) -> Iterator[None]:
        """Everything inside is rolled back at the end (a savepoint of the connection)."""
        savepoint = self.session_factory.kw["bind"].begin_nested()
        try:
            yield
        finally:
            if savepoint.is_active:
                savepoint.rollback()

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        session = self.session_factory()
        try:
            yield session
        finally:
            session.close()

    def _rebind(self, session: Session) -> World:
        """The world's objects loaded in ``session`` (the fixture's session stays out)."""
        values: dict[str, Any] = {}
        for field in dataclasses.fields(World):
            value = getattr(self.world, field.name)
            if isinstance(value, Region | Enterprise):
                values[field.name] = session.get(type(value), value.id)
            elif field.name == "users":
                values[field.name] = {k: session.get(User, u.id) for k, u in value.items()}
            else:
                values[field.name] = value
        return World(**values)

    def set_up(self, row: Row) -> Objects:
        """The row's objects: a project at the row's status, a pending change request, or
        a spare user (never a world user: the examples sign in as those)."""
        found = Objects()
        self.two_factor_setup = row.setup if row.setup in (TOTP_PENDING, TOTP_ACTOR) else None
        with self.app.app_context(), self.session() as session:
            local = self._rebind(session)
            if isinstance(row.setup, PlanStatus):
                found.project_id = make_project(session, local, status=row.setup).id
            elif isinstance(row.setup, ReportStatus):
                report = report_at(session, local, row.setup)
                found.project_id, found.report_id = report.project_id, report.id
                found.round_id = report.round_id
            elif isinstance(row.setup, EvidenceStatus):
                ev = evidence_at(session, local, current_storage(), row.setup)
                found.project_id, found.evidence_id = ev.project_id, ev.id
            elif row.setup in ACCOUNTING_SETUPS:
                found.project_id = ACCOUNTING_SETUPS[row.setup](session, local).id
                found.confirmation_id = session.scalar(
                    select(func.max(ReductionConfirmation.id)).where(
                        ReductionConfirmation.project_id == found.project_id
                    )
                )
            elif row.setup == CR:
                project = make_project(session, local, status=PlanStatus.APPROVED)
                district = Acting(local.users["district_a"], at=NOW)
                request_ = services.request_change(
                    session, district, project, None, "企业关停", version=project.version_id
                )
                session.commit()
                found.project_id, found.request_id = project.id, request_.id
            if "{user}" in row.path:
                if row.setup == OFFICER:
                    spare = make_user(session, Role.SECURITY, region=local.city, username=SPARE)
                else:
                    spare = make_user(
                        session, Role.DISTRICT, region=local.district_b, username=SPARE
                    )
                spare.is_active = row.setup != DISABLED
                if row.setup == LOCKED:
                    spare.locked_until = START + dt.timedelta(minutes=15)
                session.commit()
                found.user_id = spare.id
            if row.setup in (TOTP_USER, TOTP_PENDING):
                if found.user_id is None:
                    spare = make_user(
                        session, Role.DISTRICT, region=local.district_b, username=SPARE
                    )
                    found.user_id = spare.id
                enrol(session, session.get(User, found.user_id), START)
        return found

    def url(self, template: str, found: Objects) -> str:
        return template.format(
            project=found.project_id,
            cr=found.request_id,
            user=found.user_id,
            district_a=self.world.district_a.id,
            enterprise_a=self.world.enterprise_a.id,
            round=found.round_id,
            report=found.report_id,
            evidence=found.evidence_id,
            confirmation=found.confirmation_id,
        )

    def signed_in(self, actor: str) -> FlaskClient:
        """A fresh browser, signed in as the world's user of ``actor`` (or anonymous)."""
        client = self.app.test_client()
        if actor != "anon" and self.two_factor_setup == TOTP_ACTOR:
            with self.app.app_context(), self.session() as session:
                user = session.get(User, self.world.users[WORLD_KEY[actor]].id)
                secret, _codes = enrol(session, user, START)
            response = sign_in_with_code(client, user.username, self.world.password, secret, START)
            assert response.status_code == 302, f"{actor} could not sign in with a code"
        elif actor != "anon":
            user = self.world.users[WORLD_KEY[actor]]
            response = login(client, user.username, self.world.password)
            assert response.status_code == 302, f"{actor} could not sign in"
        elif self.two_factor_setup == TOTP_PENDING:
            response = login(client, SPARE, self.world.password)
            assert response.headers["Location"] == "/login/two-factor"
        return client

    def ids(self) -> tuple[str, ...]:
        """Ids of objects that exist, in and out of every actor's scope."""
        found = {
            getattr(self.world, f.name).id
            for f in dataclasses.fields(World)
            if isinstance(getattr(self.world, f.name), Region | Enterprise)
        }
        found |= {u.id for u in self.world.users.values()}
        return tuple(str(i) for i in sorted(found))

    def good_values(self, endpoint: str) -> dict[str, str]:
        """Values that pass, for fields a page leaves empty: a hostile value in one field
        then meets a form that is otherwise valid, and reaches the services' checks."""
        world = self.world
        common = {
            "reason": "模糊测试原因",
            "name": "模糊测试项目",
            "plan_year": str(EXPORT_YEAR),
            "owner_unit": "模糊测试单位",
            "site_address": "甲区测试路 2 号",
            "longitude": "117.1",
            "latitude": "36.6",
            "planned_start": "2025-03-01",
            "planned_completion": "2025-10-31",
            "total_investment": "1200",
            "env_investment": "900",
            "contact_name": "张工",
            "contact_phone": "0531-88888888",
            "district_id": str(world.district_a.id),
        }
        passwords = {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
        special = {
            "auth.login": {
                "username": world.users["district_a"].username,
                "password": world.password,
            },
            "auth.change_password": {"current_password": world.password, **passwords},
            "admin.user_reset_password": passwords,
            "admin.user_new": {
                "username": "fuzz_new_user",
                "display_name": "模糊测试用户",
                "phone": "13812345678",
                "role": Role.DISTRICT.value,
                "region_id": str(world.district_b.id),
                "password": PASSWORD,
                "confirm_password": PASSWORD,
            },
            "admin.region_new": {
                "name": "模糊测试区",
                "division_code": "990109",
                "kind": "district",
                "parent_id": str(world.city.id),
            },
            "admin.enterprise_new": {
                "name": "模糊测试化工有限公司",
                "uscc": demo_uscc(world.district_a.division_code, 990),
                "address": "甲区测试路 9 号",
                "industry": "化工",
            },
        }
        return {**common, **special.get(endpoint, {})}


def allowed_actors(row: Row) -> list[str]:
    """The actors the access matrix lets use the route (the login form: only anonymous)."""
    if row.codes["anon"] == 200:
        return ["anon"]
    return [a for a in ACTORS if a != "anon" and row.codes[a] != 404]


def baseline(
    values: dict[str, str], fields: dict[str, Any], good: dict[str, str]
) -> dict[str, str]:
    """The page's own values, with empty ones made good (a select: only to an option)."""
    values = dict(values)
    for name, field in fields.items():
        wanted = good.get(name)
        if wanted is None or name == "csrf_token" or values.get(name):
            continue
        if field.kind != "select" or wanted in field.options:
            values[name] = wanted
    return values

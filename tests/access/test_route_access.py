"""The route inventory and the access matrix (``tests.access.matrix``), run against the app.

``test_every_route_has_a_row`` walks ``app.url_map``: a route added without a row fails
the suite. ``test_access_matrix`` runs every row as every actor and checks the status code
and what the request left in the database.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch.audit import Acting
from dispatch.storage.current import current_storage
from models import (
    Base,
    ChangeRequest,
    ChangeRequestStatus,
    EvidenceFile,
    EvidenceStatus,
    PlanStatus,
    ProgressReport,
    Project,
    ReductionConfirmation,
    ReportStatus,
    Role,
    User,
)
from tests.access.cases import (
    ACTORS,
    CR,
    DISABLED,
    FILES,
    FORM_DATA,
    LOCKED,
    OFFICER,
    TOTP_ACTOR,
    TOTP_PENDING,
    TOTP_USER,
    WORLD_KEY,
    Row,
)
from tests.access.matrix import MATRIX
from tests.auth.totp_helpers import enrol, sign_in_with_code
from tests.conftest import START, csrf_token, login
from tests.evidence.states import evidence_at
from tests.factories import World, make_user
from tests.projects.helpers import NOW, make_project
from tests.reductions.states import SETUPS as ACCOUNTING_SETUPS
from tests.rounds.states import report_at

IGNORED_METHODS = {"HEAD", "OPTIONS"}
# The audit trail records refusals too; the matrix judges every other table.
NOT_FINGERPRINTED = {"audit_events"}


def _routes(app: Flask) -> set[tuple[str, str, str]]:
    return {
        (rule.endpoint, method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - IGNORED_METHODS
    }


def test_every_route_has_a_row(app):
    covered = {(row.endpoint, row.method) for row in MATRIX}
    missing = sorted(
        f"route {method} {rule} ({endpoint}) has no row in the access matrix"
        for endpoint, method, rule in _routes(app)
        if (endpoint, method) not in covered
    )
    assert not missing, "\n".join(missing)


def test_every_row_is_a_route(app):
    routes = {(endpoint, method) for endpoint, method, _rule in _routes(app)}
    stale = sorted(
        f"{row.endpoint} {row.method}" for row in MATRIX if (row.endpoint, row.method) not in routes
    )
    assert not stale, f"matrix rows for routes that no longer exist: {stale}"


def fingerprint(db: Session) -> dict[str, list[Any]]:
    """Every row of every table but the audit log, to prove that a request changed nothing."""
    db.expire_all()
    return {
        table.name: [tuple(r) for r in db.execute(select(table).order_by(*table.primary_key))]
        for table in Base.metadata.sorted_tables
        if table.name not in NOT_FINGERPRINTED
    }


class Case:
    """The objects one matrix case acts on, re-read from the database on every question."""

    def __init__(self, db: Session, world: World, client: FlaskClient) -> None:
        self.db, self.world, self.client = db, world, client
        self.project_id: int | None = None
        self.request_id: int | None = None
        self.user_id = world.users["city"].id
        self.report_id: int | None = None
        self.round_id: int | None = None
        self.evidence_id: int | None = None
        self.confirmation_id: int | None = None  # the accounting setups' latest version

    def project(self) -> Project:
        self.db.expire_all()
        project = self.db.get(Project, self.project_id)
        assert project is not None
        return project

    def report(self) -> ProgressReport:
        self.db.expire_all()
        report = self.db.get(ProgressReport, self.report_id)
        assert report is not None
        return report

    def change_request(self) -> ChangeRequest:
        self.db.expire_all()
        request_ = self.db.get(ChangeRequest, self.request_id)
        assert request_ is not None
        return request_

    def pending_requests(self) -> int:
        return len(
            self.db.scalars(
                select(ChangeRequest).where(
                    ChangeRequest.project_id == self.project_id,
                    ChangeRequest.status == ChangeRequestStatus.PENDING,
                )
            ).all()
        )

    def target_user(self) -> User:
        self.db.expire_all()
        user = self.db.get(User, self.user_id)
        assert user is not None
        return user

    def logged_out(self) -> bool:
        response = self.client.get("/")
        return response.status_code == 302 and response.headers["Location"].startswith("/login")


def _set_up(app: Flask, db: Session, world: World, case: Case, setup: Any) -> None:
    from dispatch.projects import services

    with app.app_context():
        if isinstance(setup, PlanStatus):
            case.project_id = make_project(db, world, status=setup).id
        elif isinstance(setup, ReportStatus):
            report = report_at(db, world, setup)
            case.project_id, case.report_id = report.project_id, report.id
            case.round_id = report.round_id
        elif isinstance(setup, EvidenceStatus):
            ev = evidence_at(db, world, current_storage(), setup)
            case.project_id, case.evidence_id = ev.project_id, ev.id
        elif setup in ACCOUNTING_SETUPS:
            case.project_id = ACCOUNTING_SETUPS[setup](db, world).id
            case.confirmation_id = db.scalar(
                select(func.max(ReductionConfirmation.id)).where(
                    ReductionConfirmation.project_id == case.project_id
                )
            )
        elif setup == CR:
            project = make_project(db, world, status=PlanStatus.APPROVED)
            district = Acting(world.users["district_a"], at=NOW)
            request_ = services.request_change(
                db, district, project, None, "企业关停", version=project.version_id
            )
            db.commit()
            case.project_id, case.request_id = project.id, request_.id
        elif setup == DISABLED:
            spare = make_user(db, Role.DISTRICT, region=world.district_b, username="spare")
            spare.is_active = False
            db.commit()
            case.user_id = spare.id
        elif setup == LOCKED:
            spare = make_user(db, Role.DISTRICT, region=world.district_b, username="spare")
            spare.locked_until = START + dt.timedelta(minutes=15)
            db.commit()
            case.user_id = spare.id
        elif setup in (TOTP_USER, TOTP_PENDING):
            spare = make_user(db, Role.DISTRICT, region=world.district_b, username="spare")
            enrol(db, spare, START)
            case.user_id = spare.id
        elif setup == OFFICER:
            spare = make_user(db, Role.SECURITY, region=world.city, username="spare_officer")
            db.commit()
            case.user_id = spare.id


def _url(row: Row, world: World, case: Case) -> str:
    return row.path.format(
        project=case.project_id,
        cr=case.request_id,
        user=case.user_id,
        district_a=world.district_a.id,
        enterprise_a=world.enterprise_a.id,
        round=case.round_id,
        report=case.report_id,
        evidence=case.evidence_id,
        confirmation=case.confirmation_id,
    )


CASES = [
    pytest.param(row, actor, row.codes[actor], id=f"{row.id} {actor}")
    for row in MATRIX
    for actor in ACTORS
]


@pytest.mark.parametrize(("row", "actor", "expected"), CASES)
def test_access_matrix(app, db, world, client, row: Row, actor: str, expected: int):
    case = Case(db, world, client)
    _set_up(app, db, world, case, row.setup)
    url = _url(row, world, case)
    # The row's path must reach the row's endpoint, or the case tests some other route.
    endpoint, _args = app.url_map.bind("localhost").match(url.split("?")[0], method=row.method)
    assert endpoint == row.endpoint

    if actor != "anon" and row.setup == TOTP_ACTOR:
        user = world.users[WORLD_KEY[actor]]
        with app.app_context():
            secret, _codes = enrol(db, user, START)
        signed_in = sign_in_with_code(client, user.username, world.password, secret, START)
        assert signed_in.status_code == 302
    elif actor != "anon":
        user = world.users[WORLD_KEY[actor]]
        assert login(client, user.username, world.password).status_code == 302
    elif row.setup == TOTP_PENDING:
        # The spare account's password step: its second step is due.
        assert login(client, "spare", world.password).headers["Location"] == "/login/two-factor"
    data: dict[str, Any] = {}
    if row.method == "POST":
        # A valid token, so that the answer comes from the view's guard and not from CSRF.
        data["csrf_token"] = csrf_token(client, "/login" if actor == "anon" else "/")
        if case.project_id is not None:
            versioned: Any = case.report() if case.report_id is not None else case.project()
            if case.evidence_id is not None:
                versioned = db.get(EvidenceFile, case.evidence_id)
            version = str(versioned.version_id)
            data |= {"reason": "理由", "version": version}
            for name, value in FORM_DATA.get(row.endpoint, {}).items():
                data[name.format(report=case.report_id)] = value.format(
                    report=case.report_id, version=version
                )
        for name, (filename, body) in FILES.get(row.endpoint, {}).items():
            data[name] = (io.BytesIO(body), filename)
    before = fingerprint(db)

    response = client.open(url, method=row.method, data=data or None)
    response.close()

    assert response.status_code == expected, response.status
    if actor == "anon" and expected == 302:
        assert response.headers["Location"].startswith("/login")
    if row.effect is not None and actor != "anon" and expected != 404:
        # Both: the database changed, and in the way the row says (a refused action that
        # redirects like a successful one fails the first).
        assert fingerprint(db) != before, f"{row.id} as {actor} changed nothing"
        assert row.effect(case), f"{row.id} as {actor}: the write did not take effect"
    else:
        assert fingerprint(db) == before, f"{row.id} as {actor} changed the database"

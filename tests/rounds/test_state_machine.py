"""Every report action from every state by every role, against workflow.md written out by
hand (not read from the transition table, so the table itself is under test)."""

from __future__ import annotations

import itertools

import pytest

from dispatch.access import (
    can_approve_report,
    can_fill_report,
    can_return_report,
    can_submit_report,
)
from dispatch.audit import Acting
from dispatch.errors import DomainError
from dispatch.rounds import services
from dispatch.rounds.data import validate_report
from models import ReportStatus
from tests.conftest import START
from tests.rounds.helpers import values

S = ReportStatus
OPEN_STATES = {S.PENDING, S.ENTERPRISE_FILLED, S.RETURNED}
# (role key, action) → states it is allowed from (workflow.md, "Who may do what").
ALLOWED = {
    ("enterprise_a", "fill"): {S.PENDING, S.ENTERPRISE_FILLED},  # until the district submits
    ("district_a", "fill"): OPEN_STATES,
    ("district_a", "submit"): OPEN_STATES,
    ("city", "fill"): OPEN_STATES,
    ("city", "submit"): OPEN_STATES,
    ("city", "approve"): {S.SUBMITTED},
    ("city", "return"): {S.SUBMITTED},
}
ROLES = ("enterprise_a", "district_a", "city", "admin", "auditor")
ACTIONS = ("fill", "submit", "approve", "return")
PREDICATES = {
    "fill": can_fill_report,
    "submit": can_submit_report,
    "approve": can_approve_report,
    "return": can_return_report,
}


def _act(db, report, user, action) -> None:  # type: ignore[no-untyped-def]
    acting = Acting(user, START)
    if action == "fill":
        clean, errors = validate_report(values(), project=report.project, today=START.date())
        assert clean is not None, errors
        services.fill(db, acting, report, clean, version=report.version_id)
    elif action == "submit":
        services.submit(db, acting, report, version=report.version_id)
    elif action == "approve":
        services.approve(db, acting, report, version=report.version_id)
    else:
        services.return_report(db, acting, report, "请补充说明", version=report.version_id)


@pytest.mark.parametrize(
    ("role", "action", "state"), list(itertools.product(ROLES, ACTIONS, list(ReportStatus)))
)
def test_report_transition(rounds, db, app, role, action, state) -> None:
    report = rounds.report(db, "ent")  # enterprise A's project in 甲区
    report.status = state
    report.description = "已有进展说明"  # complete, so submit is decided by the rules
    db.flush()
    user = rounds.world.users[role]
    expected = state in ALLOWED.get((role, action), set())
    with app.app_context():
        assert PREDICATES[action](user, report) is expected
        if expected:
            _act(db, report, user, action)
            if action == "fill" and role == "enterprise_a":
                assert report.status == S.ENTERPRISE_FILLED
            elif action == "fill":
                assert report.status == state
            else:
                target = {"submit": S.SUBMITTED, "approve": S.APPROVED, "return": S.RETURNED}
                assert report.status == target[action]
        else:
            with pytest.raises(DomainError):
                _act(db, report, user, action)
            assert report.status == state


@pytest.mark.parametrize("action", ["fill", "submit", "return"])
def test_a_closed_round_takes_no_more_filling_submitting_or_returning(
    rounds, db, app, action
) -> None:
    report = rounds.report(db, "pub")
    report.status = S.SUBMITTED if action == "return" else S.PENDING
    report.description = "已有进展说明"
    with app.app_context():
        services.close_round(
            db,
            Acting(rounds.world.users["city"], START),
            rounds.round,
            version=rounds.round.version_id,
        )
        user = rounds.world.users["city"]
        assert PREDICATES[action](user, report) is False
        with pytest.raises(DomainError, match="已关闭"):
            _act(db, report, user, action)


def test_a_closed_round_can_still_be_reviewed(rounds, db, app) -> None:
    report = rounds.report(db, "pub")
    report.status = S.SUBMITTED
    report.description = "已有进展说明"
    city = rounds.world.users["city"]
    with app.app_context():
        services.close_round(db, Acting(city, START), rounds.round, version=rounds.round.version_id)
        _act(db, report, city, "approve")
    assert report.status == S.APPROVED

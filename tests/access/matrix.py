"""The access matrix as data: every route × every actor → expected status and effect.

One row per (endpoint, method, object state). ``codes`` lists the expected HTTP status for
each actor in ``ACTORS`` order:

  ent_a   the enterprise that owns the project      ent_b   another enterprise
  dist_a  the project's district (in scope)         dist_b  another district of the city
  city    the project's city                        other   the city user of another city
  admin, security, auditor: the three officers      anon    not logged in
                            (三员: system, security, audit)

The project under test is in district A and owned by enterprise A, created at the row's
plan status (``setup``). 404 means the route or the object is invisible to that actor
(never 403, so ids cannot be probed); an anonymous 302 goes to the login page.

``effect`` is what an admitted write leaves in the database, checked for every actor whose
code is not 404; every other actor, and every admitted request without an effect, must
leave the database exactly as it was. A refusal therefore cannot pass as a success.

Add a row whenever a route is added: ``test_every_route_has_a_row`` fails until you do.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from dispatch.evidence import samples
from models import (
    ChangeRequestStatus,
    DispatchRound,
    EvidenceFile,
    EvidenceStatus,
    PlanStatus,
    ReductionConfirmation,
    ReportStatus,
    RoundStatus,
)

ACTORS = (
    "ent_a", "ent_b", "dist_a", "dist_b", "city", "other", "admin", "security", "auditor", "anon",
)  # fmt: skip
WORLD_KEY = {
    "ent_a": "enterprise_a",
    "ent_b": "enterprise_b",
    "dist_a": "district_a",
    "dist_b": "district_b",
    "city": "city",
    "other": "other_city",
    "admin": "admin",
    "security": "security",
    "auditor": "auditor",
}

D, S, A = PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.APPROVED
CR = "change_request"  # setup: an approved project with a pending withdrawal request
DISABLED = "disabled_user"  # setup: {user} is a disabled account (not one of the actors)
LOCKED = "locked_user"  # setup: {user} is an active account locked by failed logins
OFFICER = "officer_user"  # setup: {user} is a security officer's account (not an actor)
# Two-factor setups: {user} is an account (not an actor) enrolled in two-factor; for
# TOTP_PENDING the anonymous actor has also passed its password step (the second step is
# due); TOTP_ACTOR: the actor's own account is enrolled and signed in with a code.
TOTP_USER, TOTP_PENDING, TOTP_ACTOR = "totp_user", "totp_pending", "totp_actor"
# Setup by report state: an approved project (district A, enterprise A) whose report in the
# open 2025-05 round is at that state (tests.rounds.states.report_at); paths may use
# {round}, {report} and {project}.
RP, RE, RS = ReportStatus.PENDING, ReportStatus.ENTERPRISE_FILLED, ReportStatus.SUBMITTED
RR, RA = ReportStatus.RETURNED, ReportStatus.APPROVED
# Setup by evidence state: an approved project (district A, enterprise A) with one PDF that
# enterprise A filed against G03, judged to that state (tests.evidence.states.evidence_at);
# paths may use {evidence} and {project}.
EV, EV_OK = EvidenceStatus.UPLOADED, EvidenceStatus.ACCEPTED
# Setup for accounting (tests.reductions.states.SETUPS): an approved project of district A
# (enterprise A) in stable operation with a complete archive, without or with the
# district's 2025 draft of actual parameters (version 1).
STABLE, DRAFTED = "accounting_stable", "accounting_draft"
# … and with that draft confirmed by the city (close-out possible: tests/reductions).
CONFIRMED = "accounting_confirmed"


@dataclasses.dataclass(frozen=True)
class Row:
    endpoint: str
    method: str
    path: str  # {project}, {cr}, {user} (the city user), {district_a}, {enterprise_a},
    # {round}, {report}, {evidence}, {confirmation} (the accounting setups' latest version)
    setup: Any  # None, a PlanStatus, a ReportStatus, an EvidenceStatus, CR, DISABLED,
    # LOCKED, OFFICER or a two-factor setup (TOTP_USER, TOTP_PENDING, TOTP_ACTOR)
    codes: dict[str, int]
    effect: Callable[[Any], bool] | None = None

    @property
    def id(self) -> str:
        state = self.setup.value if isinstance(self.setup, PlanStatus) else self.setup
        if isinstance(self.setup, ReportStatus):
            state = f"report {self.setup.value}"
        if isinstance(self.setup, EvidenceStatus):
            state = f"evidence {self.setup.value}"
        return f"{self.method} {self.path}" + (f" [{state}]" if state else "")


def _status(expected: PlanStatus) -> Callable[[Any], bool]:
    return lambda c: c.project().plan_status == expected


def _report(expected: ReportStatus, **values: Any) -> Callable[[Any], bool]:
    def check(c: Any) -> bool:
        report = c.report()
        return report.status == expected and all(getattr(report, k) == v for k, v in values.items())

    return check


def _round(check: Callable[[DispatchRound], bool]) -> Callable[[Any], bool]:
    """The round under test, re-read, passes ``check``."""

    def effect(c: Any) -> bool:
        c.db.expire_all()
        return check(c.db.get(DispatchRound, c.round_id))

    return effect


def _rounds_opened(c: Any) -> bool:
    """The 2025-05 round of the actor's city was opened (one round in all: nothing else)."""
    c.db.expire_all()
    rounds = c.db.scalars(select(DispatchRound)).all()
    return len(rounds) == 1 and (rounds[0].year, rounds[0].month) == (2025, 5)


def _closed_keeping_reports(c: Any) -> bool:
    """The round is closed and the report under test is still pending (listed missing)."""
    closed = _round(lambda r: r.status == RoundStatus.CLOSED)(c)
    return closed and c.report().status == ReportStatus.PENDING


# What a browser's form posts besides the CSRF token, ``reason`` and ``version`` (the
# version of the evidence file or the report under test when there is one, else of the
# project), for the row's endpoint; {report} and {version} are filled in.
FORM_DATA: dict[str, dict[str, str]] = {
    "rounds.grid": {"r{report}.version": "{version}", "r{report}.description": "矩阵填报"},
    "rounds.submit_complete": {"versions": "{report}:{version}"},
    # A round's version is 1 until its deadlines change or it closes.
    "rounds.open_round": {"month": "2025-05"},
    "rounds.set_deadlines": {
        "version": "1",
        "enterprise_deadline": "2025-06-03T23:59",
        "district_deadline": "2025-06-08T23:59",
    },
    "rounds.close": {"version": "1"},
    "rounds.review": {
        "report_ids": "{report}",
        "versions": "{report}:{version}",
        "decision": "approve",
    },
    "evidence.pre_review": {"decision": "accept"},
    "evidence.review": {"decision": "accept"},
    # The district's actual parameters (worked example 2) and the city's 核定 of version 1.
    "reductions.enter": {
        "year": "2025",
        "draft_version": "0",
        "p_gas_flow": "500000",
        "p_nox_before": "150",
        "p_nox_after": "50",
        "p_hours": "7920",
    },
    "reductions.confirm": {"version": "1", "year": "2025"},
    "rounds.edit_report": {
        "construction_status": "under_construction",
        "percent_complete": "40",
        "investment_month": "10",
        "investment_cumulative": "100",
        "actual_start": "2025-03-10",
        "description": "矩阵填报",
    },
}


# Files a browser's form sends, for the row's endpoint: field → (file name, bytes).
FILES: dict[str, dict[str, tuple[str, bytes]]] = {
    "evidence.upload": {"files": ("矩阵上传.pdf", samples.pdf(["matrix"]))},
    "evidence.replace": {"file": ("矩阵新版本.pdf", samples.pdf(["matrix v2"]))},
}


def _evidence_files(c: Any) -> list[EvidenceFile]:
    c.db.expire_all()
    stmt = select(EvidenceFile).where(EvidenceFile.project_id == c.project_id)
    return list(c.db.scalars(stmt.order_by(EvidenceFile.id)))


def _uploaded(c: Any) -> bool:
    """One new file, filed against G03, waiting for review."""
    return [(e.item_code, e.file.original_name, e.status) for e in _evidence_files(c)] == [
        ("G03", "矩阵上传.pdf", EvidenceStatus.UPLOADED)
    ]


def _replaced(c: Any) -> bool:
    """The file under test kept as an old version, the new one current and linked to it."""
    old, *rest = _evidence_files(c)
    return (
        old.id == c.evidence_id
        and not old.current
        and [(e.file.original_name, e.current, e.replaces_id) for e in rest]
        == [("矩阵新版本.pdf", True, old.id)]
    )


def _evidence(**values: Any) -> Callable[[Any], bool]:
    def check(c: Any) -> bool:
        c.db.expire_all()
        ev = c.db.get(EvidenceFile, c.evidence_id)
        return all(getattr(ev, k) == v for k, v in values.items())

    return check


def _accounting(*statuses: str) -> Callable[[Any], bool]:
    """The project's accounting versions, oldest first, are at these statuses."""

    def check(c: Any) -> bool:
        c.db.expire_all()
        stmt = select(ReductionConfirmation.status).where(
            ReductionConfirmation.project_id == c.project_id
        )
        found = c.db.scalars(stmt.order_by(ReductionConfirmation.version)).all()
        return [s.value for s in found] == list(statuses)

    return check


def _decided(status: ChangeRequestStatus, plan: PlanStatus) -> Callable[[Any], bool]:
    return lambda c: c.change_request().status == status and c.project().plan_status == plan


_ROWS: list[tuple[Any, ...]] = [
    # endpoint, method, path, setup,
    #                 ent_a ent_b dist_a dist_b city other admin secur audit anon   effect
    ("home.index", "GET", "/", None,
                      200, 200, 200, 200, 200, 200, 200, 200, 200, 302, None),
    ("home.healthz", "GET", "/healthz", None,
                      200, 200, 200, 200, 200, 200, 200, 200, 200, 200, None),
    ("auth.login", "GET", "/login", None,
                      302, 302, 302, 302, 302, 302, 302, 302, 302, 200, None),
    ("auth.login", "POST", "/login", None,
                      302, 302, 302, 302, 302, 302, 302, 302, 302, 200, None),
    ("auth.logout", "POST", "/logout", None,
                      302, 302, 302, 302, 302, 302, 302, 302, 302, 302, lambda c: c.logged_out()),
    ("auth.change_password", "GET", "/account/password", None,
                      200, 200, 200, 200, 200, 200, 200, 200, 200, 302, None),
    ("auth.change_password", "POST", "/account/password", None,
                      200, 200, 200, 200, 200, 200, 200, 200, 200, 302, None),
    ("auditlog.events", "GET", "/audit/events", None,
                      404, 404, 404, 404, 404, 404, 404, 404, 200, 302, None),
    # The auditor's workbook of the filtered log (its own audit event: no other table).
    ("auditlog.export_events", "GET", "/audit/events.xlsx?category=security", None,
                      404, 404, 404, 404, 404, 404, 404, 404, 200, 302, None),
    # Everyone's own account page and sign-in history; everyone's sign-ins for the auditor.
    ("auth.account", "GET", "/account", None,
                      200, 200, 200, 200, 200, 200, 200, 200, 200, 302, None),
    ("auth.sign_ins", "GET", "/audit/sign-ins", None,
                      404, 404, 404, 404, 404, 404, 404, 404, 200, 302, None),
    # Two-factor. The second step: only after the password step (anonymous until it is
    # passed); a form without a code is shown again and changes nothing.
    ("auth.second_step", "GET", "/login/two-factor", TOTP_PENDING,
                      302, 302, 302, 302, 302, 302, 302, 302, 302, 200, None),
    ("auth.second_step", "POST", "/login/two-factor", TOTP_PENDING,
                      302, 302, 302, 302, 302, 302, 302, 302, 302, 200, None),
    ("auth.second_step", "GET", "/login/two-factor", None,
                      302, 302, 302, 302, 302, 302, 302, 302, 302, 302, None),
    # Anyone may enrol (the QR code page; no code posted: shown again).
    ("auth.totp_enrol", "GET", "/account/two-factor", None,
                      200, 200, 200, 200, 200, 200, 200, 200, 200, 302, None),
    ("auth.totp_enrol", "POST", "/account/two-factor", None,
                      200, 200, 200, 200, 200, 200, 200, 200, 200, 302, None),
    # Recovery codes are shown once, right after they are made; otherwise back to 我的账户.
    ("auth.recovery_codes", "GET", "/account/two-factor/recovery-codes", None,
                      302, 302, 302, 302, 302, 302, 302, 302, 302, 302, None),
    # New codes need a current code (none posted here: refused with a message).
    ("auth.regenerate_recovery_codes", "POST", "/account/two-factor/recovery-codes/new",
     TOTP_ACTOR,      302, 302, 302, 302, 302, 302, 302, 302, 302, 302, None),
    # --- plan list -----------------------------------------------------------------------
    ("projects.index", "GET", "/projects/", A,
                      200, 200, 200, 200, 200, 200, 404, 404, 404, 302, None),
    ("projects.show", "GET", "/projects/{project}", A,
                      200, 404, 200, 404, 200, 404, 404, 404, 404, 302, None),
    ("projects.show", "GET", "/projects/{project}", D,
                      404, 404, 200, 404, 200, 404, 404, 404, 404, 302, None),
    ("projects.new", "GET", "/projects/new", D,
                      404, 404, 200, 200, 200, 200, 404, 404, 404, 302, None),
    ("projects.new", "POST", "/projects/new", None,
                      404, 404, 200, 200, 200, 200, 404, 404, 404, 302, None),
    ("projects.edit", "GET", "/projects/{project}/edit", D,
                      404, 404, 200, 404, 200, 404, 404, 404, 404, 302, None),
    ("projects.edit", "POST", "/projects/{project}/edit", D,
                      404, 404, 200, 404, 200, 404, 404, 404, 404, 302, None),
    ("projects.submit", "POST", "/projects/{project}/submit", D,
                      404, 404, 302, 404, 302, 404, 404, 404, 404, 302, _status(S)),
    ("projects.review", "GET", "/projects/review", S,
                      404, 404, 404, 404, 200, 200, 404, 404, 404, 302, None),
    ("projects.approve", "POST", "/projects/{project}/approve", S,
                      404, 404, 404, 404, 302, 404, 404, 404, 404, 302, _status(A)),
    ("projects.return_", "POST", "/projects/{project}/return", S,
                      404, 404, 404, 404, 302, 404, 404, 404, 404, 302,
                      _status(PlanStatus.RETURNED)),
    ("projects.withdraw", "POST", "/projects/{project}/withdraw", A,
                      404, 404, 404, 404, 302, 404, 404, 404, 404, 302,
                      _status(PlanStatus.WITHDRAWN)),
    ("projects.withdrawal_request", "POST", "/projects/{project}/withdrawal-request", A,
                      404, 404, 302, 404, 302, 404, 404, 404, 404, 302,
                      lambda c: c.pending_requests() == 1 and c.project().plan_status == A),
    ("projects.change", "GET", "/projects/{project}/change", A,
                      404, 404, 200, 404, 200, 404, 404, 404, 404, 302, None),
    ("projects.change", "POST", "/projects/{project}/change", A,
                      404, 404, 200, 404, 200, 404, 404, 404, 404, 302, None),
    ("projects.decide", "POST", "/projects/change-requests/{cr}/approve", CR,
                      404, 404, 404, 404, 302, 404, 404, 404, 404, 302,
                      _decided(ChangeRequestStatus.APPROVED, PlanStatus.WITHDRAWN)),
    ("projects.decide", "POST", "/projects/change-requests/{cr}/reject", CR,
                      404, 404, 404, 404, 302, 404, 404, 404, 404, 302,
                      _decided(ChangeRequestStatus.REJECTED, A)),
    ("projects.export_plan_list", "GET", "/projects/export.xlsx?year=2025", A,
                      404, 404, 200, 200, 200, 200, 404, 404, 404, 302, None),
    ("projects.import_plan_list", "GET", "/projects/import", None,
                      404, 404, 200, 200, 200, 200, 404, 404, 404, 302, None),
    ("projects.import_plan_list", "POST", "/projects/import", None,
                      404, 404, 200, 200, 200, 200, 404, 404, 404, 302, None),
    ("projects.import_template", "GET", "/projects/import/template.xlsx", None,
                      404, 404, 200, 200, 200, 200, 404, 404, 404, 302, None),
    # --- monthly dispatch: the filling side (reports, grid, report page, to-do) ------------
    ("rounds.todo", "GET", "/rounds/todo", RP,
                      200, 200, 200, 200, 200, 200, 404, 404, 404, 302, None),
    ("rounds.reports", "GET", "/rounds/{round}/reports", RP,
                      200, 200, 200, 200, 200, 404, 404, 404, 404, 302, None),
    ("rounds.grid", "GET", "/rounds/{round}/grid", RP,
                      404, 404, 200, 200, 200, 404, 404, 404, 404, 302, None),
    # The row posted is district A's: out of another district's scope, so a 404.
    ("rounds.grid", "POST", "/rounds/{round}/grid", RP,
                      404, 404, 302, 404, 302, 404, 404, 404, 404, 302,
                      _report(RP, description="矩阵填报")),
    ("rounds.submit_complete", "POST", "/rounds/{round}/submit-complete", RE,
                      404, 404, 302, 404, 302, 404, 404, 404, 404, 302, _report(RS)),
    ("rounds.report", "GET", "/rounds/reports/{report}", RP,
                      200, 404, 200, 404, 200, 404, 404, 404, 404, 302, None),
    ("rounds.report", "GET", "/rounds/reports/{report}", RS,
                      200, 404, 200, 404, 200, 404, 404, 404, 404, 302, None),
    ("rounds.edit_report", "GET", "/rounds/reports/{report}/edit", RP,
                      200, 404, 200, 404, 200, 404, 404, 404, 404, 302, None),
    ("rounds.edit_report", "GET", "/rounds/reports/{report}/edit", RS,
                      302, 404, 302, 404, 302, 404, 404, 404, 404, 302, None),
    # The enterprise's save marks it 企业已填报, the district's and the city's keep the state.
    ("rounds.edit_report", "POST", "/rounds/reports/{report}/edit", RP,
                      302, 404, 302, 404, 302, 404, 404, 404, 404, 302,
                      lambda c: c.report().description == "矩阵填报"),
    ("rounds.edit_report", "POST", "/rounds/reports/{report}/edit", RS,
                      302, 404, 302, 404, 302, 404, 404, 404, 404, 302, None),
    ("rounds.submit_report", "POST", "/rounds/reports/{report}/submit", RE,
                      404, 404, 302, 404, 302, 404, 404, 404, 404, 302, _report(RS)),
    ("rounds.submit_report", "POST", "/rounds/reports/{report}/submit", RS,
                      404, 404, 302, 404, 302, 404, 404, 404, 404, 302, None),
    ("rounds.project_history", "GET", "/rounds/projects/{project}", RP,
                      200, 404, 200, 404, 200, 404, 404, 404, 404, 302, None),
    # --- monthly dispatch: workbooks (progress export, fill workbook, its import) --------
    # A district's export and fill workbook hold its own reports only (tests/rounds).
    ("rounds.progress_workbook", "GET", "/rounds/{round}/progress.xlsx", RP,
                      404, 404, 200, 200, 200, 404, 404, 404, 404, 302, None),
    ("rounds.fill_workbook", "GET", "/rounds/{round}/fill.xlsx", RP,
                      404, 404, 200, 200, 200, 404, 404, 404, 404, 302, None),
    ("rounds.import_reports", "GET", "/rounds/{round}/import", RP,
                      404, 404, 200, 200, 200, 404, 404, 404, 404, 302, None),
    # Without a file the page is shown again with the refusal (uploads: tests/rounds, fuzz).
    ("rounds.import_reports", "POST", "/rounds/{round}/import", RP,
                      404, 404, 200, 200, 200, 404, 404, 404, 404, 302, None),
    # --- monthly dispatch: the city side (rounds, overview, review) ------------------------
    # Every business user sees its city's rounds; the other city its own (none here).
    ("rounds.index", "GET", "/rounds/", RP,
                      200, 200, 200, 200, 200, 200, 404, 404, 404, 302, None),
    ("rounds.open_round", "GET", "/rounds/open", None,
                      404, 404, 404, 404, 200, 200, 404, 404, 404, 302, None),
    # Each city opens its own 2025-05 round (the project under test is the first city's).
    ("rounds.open_round", "POST", "/rounds/open", A,
                      404, 404, 404, 404, 302, 302, 404, 404, 404, 302, _rounds_opened),
    ("rounds.show", "GET", "/rounds/{round}", RP,
                      200, 200, 200, 200, 200, 404, 404, 404, 404, 302, None),
    ("rounds.set_deadlines", "POST", "/rounds/{round}/deadlines", RP,
                      404, 404, 404, 404, 302, 404, 404, 404, 404, 302,
                      _round(lambda r: r.district_deadline.day == 8)),
    ("rounds.close", "POST", "/rounds/{round}/close", RP,
                      404, 404, 404, 404, 302, 404, 404, 404, 404, 302, _closed_keeping_reports),
    ("rounds.review", "GET", "/rounds/review", RS,
                      404, 404, 404, 404, 200, 200, 404, 404, 404, 302, None),
    # The other city ticking this city's report: not found.
    ("rounds.review", "POST", "/rounds/review", RS,
                      404, 404, 404, 404, 302, 404, 404, 404, 404, 302, _report(RA)),
    ("rounds.approve_report", "POST", "/rounds/reports/{report}/approve", RS,
                      404, 404, 404, 404, 302, 404, 404, 404, 404, 302, _report(RA)),
    ("rounds.return_report", "POST", "/rounds/reports/{report}/return", RS,
                      404, 404, 404, 404, 302, 404, 404, 404, 404, 302,
                      _report(RR, return_reason="理由")),
    # --- evidence archive: checklist, uploads, versions, reviews, downloads -----------------
    # Every business user has the evidence home; the other city sees its own (none here).
    ("evidence.index", "GET", "/evidence/", EV,
                      200, 200, 200, 200, 200, 200, 404, 404, 404, 302, None),
    ("evidence.checklist", "GET", "/evidence/projects/{project}", EV,
                      200, 404, 200, 404, 200, 404, 404, 404, 404, 302, None),
    ("evidence.checklist", "GET", "/evidence/projects/{project}", D,
                      404, 404, 200, 404, 200, 404, 404, 404, 404, 302, None),
    ("evidence.upload", "POST", "/evidence/projects/{project}/items/G03/upload", A,
                      302, 404, 302, 404, 302, 404, 404, 404, 404, 302, _uploaded),
    # A draft is not in the plan list: back to the checklist with a message, nothing stored.
    ("evidence.upload", "POST", "/evidence/projects/{project}/items/G03/upload", D,
                      404, 404, 302, 404, 302, 404, 404, 404, 404, 302, None),
    ("evidence.replace", "POST", "/evidence/files/{evidence}/replace", EV,
                      302, 404, 302, 404, 302, 404, 404, 404, 404, 302, _replaced),
    ("evidence.pre_review", "POST", "/evidence/files/{evidence}/pre-review", EV,
                      404, 404, 302, 404, 404, 404, 404, 404, 404, 302,
                      _evidence(pre_status=EvidenceStatus.ACCEPTED, status=EV)),
    ("evidence.review", "POST", "/evidence/files/{evidence}/review", EV,
                      404, 404, 404, 404, 302, 404, 404, 404, 404, 302, _evidence(status=EV_OK)),
    # The city's decision is final: a second verdict is refused, nothing changes.
    ("evidence.review", "POST", "/evidence/files/{evidence}/review", EV_OK,
                      404, 404, 404, 404, 302, 404, 404, 404, 404, 302, None),
    ("evidence.download", "GET", "/evidence/files/{evidence}/download", EV,
                      200, 404, 200, 404, 200, 404, 404, 404, 404, 302, None),
    ("evidence.preview", "GET", "/evidence/files/{evidence}/preview", EV,
                      200, 404, 200, 404, 200, 404, 404, 404, 404, 302, None),
    # The archive of the caller's area (the other city's: its own, empty); one district of
    # it on request, another district's or city's id is not found.
    ("evidence.archive", "GET", "/evidence/archive.zip", EV_OK,
                      404, 404, 200, 200, 200, 200, 404, 404, 404, 302, None),
    ("evidence.archive", "GET", "/evidence/archive.zip?district={district_a}&all=1", EV,
                      404, 404, 200, 404, 200, 404, 404, 404, 404, 302, None),
    # --- reductions: totals and targets, a project's accounting, entry, 核定 ---------------
    # Districts and the city see their own area's totals; enterprises have no accounting.
    ("reductions.index", "GET", "/reductions/", STABLE,
                      404, 404, 200, 200, 200, 200, 404, 404, 404, 302, None),
    ("reductions.targets", "GET", "/reductions/targets?period=2021-2025", None,
                      404, 404, 404, 404, 200, 200, 404, 404, 404, 302, None),
    # Without the page's version the grid is shown again, nothing written (tests/reductions).
    ("reductions.targets", "POST", "/reductions/targets", None,
                      404, 404, 404, 404, 200, 200, 404, 404, 404, 302, None),
    ("reductions.project", "GET", "/reductions/projects/{project}", DRAFTED,
                      404, 404, 200, 404, 200, 404, 404, 404, 404, 302, None),
    # A draft is not in stable operation: the page says why, no entry button.
    ("reductions.project", "GET", "/reductions/projects/{project}", D,
                      404, 404, 200, 404, 200, 404, 404, 404, 404, 302, None),
    ("reductions.enter", "GET", "/reductions/projects/{project}/enter", STABLE,
                      404, 404, 200, 404, 200, 404, 404, 404, 404, 302, None),
    ("reductions.enter", "POST", "/reductions/projects/{project}/enter", STABLE,
                      404, 404, 302, 404, 302, 404, 404, 404, 404, 302, _accounting("draft")),
    # Not in stable operation: refused on the form, nothing written.
    ("reductions.enter", "POST", "/reductions/projects/{project}/enter", A,
                      404, 404, 200, 404, 200, 404, 404, 404, 404, 302, None),
    ("reductions.confirm", "POST", "/reductions/projects/{project}/confirm", DRAFTED,
                      404, 404, 404, 404, 302, 404, 404, 404, 404, 302, _accounting("current")),
    # No draft to confirm: refused with a message, nothing written.
    ("reductions.confirm", "POST", "/reductions/projects/{project}/confirm", STABLE,
                      404, 404, 404, 404, 302, 404, 404, 404, 404, 302, None),
    # The accounting workbook of the caller's area (a district's own: a preview; the other
    # city's: its own, empty); enterprises have no accounting.
    ("reductions.accounting_workbook", "GET", "/reductions/accounting.xlsx?year=2025", STABLE,
                      404, 404, 200, 200, 200, 200, 404, 404, 404, 302, None),
    # --- exports: the yearly package of the caller's area (districts: a preview) -----------
    ("exports.package", "GET", "/exports/package.zip?year=2025", A,
                      404, 404, 200, 200, 200, 200, 404, 404, 404, 302, None),
    # --- dashboards (统计分析): the city's and districts' own area; enterprises have none ----
    ("dashboards.index", "GET", "/dashboards/", STABLE,
                      404, 404, 200, 200, 200, 200, 404, 404, 404, 302, None),
    # A district's page: that district and its city only (another district's id: 404).
    ("dashboards.region", "GET", "/dashboards/regions/{district_a}?year=2025", STABLE,
                      404, 404, 200, 404, 200, 404, 404, 404, 404, 302, None),
    # Planned against confirmed, the versions, the close-out state.
    ("reductions.project", "GET", "/reductions/projects/{project}", CONFIRMED,
                      404, 404, 200, 404, 200, 404, 404, 404, 404, 302, None),
    # Close-out (销号): the city only, in its scope.
    ("reductions.close", "GET", "/reductions/projects/{project}/close", CONFIRMED,
                      404, 404, 404, 404, 200, 404, 404, 404, 404, 302, None),
    ("reductions.close", "POST", "/reductions/projects/{project}/close", CONFIRMED,
                      404, 404, 404, 404, 302, 404, 404, 404, 404, 302, _status(PlanStatus.CLOSED)),
    # Not confirmed yet: the page again with the refusal, nothing written.
    ("reductions.close", "POST", "/reductions/projects/{project}/close", STABLE,
                      404, 404, 404, 404, 200, 404, 404, 404, 404, 302, None),
    # The calculation sheet of a confirmation: who sees the project's accounting sees it;
    # the PDF is the one filed on confirmation (its download audited: tests/reductions).
    ("reductions.sheet", "GET", "/reductions/confirmations/{confirmation}/sheet", CONFIRMED,
                      404, 404, 200, 404, 200, 404, 404, 404, 404, 302, None),
    ("reductions.sheet_pdf", "GET", "/reductions/confirmations/{confirmation}/sheet.pdf", CONFIRMED,
                      404, 404, 200, 404, 200, 404, 404, 404, 404, 302, None),
    # A draft has no sheet yet: not found for everyone.
    ("reductions.sheet", "GET", "/reductions/confirmations/{confirmation}/sheet", DRAFTED,
                      404, 404, 404, 404, 404, 404, 404, 404, 404, 302, None),
    ("reductions.sheet_pdf", "GET", "/reductions/confirmations/{confirmation}/sheet.pdf", DRAFTED,
                      404, 404, 404, 404, 404, 404, 404, 404, 404, 302, None),
    # --- admin area: admins only ---------------------------------------------------------
    ("admin.users", "GET", "/admin/users", None,
                      404, 404, 404, 404, 404, 404, 200, 404, 404, 302, None),
    ("admin.user_new", "GET", "/admin/users/new", None,
                      404, 404, 404, 404, 404, 404, 200, 404, 404, 302, None),
    ("admin.user_new", "POST", "/admin/users/new", None,
                      404, 404, 404, 404, 404, 404, 200, 404, 404, 302, None),
    ("admin.user_edit", "GET", "/admin/users/{user}/edit", None,
                      404, 404, 404, 404, 404, 404, 200, 404, 404, 302, None),
    ("admin.user_edit", "POST", "/admin/users/{user}/edit", None,
                      404, 404, 404, 404, 404, 404, 302, 404, 404, 302, None),
    ("admin.user_disable", "POST", "/admin/users/{user}/disable", None,
                      404, 404, 404, 404, 404, 404, 302, 404, 404, 302,
                      lambda c: not c.target_user().is_active),
    ("admin.user_enable", "POST", "/admin/users/{user}/enable", DISABLED,
                      404, 404, 404, 404, 404, 404, 302, 404, 404, 302,
                      lambda c: c.target_user().is_active),
    # An empty reset form is refused on the page (the new password is required).
    ("admin.user_reset_password", "POST", "/admin/users/{user}/reset-password", None,
                      404, 404, 404, 404, 404, 404, 200, 404, 404, 302, None),
    # 三员: the officers' accounts are shown to the administrator, never changed by it.
    ("admin.user_edit", "GET", "/admin/users/{user}/edit", OFFICER,
                      404, 404, 404, 404, 404, 404, 200, 404, 404, 302, None),
    ("admin.user_edit", "POST", "/admin/users/{user}/edit", OFFICER,
                      404, 404, 404, 404, 404, 404, 200, 404, 404, 302, None),
    ("admin.user_disable", "POST", "/admin/users/{user}/disable", OFFICER,
                      404, 404, 404, 404, 404, 404, 302, 404, 404, 302, None),
    ("admin.user_reset_password", "POST", "/admin/users/{user}/reset-password", OFFICER,
                      404, 404, 404, 404, 404, 404, 200, 404, 404, 302, None),
    # A locked account is no disabled one: 启用 changes nothing (and says why).
    ("admin.user_enable", "POST", "/admin/users/{user}/enable", LOCKED,
                      404, 404, 404, 404, 404, 404, 302, 404, 404, 302, None),
    ("admin.regions", "GET", "/admin/regions", None,
                      404, 404, 404, 404, 404, 404, 200, 404, 404, 302, None),
    ("admin.region_new", "GET", "/admin/regions/new", None,
                      404, 404, 404, 404, 404, 404, 200, 404, 404, 302, None),
    ("admin.region_new", "POST", "/admin/regions/new", None,
                      404, 404, 404, 404, 404, 404, 200, 404, 404, 302, None),
    ("admin.region_edit", "GET", "/admin/regions/{district_a}/edit", None,
                      404, 404, 404, 404, 404, 404, 200, 404, 404, 302, None),
    ("admin.region_edit", "POST", "/admin/regions/{district_a}/edit", None,
                      404, 404, 404, 404, 404, 404, 302, 404, 404, 302, None),
    ("admin.enterprises", "GET", "/admin/enterprises", None,
                      404, 404, 404, 404, 404, 404, 200, 404, 404, 302, None),
    ("admin.enterprise_new", "GET", "/admin/enterprises/new", None,
                      404, 404, 404, 404, 404, 404, 200, 404, 404, 302, None),
    ("admin.enterprise_new", "POST", "/admin/enterprises/new", None,
                      404, 404, 404, 404, 404, 404, 200, 404, 404, 302, None),
    ("admin.enterprise_edit", "GET", "/admin/enterprises/{enterprise_a}/edit", None,
                      404, 404, 404, 404, 404, 404, 200, 404, 404, 302, None),
    ("admin.enterprise_edit", "POST", "/admin/enterprises/{enterprise_a}/edit", None,
                      404, 404, 404, 404, 404, 404, 302, 404, 404, 302, None),
    ("admin.import_enterprises", "GET", "/admin/enterprises/import", None,
                      404, 404, 404, 404, 404, 404, 200, 404, 404, 302, None),
    ("admin.import_enterprises", "POST", "/admin/enterprises/import", None,
                      404, 404, 404, 404, 404, 404, 200, 404, 404, 302, None),
    ("admin.import_template", "GET", "/admin/enterprises/import/template.xlsx", None,
                      404, 404, 404, 404, 404, 404, 200, 404, 404, 302, None),
    # --- security officer: account locks, unlocking, the policy ----------------------------
    ("security.accounts", "GET", "/security/accounts", None,
                      404, 404, 404, 404, 404, 404, 404, 200, 404, 302, None),
    ("security.account", "GET", "/security/accounts/{user}", LOCKED,
                      404, 404, 404, 404, 404, 404, 404, 200, 404, 302, None),
    ("security.unlock", "POST", "/security/accounts/{user}/unlock", LOCKED,
                      404, 404, 404, 404, 404, 404, 404, 302, 404, 302,
                      lambda c: c.target_user().locked_until is None),
    # Nothing to unlock: refused with a message, nothing changes.
    ("security.unlock", "POST", "/security/accounts/{user}/unlock", None,
                      404, 404, 404, 404, 404, 404, 404, 302, 404, 302, None),
    # The two-factor reset (a lost phone): the security officer's alone.
    ("security.reset_two_factor", "POST", "/security/accounts/{user}/two-factor/reset",
     TOTP_USER,       404, 404, 404, 404, 404, 404, 404, 302, 404, 302,
                      lambda c: c.target_user().two_factor is None),
    # Nothing to reset: refused with a message, nothing changes.
    ("security.reset_two_factor", "POST", "/security/accounts/{user}/two-factor/reset",
     None,            404, 404, 404, 404, 404, 404, 404, 302, 404, 302, None),
    ("security.policy", "GET", "/security/policy", None,
                      404, 404, 404, 404, 404, 404, 404, 200, 404, 302, None),
]  # fmt: skip

MATRIX: list[Row] = [
    Row(endpoint, method, path, setup, dict(zip(ACTORS, codes, strict=True)), effect)
    for endpoint, method, path, setup, *codes, effect in _ROWS
]

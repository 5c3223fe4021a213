"""The access matrix's vocabulary: actors, world keys, setups, the Row, form inputs.

``ACTORS`` is the column order of the matrix's codes (``tests.access.matrix``):

  ent_a   the enterprise that owns the project      ent_b   another enterprise
  dist_a  the project's district (in scope)         dist_b  another district of the city
  city    the project's city                        other   the city user of another city
  admin, security, auditor: the three officers      anon    not logged in
                            (三员: system, security, audit)

``WORLD_KEY`` names each logged-in actor's user in the test world. The setup constants name
the state a row's objects start in; ``FORM_DATA`` and ``FILES`` are what a browser's form
posts for a row's endpoint.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from dispatch.evidence import samples
from models import EvidenceStatus, PlanStatus, ReportStatus

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

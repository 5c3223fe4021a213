"""The access matrix as data: every route × every actor → expected status and effect.

One row per (endpoint, method, object state). ``codes`` lists the expected HTTP status for
each actor in ``ACTORS`` order; ``effect`` checks what an admitted write leaves in the
database. The actors (who each one is), the setups and ``Row`` live in ``tests.access.cases``;
the effect checks, and how they are judged, in ``tests.access.effects``.

The project under test is in district A and owned by enterprise A, created at the row's
plan status (``setup``). 404 means the route or the object is invisible to that actor
(never 403, so ids cannot be probed); an anonymous 302 goes to the login page.

Add a row whenever a route is added: ``test_every_route_has_a_row`` fails until you do.
"""

from __future__ import annotations

from typing import Any

from models import ChangeRequestStatus, EvidenceStatus, PlanStatus
from tests.access.cases import (
    ACTORS,
    CONFIRMED,
    CR,
    DISABLED,
    DRAFTED,
    EV,
    EV_OK,
    LOCKED,
    OFFICER,
    RA,
    RE,
    RP,
    RR,
    RS,
    STABLE,
    TOTP_ACTOR,
    TOTP_PENDING,
    TOTP_USER,
    A,
    D,
    Row,
    S,
)
from tests.access.effects import (
    accounting,
    closed_keeping_reports,
    decided,
    evidence,
    replaced,
    report,
    round_where,
    rounds_opened,
    status,
    uploaded,
)

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
                      404, 404, 302, 404, 302, 404, 404, 404, 404, 302, status(S)),
    ("projects.review", "GET", "/projects/review", S,
                      404, 404, 404, 404, 200, 200, 404, 404, 404, 302, None),
    ("projects.approve", "POST", "/projects/{project}/approve", S,
                      404, 404, 404, 404, 302, 404, 404, 404, 404, 302, status(A)),
    ("projects.return_", "POST", "/projects/{project}/return", S,
                      404, 404, 404, 404, 302, 404, 404, 404, 404, 302,
                      status(PlanStatus.RETURNED)),
    ("projects.withdraw", "POST", "/projects/{project}/withdraw", A,
                      404, 404, 404, 404, 302, 404, 404, 404, 404, 302,
                      status(PlanStatus.WITHDRAWN)),
    ("projects.withdrawal_request", "POST", "/projects/{project}/withdrawal-request", A,
                      404, 404, 302, 404, 302, 404, 404, 404, 404, 302,
                      lambda c: c.pending_requests() == 1 and c.project().plan_status == A),
    ("projects.change", "GET", "/projects/{project}/change", A,
                      404, 404, 200, 404, 200, 404, 404, 404, 404, 302, None),
    ("projects.change", "POST", "/projects/{project}/change", A,
                      404, 404, 200, 404, 200, 404, 404, 404, 404, 302, None),
    ("projects.decide", "POST", "/projects/change-requests/{cr}/approve", CR,
                      404, 404, 404, 404, 302, 404, 404, 404, 404, 302,
                      decided(ChangeRequestStatus.APPROVED, PlanStatus.WITHDRAWN)),
    ("projects.decide", "POST", "/projects/change-requests/{cr}/reject", CR,
                      404, 404, 404, 404, 302, 404, 404, 404, 404, 302,
                      decided(ChangeRequestStatus.REJECTED, A)),
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
                      report(RP, description="矩阵填报")),
    ("rounds.submit_complete", "POST", "/rounds/{round}/submit-complete", RE,
                      404, 404, 302, 404, 302, 404, 404, 404, 404, 302, report(RS)),
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
                      404, 404, 302, 404, 302, 404, 404, 404, 404, 302, report(RS)),
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
                      404, 404, 404, 404, 302, 302, 404, 404, 404, 302, rounds_opened),
    ("rounds.show", "GET", "/rounds/{round}", RP,
                      200, 200, 200, 200, 200, 404, 404, 404, 404, 302, None),
    ("rounds.set_deadlines", "POST", "/rounds/{round}/deadlines", RP,
                      404, 404, 404, 404, 302, 404, 404, 404, 404, 302,
                      round_where(lambda r: r.district_deadline.day == 8)),
    ("rounds.close", "POST", "/rounds/{round}/close", RP,
                      404, 404, 404, 404, 302, 404, 404, 404, 404, 302, closed_keeping_reports),
    ("rounds.review", "GET", "/rounds/review", RS,
                      404, 404, 404, 404, 200, 200, 404, 404, 404, 302, None),
    # The other city ticking this city's report: not found.
    ("rounds.review", "POST", "/rounds/review", RS,
                      404, 404, 404, 404, 302, 404, 404, 404, 404, 302, report(RA)),
    ("rounds.approve_report", "POST", "/rounds/reports/{report}/approve", RS,
                      404, 404, 404, 404, 302, 404, 404, 404, 404, 302, report(RA)),
    ("rounds.return_report", "POST", "/rounds/reports/{report}/return", RS,
                      404, 404, 404, 404, 302, 404, 404, 404, 404, 302,
                      report(RR, return_reason="理由")),
    # --- evidence archive: checklist, uploads, versions, reviews, downloads -----------------
    # Every business user has the evidence home; the other city sees its own (none here).
    ("evidence.index", "GET", "/evidence/", EV,
                      200, 200, 200, 200, 200, 200, 404, 404, 404, 302, None),
    ("evidence.checklist", "GET", "/evidence/projects/{project}", EV,
                      200, 404, 200, 404, 200, 404, 404, 404, 404, 302, None),
    ("evidence.checklist", "GET", "/evidence/projects/{project}", D,
                      404, 404, 200, 404, 200, 404, 404, 404, 404, 302, None),
    ("evidence.upload", "POST", "/evidence/projects/{project}/items/G03/upload", A,
                      302, 404, 302, 404, 302, 404, 404, 404, 404, 302, uploaded),
    # A draft is not in the plan list: back to the checklist with a message, nothing stored.
    ("evidence.upload", "POST", "/evidence/projects/{project}/items/G03/upload", D,
                      404, 404, 302, 404, 302, 404, 404, 404, 404, 302, None),
    ("evidence.replace", "POST", "/evidence/files/{evidence}/replace", EV,
                      302, 404, 302, 404, 302, 404, 404, 404, 404, 302, replaced),
    ("evidence.pre_review", "POST", "/evidence/files/{evidence}/pre-review", EV,
                      404, 404, 302, 404, 404, 404, 404, 404, 404, 302,
                      evidence(pre_status=EvidenceStatus.ACCEPTED, status=EV)),
    ("evidence.review", "POST", "/evidence/files/{evidence}/review", EV,
                      404, 404, 404, 404, 302, 404, 404, 404, 404, 302, evidence(status=EV_OK)),
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
                      404, 404, 302, 404, 302, 404, 404, 404, 404, 302, accounting("draft")),
    # Not in stable operation: refused on the form, nothing written.
    ("reductions.enter", "POST", "/reductions/projects/{project}/enter", A,
                      404, 404, 200, 404, 200, 404, 404, 404, 404, 302, None),
    ("reductions.confirm", "POST", "/reductions/projects/{project}/confirm", DRAFTED,
                      404, 404, 404, 404, 302, 404, 404, 404, 404, 302, accounting("current")),
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
                      404, 404, 404, 404, 302, 404, 404, 404, 404, 302, status(PlanStatus.CLOSED)),
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

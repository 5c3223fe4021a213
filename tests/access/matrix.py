"""The access matrix as data: every route × every actor → expected status and effect.

One row per (endpoint, method, object state). ``codes`` lists the expected HTTP status for
each actor in ``ACTORS`` order:

  ent_a   the enterprise that owns the project      ent_b   another enterprise
  dist_a  the project's district (in scope)         dist_b  another district of the city
  city    the project's city                        other   the city user of another city
  admin, auditor                                    anon    not logged in

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

from models import ChangeRequestStatus, PlanStatus

ACTORS = ("ent_a", "ent_b", "dist_a", "dist_b", "city", "other", "admin", "auditor", "anon")
WORLD_KEY = {
    "ent_a": "enterprise_a",
    "ent_b": "enterprise_b",
    "dist_a": "district_a",
    "dist_b": "district_b",
    "city": "city",
    "other": "other_city",
    "admin": "admin",
    "auditor": "auditor",
}

D, S, A = PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.APPROVED
CR = "change_request"  # setup: an approved project with a pending withdrawal request
DISABLED = "disabled_user"  # setup: {user} is a disabled account (not one of the actors)


@dataclasses.dataclass(frozen=True)
class Row:
    endpoint: str
    method: str
    path: str  # {project}, {cr}, {user} (the city user), {district_a}, {enterprise_a}
    setup: Any  # None, a PlanStatus, CR or DISABLED
    codes: dict[str, int]
    effect: Callable[[Any], bool] | None = None

    @property
    def id(self) -> str:
        state = self.setup.value if isinstance(self.setup, PlanStatus) else self.setup
        return f"{self.method} {self.path}" + (f" [{state}]" if state else "")


def _status(expected: PlanStatus) -> Callable[[Any], bool]:
    return lambda c: c.project().plan_status == expected


def _decided(status: ChangeRequestStatus, plan: PlanStatus) -> Callable[[Any], bool]:
    return lambda c: c.change_request().status == status and c.project().plan_status == plan


_ROWS: list[tuple[Any, ...]] = [
    # endpoint, method, path, setup,
    #                 ent_a ent_b dist_a dist_b city other admin audit anon   effect
    ("home.index", "GET", "/", None,
                      200, 200, 200, 200, 200, 200, 200, 200, 302, None),
    ("home.healthz", "GET", "/healthz", None,
                      200, 200, 200, 200, 200, 200, 200, 200, 200, None),
    ("auth.login", "GET", "/login", None,
                      302, 302, 302, 302, 302, 302, 302, 302, 200, None),
    ("auth.login", "POST", "/login", None,
                      302, 302, 302, 302, 302, 302, 302, 302, 200, None),
    ("auth.logout", "POST", "/logout", None,
                      302, 302, 302, 302, 302, 302, 302, 302, 302, lambda c: c.logged_out()),
    ("auth.change_password", "GET", "/account/password", None,
                      200, 200, 200, 200, 200, 200, 200, 200, 302, None),
    ("auth.change_password", "POST", "/account/password", None,
                      200, 200, 200, 200, 200, 200, 200, 200, 302, None),
    ("auditlog.events", "GET", "/audit/events", None,
                      404, 404, 404, 404, 404, 404, 404, 200, 302, None),
    # --- plan list -----------------------------------------------------------------------
    ("projects.index", "GET", "/projects/", A,
                      200, 200, 200, 200, 200, 200, 404, 404, 302, None),
    ("projects.show", "GET", "/projects/{project}", A,
                      200, 404, 200, 404, 200, 404, 404, 404, 302, None),
    ("projects.show", "GET", "/projects/{project}", D,
                      404, 404, 200, 404, 200, 404, 404, 404, 302, None),
    ("projects.new", "GET", "/projects/new", D,
                      404, 404, 200, 200, 200, 200, 404, 404, 302, None),
    ("projects.new", "POST", "/projects/new", None,
                      404, 404, 200, 200, 200, 200, 404, 404, 302, None),
    ("projects.edit", "GET", "/projects/{project}/edit", D,
                      404, 404, 200, 404, 200, 404, 404, 404, 302, None),
    ("projects.edit", "POST", "/projects/{project}/edit", D,
                      404, 404, 200, 404, 200, 404, 404, 404, 302, None),
    ("projects.submit", "POST", "/projects/{project}/submit", D,
                      404, 404, 302, 404, 302, 404, 404, 404, 302, _status(S)),
    ("projects.review", "GET", "/projects/review", S,
                      404, 404, 404, 404, 200, 200, 404, 404, 302, None),
    ("projects.approve", "POST", "/projects/{project}/approve", S,
                      404, 404, 404, 404, 302, 404, 404, 404, 302, _status(A)),
    ("projects.return_", "POST", "/projects/{project}/return", S,
                      404, 404, 404, 404, 302, 404, 404, 404, 302, _status(PlanStatus.RETURNED)),
    ("projects.withdraw", "POST", "/projects/{project}/withdraw", A,
                      404, 404, 404, 404, 302, 404, 404, 404, 302, _status(PlanStatus.WITHDRAWN)),
    ("projects.withdrawal_request", "POST", "/projects/{project}/withdrawal-request", A,
                      404, 404, 302, 404, 302, 404, 404, 404, 302,
                      lambda c: c.pending_requests() == 1 and c.project().plan_status == A),
    ("projects.change", "GET", "/projects/{project}/change", A,
                      404, 404, 200, 404, 200, 404, 404, 404, 302, None),
    ("projects.change", "POST", "/projects/{project}/change", A,
                      404, 404, 200, 404, 200, 404, 404, 404, 302, None),
    ("projects.decide", "POST", "/projects/change-requests/{cr}/approve", CR,
                      404, 404, 404, 404, 302, 404, 404, 404, 302,
                      _decided(ChangeRequestStatus.APPROVED, PlanStatus.WITHDRAWN)),
    ("projects.decide", "POST", "/projects/change-requests/{cr}/reject", CR,
                      404, 404, 404, 404, 302, 404, 404, 404, 302,
                      _decided(ChangeRequestStatus.REJECTED, A)),
    ("projects.export_plan_list", "GET", "/projects/export.xlsx?year=2025", A,
                      404, 404, 200, 200, 200, 200, 404, 404, 302, None),
    ("projects.import_plan_list", "GET", "/projects/import", None,
                      404, 404, 200, 200, 200, 200, 404, 404, 302, None),
    ("projects.import_plan_list", "POST", "/projects/import", None,
                      404, 404, 200, 200, 200, 200, 404, 404, 302, None),
    ("projects.import_template", "GET", "/projects/import/template.xlsx", None,
                      404, 404, 200, 200, 200, 200, 404, 404, 302, None),
    # --- admin area: admins only ---------------------------------------------------------
    ("admin.users", "GET", "/admin/users", None,
                      404, 404, 404, 404, 404, 404, 200, 404, 302, None),
    ("admin.user_new", "GET", "/admin/users/new", None,
                      404, 404, 404, 404, 404, 404, 200, 404, 302, None),
    ("admin.user_new", "POST", "/admin/users/new", None,
                      404, 404, 404, 404, 404, 404, 200, 404, 302, None),
    ("admin.user_edit", "GET", "/admin/users/{user}/edit", None,
                      404, 404, 404, 404, 404, 404, 200, 404, 302, None),
    ("admin.user_edit", "POST", "/admin/users/{user}/edit", None,
                      404, 404, 404, 404, 404, 404, 302, 404, 302, None),
    ("admin.user_disable", "POST", "/admin/users/{user}/disable", None,
                      404, 404, 404, 404, 404, 404, 302, 404, 302,
                      lambda c: not c.target_user().is_active),
    ("admin.user_enable", "POST", "/admin/users/{user}/enable", DISABLED,
                      404, 404, 404, 404, 404, 404, 302, 404, 302,
                      lambda c: c.target_user().is_active),
    # An empty reset form is refused on the page (the new password is required).
    ("admin.user_reset_password", "POST", "/admin/users/{user}/reset-password", None,
                      404, 404, 404, 404, 404, 404, 200, 404, 302, None),
    ("admin.regions", "GET", "/admin/regions", None,
                      404, 404, 404, 404, 404, 404, 200, 404, 302, None),
    ("admin.region_new", "GET", "/admin/regions/new", None,
                      404, 404, 404, 404, 404, 404, 200, 404, 302, None),
    ("admin.region_new", "POST", "/admin/regions/new", None,
                      404, 404, 404, 404, 404, 404, 200, 404, 302, None),
    ("admin.region_edit", "GET", "/admin/regions/{district_a}/edit", None,
                      404, 404, 404, 404, 404, 404, 200, 404, 302, None),
    ("admin.region_edit", "POST", "/admin/regions/{district_a}/edit", None,
                      404, 404, 404, 404, 404, 404, 302, 404, 302, None),
    ("admin.enterprises", "GET", "/admin/enterprises", None,
                      404, 404, 404, 404, 404, 404, 200, 404, 302, None),
    ("admin.enterprise_new", "GET", "/admin/enterprises/new", None,
                      404, 404, 404, 404, 404, 404, 200, 404, 302, None),
    ("admin.enterprise_new", "POST", "/admin/enterprises/new", None,
                      404, 404, 404, 404, 404, 404, 200, 404, 302, None),
    ("admin.enterprise_edit", "GET", "/admin/enterprises/{enterprise_a}/edit", None,
                      404, 404, 404, 404, 404, 404, 200, 404, 302, None),
    ("admin.enterprise_edit", "POST", "/admin/enterprises/{enterprise_a}/edit", None,
                      404, 404, 404, 404, 404, 404, 302, 404, 302, None),
    ("admin.import_enterprises", "GET", "/admin/enterprises/import", None,
                      404, 404, 404, 404, 404, 404, 200, 404, 302, None),
    ("admin.import_enterprises", "POST", "/admin/enterprises/import", None,
                      404, 404, 404, 404, 404, 404, 200, 404, 302, None),
    ("admin.import_template", "GET", "/admin/enterprises/import/template.xlsx", None,
                      404, 404, 404, 404, 404, 404, 200, 404, 302, None),
]  # fmt: skip

MATRIX: list[Row] = [
    Row(endpoint, method, path, setup, dict(zip(ACTORS, codes, strict=True)), effect)
    for endpoint, method, path, setup, *codes, effect in _ROWS
]

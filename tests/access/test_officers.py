"""三员分立 read off the access matrix: the three officers see no business data and none
opens another officer's pages (the matrix test proves the app answers as the table says).

Whatever is added later under these prefixes falls under the same rule, so a new business
route that an officer could open, or a new officer page another officer could, fails here.
"""

from __future__ import annotations

from dispatch.access import ROLE_PERMISSIONS, Permission
from models import Role
from tests.access.matrix import MATRIX

OFFICERS = ("admin", "security", "auditor")
BUSINESS = ("projects.", "rounds.", "evidence.", "reductions.")
# Each officer's own area; the other two get 404 there.
AREAS = {
    "admin": ("admin.",),
    "security": ("security.",),
    "auditor": ("auditlog.", "auth.sign_ins"),
}


def test_officers_see_no_business_route() -> None:
    rows = [row for row in MATRIX if row.endpoint.startswith(BUSINESS)]
    assert rows
    wrong = [f"{row.id} {o}" for row in rows for o in OFFICERS if row.codes[o] != 404]
    assert not wrong, wrong


def test_no_officer_opens_another_officer_s_area() -> None:
    wrong = []
    for owner, prefixes in AREAS.items():
        rows = [row for row in MATRIX if row.endpoint.startswith(prefixes)]
        assert rows, owner
        for row in rows:
            assert row.codes[owner] != 404, f"{row.id}: {owner} is refused its own area"
            wrong += [f"{row.id} {o}" for o in OFFICERS if o != owner and row.codes[o] != 404]
    assert not wrong, wrong


def test_the_permission_table_keeps_the_three_apart() -> None:
    held = {role: ROLE_PERMISSIONS[role] for role in (Role.ADMIN, Role.SECURITY, Role.AUDITOR)}
    officer_only = {
        Permission.USERS_MANAGE: Role.ADMIN,
        Permission.ORGS_MANAGE: Role.ADMIN,
        Permission.ACCOUNTS_SECURITY: Role.SECURITY,
        Permission.POLICY_VIEW: Role.SECURITY,
        Permission.AUDIT_READ: Role.AUDITOR,
    }
    for permission, owner in officer_only.items():
        holders = {role for role, granted in ROLE_PERMISSIONS.items() if permission in granted}
        assert holders == {owner}, permission
    business = {
        Permission.PROJECTS_VIEW, Permission.ROUNDS_VIEW, Permission.EVIDENCE_VIEW,
        Permission.PROGRESS_EXPORT, Permission.PROJECTS_EXPORT, Permission.REDUCTIONS_VIEW,
    }  # fmt: skip
    for role, granted in held.items():
        assert not granted & business, role

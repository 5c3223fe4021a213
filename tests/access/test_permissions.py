"""The permission table: every permission guards something, and the CLI reads the table."""

from __future__ import annotations

from dispatch.access import PLAN_WORKFLOW, ROLE_PERMISSIONS, Permission, required_permission
from dispatch.cli.users import user_create
from dispatch.home.tiles import HOME_FEATURES
from dispatch.web.nav import NAV_ITEMS

# Permissions that open a scoped select rather than a view (tests.access.test_scopes
# shows each one closing its select when withdrawn).
SELECT_GATES = {Permission.PROJECTS_VIEW, Permission.ENTERPRISES_VIEW}


def test_every_permission_is_granted_and_checked(app):
    granted = set().union(*ROLE_PERMISSIONS.values())
    assert granted == set(Permission), set(Permission) - granted
    checked = (
        {required_permission(view) for view in app.view_functions.values()}
        | {item.permission for item in NAV_ITEMS}
        | {p for variants in HOME_FEATURES for tile in variants for p in tile.requires}
        | {step.permission for step in PLAN_WORKFLOW.values()}
        | SELECT_GATES
    )
    assert set(Permission) <= checked, set(Permission) - checked


def test_every_view_but_login_and_health_is_guarded_by_a_permission(app):
    unguarded = {
        endpoint
        for endpoint, view in app.view_functions.items()
        if required_permission(view) is None
    }
    # Signing in and out (the second step included), one's own account, password and
    # two-factor, and the health probe belong to no permission.
    assert unguarded == {
        "static", "auth.login", "auth.logout", "auth.account", "auth.change_password",
        "home.healthz", "auth.second_step", "auth.totp_enrol", "auth.recovery_codes",
        "auth.regenerate_recovery_codes",
    }  # fmt: skip


def test_cli_role_choices_are_the_roles_of_the_table():
    role_option = next(p for p in user_create.params if p.name == "role")
    assert list(role_option.type.choices) == [role.value for role in ROLE_PERMISSIONS]

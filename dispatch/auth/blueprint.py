"""Every URL of the auth feature in one place (views are plain functions)."""

from __future__ import annotations

from flask import Blueprint

from dispatch.auth import views, views_account, views_two_factor

bp = Blueprint("auth", __name__, template_folder="templates")

bp.add_url_rule("/login", view_func=views.login, methods=["GET", "POST"])
bp.add_url_rule("/logout", view_func=views.logout, methods=["POST"])
bp.add_url_rule("/account", view_func=views_account.account)
bp.add_url_rule("/account/password", view_func=views.change_password, methods=["GET", "POST"])
# The auditor's view of every account's sign-ins, beside the rest of the audit log.
bp.add_url_rule("/audit/sign-ins", view_func=views_account.sign_ins)
# Two-factor: the second sign-in step, enrolment, recovery codes (views_two_factor).
bp.add_url_rule(
    "/login/two-factor", view_func=views_two_factor.second_step, methods=["GET", "POST"]
)
bp.add_url_rule(
    "/account/two-factor", view_func=views_two_factor.totp_enrol, methods=["GET", "POST"]
)
bp.add_url_rule("/account/two-factor/recovery-codes", view_func=views_two_factor.recovery_codes)
bp.add_url_rule(
    "/account/two-factor/recovery-codes/new",
    view_func=views_two_factor.regenerate_recovery_codes,
    methods=["POST"],
)

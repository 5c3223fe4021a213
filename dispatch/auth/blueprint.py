"""Every URL of the auth feature in one place (views are plain functions)."""

from __future__ import annotations

from flask import Blueprint

from dispatch.auth import views, views_account

bp = Blueprint("auth", __name__, template_folder="templates")

bp.add_url_rule("/login", view_func=views.login, methods=["GET", "POST"])
bp.add_url_rule("/logout", view_func=views.logout, methods=["POST"])
bp.add_url_rule("/account", view_func=views_account.account)
bp.add_url_rule("/account/password", view_func=views.change_password, methods=["GET", "POST"])
# The auditor's view of every account's sign-ins, beside the rest of the audit log.
bp.add_url_rule("/audit/sign-ins", view_func=views_account.sign_ins)

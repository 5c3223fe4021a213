"""Every URL of the security officer's area in one place (views are plain functions)."""

from __future__ import annotations

from flask import Blueprint

from dispatch.security import views

bp = Blueprint("security", __name__, url_prefix="/security", template_folder="templates")

bp.add_url_rule("/accounts", view_func=views.accounts)
bp.add_url_rule("/accounts/<int:user_id>", view_func=views.account)
bp.add_url_rule("/accounts/<int:user_id>/unlock", view_func=views.unlock, methods=["POST"])
bp.add_url_rule("/policy", view_func=views.policy)
bp.add_url_rule(
    "/accounts/<int:user_id>/two-factor/reset", view_func=views.reset_two_factor, methods=["POST"]
)

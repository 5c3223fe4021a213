"""Every URL of the admin feature in one place (views are plain functions)."""

from __future__ import annotations

from flask import Blueprint

from dispatch.admin import views_import, views_orgs, views_users

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

bp.add_url_rule("/users", view_func=views_users.users)
bp.add_url_rule("/users/new", view_func=views_users.user_new, methods=["GET", "POST"])
bp.add_url_rule(
    "/users/<int:user_id>/edit", view_func=views_users.user_edit, methods=["GET", "POST"]
)
bp.add_url_rule(
    "/users/<int:user_id>/reset-password",
    view_func=views_users.user_reset_password,
    methods=["POST"],
)
bp.add_url_rule(
    "/users/<int:user_id>/disable", view_func=views_users.user_disable, methods=["POST"]
)
bp.add_url_rule("/users/<int:user_id>/enable", view_func=views_users.user_enable, methods=["POST"])
bp.add_url_rule("/regions", view_func=views_orgs.regions)
bp.add_url_rule("/regions/new", view_func=views_orgs.region_new, methods=["GET", "POST"])
bp.add_url_rule(
    "/regions/<int:region_id>/edit", view_func=views_orgs.region_edit, methods=["GET", "POST"]
)
bp.add_url_rule("/enterprises", view_func=views_orgs.enterprises)
bp.add_url_rule("/enterprises/new", view_func=views_orgs.enterprise_new, methods=["GET", "POST"])
bp.add_url_rule(
    "/enterprises/<int:enterprise_id>/edit",
    view_func=views_orgs.enterprise_edit,
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/enterprises/import", view_func=views_import.import_enterprises, methods=["GET", "POST"]
)
bp.add_url_rule("/enterprises/import/template.xlsx", view_func=views_import.import_template)

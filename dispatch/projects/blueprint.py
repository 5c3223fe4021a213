"""Every URL of the projects feature in one place (views are plain functions)."""

from __future__ import annotations

from flask import Blueprint

from dispatch.projects import template_globals, views, views_excel, views_review

bp = Blueprint("projects", __name__, url_prefix="/projects", template_folder="templates")

bp.add_url_rule("/", view_func=views.index)
bp.add_url_rule("/<int:project_id>", view_func=views.show)
bp.add_url_rule("/new", view_func=views.new, methods=["GET", "POST"])
bp.add_url_rule("/<int:project_id>/edit", view_func=views.edit, methods=["GET", "POST"])
bp.add_url_rule("/<int:project_id>/submit", view_func=views.submit, methods=["POST"])
bp.add_url_rule("/review", view_func=views_review.review)
bp.add_url_rule("/<int:project_id>/approve", view_func=views_review.approve, methods=["POST"])
bp.add_url_rule("/<int:project_id>/return", view_func=views_review.return_, methods=["POST"])
bp.add_url_rule("/<int:project_id>/withdraw", view_func=views_review.withdraw, methods=["POST"])
bp.add_url_rule(
    "/<int:project_id>/withdrawal-request",
    view_func=views_review.withdrawal_request,
    methods=["POST"],
)
bp.add_url_rule("/<int:project_id>/change", view_func=views_review.change, methods=["GET", "POST"])
bp.add_url_rule(
    "/change-requests/<int:request_id>/<any(approve, reject):decision>",
    view_func=views_review.decide,
    methods=["POST"],
)
bp.add_url_rule("/export.xlsx", view_func=views_excel.export_plan_list)
bp.add_url_rule("/import", view_func=views_excel.import_plan_list, methods=["GET", "POST"])
bp.add_url_rule("/import/template.xlsx", view_func=views_excel.import_template)
bp.add_app_template_global(views.project_actions)
template_globals.register(bp)

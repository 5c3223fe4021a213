"""Every URL of the monthly dispatch feature in one place (views are plain functions)."""

from __future__ import annotations

from flask import Blueprint

from dispatch.rounds import views_city, views_city_review, views_excel, views_fill, views_report

bp = Blueprint("rounds", __name__, url_prefix="/rounds", template_folder="templates")

# City side: rounds, their overview and deadlines, the review queue and decisions.
bp.add_url_rule("/", view_func=views_city.index)
bp.add_url_rule("/open", view_func=views_city.open_round, methods=["GET", "POST"])
bp.add_url_rule("/<int:round_id>", view_func=views_city.show)
bp.add_url_rule("/<int:round_id>/deadlines", view_func=views_city.set_deadlines, methods=["POST"])
bp.add_url_rule("/<int:round_id>/close", view_func=views_city.close, methods=["POST"])
bp.add_url_rule("/review", view_func=views_city_review.review, methods=["GET", "POST"])
bp.add_url_rule(
    "/reports/<int:report_id>/approve",
    view_func=views_city_review.approve_report,
    methods=["POST"],
)
bp.add_url_rule(
    "/reports/<int:report_id>/return",
    view_func=views_city_review.return_report,
    methods=["POST"],
)

# Workbooks: the progress workbook, the district's fill workbook and its import.
bp.add_url_rule("/<int:round_id>/progress.xlsx", view_func=views_excel.progress_workbook)
bp.add_url_rule("/<int:round_id>/fill.xlsx", view_func=views_excel.fill_workbook)
bp.add_url_rule(
    "/<int:round_id>/import", view_func=views_excel.import_reports, methods=["GET", "POST"]
)

# Filling side: the round's reports, the grid, one report, the to-do list, a project's rounds.
bp.add_url_rule("/todo", view_func=views_report.todo)
bp.add_url_rule("/<int:round_id>/reports", view_func=views_report.reports)
bp.add_url_rule("/<int:round_id>/grid", view_func=views_fill.grid, methods=["GET", "POST"])
bp.add_url_rule(
    "/<int:round_id>/submit-complete", view_func=views_fill.submit_complete, methods=["POST"]
)
bp.add_url_rule("/reports/<int:report_id>", view_func=views_report.report)
bp.add_url_rule(
    "/reports/<int:report_id>/edit", view_func=views_fill.edit_report, methods=["GET", "POST"]
)
bp.add_url_rule(
    "/reports/<int:report_id>/submit", view_func=views_fill.submit_report, methods=["POST"]
)
bp.add_url_rule("/projects/<int:project_id>", view_func=views_report.project_history)

"""Every URL of the reductions feature in one place (views are plain functions)."""

from __future__ import annotations

from flask import Blueprint

from dispatch.reductions import views, views_export, views_targets

bp = Blueprint("reductions", __name__, url_prefix="/reductions", template_folder="templates")

# Region totals against targets; the city's targets of one period.
bp.add_url_rule("/", view_func=views.index)
bp.add_url_rule(
    "/targets", view_func=views_targets.edit, methods=["GET", "POST"], endpoint="targets"
)
# The accounting workbook of a year (national-export.md §3).
bp.add_url_rule("/accounting.xlsx", view_func=views_export.accounting_workbook)

# A project's accounting: versions and results, the entry of actual parameters, 核定.
bp.add_url_rule("/projects/<int:project_id>", view_func=views.project)
bp.add_url_rule("/projects/<int:project_id>/enter", view_func=views.enter, methods=["GET", "POST"])
bp.add_url_rule("/projects/<int:project_id>/confirm", view_func=views.confirm, methods=["POST"])

"""Every URL of the reductions feature in one place (views are plain functions)."""

from __future__ import annotations

from flask import Blueprint

from dispatch.reductions import views, views_closeout, views_export, views_sheet, views_targets

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

# Close-out (销号): the conditions and the confirm form with an optional note.
bp.add_url_rule(
    "/projects/<int:project_id>/close",
    view_func=views_closeout.close,
    methods=["GET", "POST"],
    endpoint="close",
)

# A confirmation's calculation sheet (削减量计算书): the printable page and the filed PDF.
bp.add_url_rule(
    "/confirmations/<int:confirmation_id>/sheet", view_func=views_sheet.sheet, endpoint="sheet"
)
bp.add_url_rule(
    "/confirmations/<int:confirmation_id>/sheet.pdf",
    view_func=views_sheet.sheet_pdf_download,
    endpoint="sheet_pdf",
)

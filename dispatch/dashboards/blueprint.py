"""Every URL of the dashboards (统计分析) in one place (views are plain functions)."""

from __future__ import annotations

from flask import Blueprint

from dispatch.dashboards import views

bp = Blueprint("dashboards", __name__, url_prefix="/dashboards", template_folder="templates")

# The caller's own region (city or district); a city or district of its area by id.
bp.add_url_rule("/", view_func=views.index)
bp.add_url_rule("/regions/<int:region_id>", view_func=views.region)

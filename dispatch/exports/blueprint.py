"""Every URL of the combined exports in one place (views are plain functions)."""

from __future__ import annotations

from flask import Blueprint

from dispatch.exports import views

bp = Blueprint("exports", __name__, url_prefix="/exports")

# The yearly package: plan list, the latest round, accounting, evidence archive.
bp.add_url_rule("/package.zip", view_func=views.package)

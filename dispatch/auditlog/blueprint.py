"""Every URL of the auditlog feature in one place (views are plain functions)."""

from __future__ import annotations

from flask import Blueprint

from dispatch.auditlog import views

bp = Blueprint("auditlog", __name__, url_prefix="/audit", template_folder="templates")

bp.add_url_rule("/events", view_func=views.events)
bp.add_url_rule("/events.xlsx", view_func=views.export_events)

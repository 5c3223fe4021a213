"""Every URL of the home feature in one place (views are plain functions)."""

from __future__ import annotations

from flask import Blueprint

from dispatch.home import views

bp = Blueprint("home", __name__, template_folder="templates")

bp.add_url_rule("/", view_func=views.index)
bp.add_url_rule("/healthz", view_func=views.healthz)

"""Every URL of the monthly dispatch feature in one place (views are plain functions)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("rounds", __name__, url_prefix="/rounds", template_folder="templates")

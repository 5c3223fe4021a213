"""Plan-list views: list, detail, create/edit drafts, submit (thin; rules in services)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("projects", __name__, url_prefix="/projects", template_folder="templates")

"""Every URL of the evidence archive in one place (views are plain functions)."""

from __future__ import annotations

from flask import Blueprint

from dispatch.evidence import views, views_archive, views_download, views_files

bp = Blueprint("evidence", __name__, url_prefix="/evidence", template_folder="templates")

bp.add_url_rule("/", view_func=views.index)
bp.add_url_rule("/projects/<int:project_id>", view_func=views.checklist)
bp.add_url_rule(
    "/projects/<int:project_id>/items/<item_code>/upload",
    view_func=views_files.upload,
    methods=["POST"],
)
bp.add_url_rule("/files/<int:evidence_id>/replace", view_func=views_files.replace, methods=["POST"])
bp.add_url_rule(
    "/files/<int:evidence_id>/pre-review", view_func=views_files.pre_review, methods=["POST"]
)
bp.add_url_rule("/files/<int:evidence_id>/review", view_func=views_files.review, methods=["POST"])
bp.add_url_rule("/files/<int:evidence_id>/download", view_func=views_download.download)
bp.add_url_rule("/files/<int:evidence_id>/preview", view_func=views_download.preview)
bp.add_url_rule("/archive.zip", view_func=views_archive.archive)

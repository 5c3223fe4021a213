"""Evidence pages that write: upload to an item, replace a file, pre-review and review.

Each file of an upload is its own unit of work (:func:`dispatch.web.uow.run`): a refused
file rolls back alone, leaving nothing stored (``dispatch.storage.files`` deletes its
object), its message naming the file is flashed, and the others are kept. Every action
returns to the project's checklist; the page's upload script asks for JSON instead of a
redirect (``X-Requested-With``) so the flashed messages wait for the page it then loads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, jsonify, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from dispatch.access import (
    Permission,
    can_upload_evidence,
    has_permission,
    require,
    visible_evidence,
    visible_projects,
)
from dispatch.core.catalog import get_catalog
from dispatch.db import get_session
from dispatch.errors import DomainError
from dispatch.evidence import services
from dispatch.evidence.views import load_evidence, load_project, report_choices
from dispatch.storage import Storage
from dispatch.storage.current import current_storage
from dispatch.web import uow
from dispatch.web.uploads import MB, upload_limit
from forms.evidence import MAX_FILES, ReplaceForm, ReviewForm, UploadForm, chosen_files
from models import EvidenceFile, ProgressReport, Project


def _item_limit(project: Project | None, item_code: str) -> int | None:
    """An item's own file size limit, for the upload before it is read (not secret: the
    catalog's limits are the same for everyone; nothing else is looked at here)."""
    if project is None:
        return None
    try:
        return services.item_of(get_catalog(), project, item_code).max_file_mb * MB
    except DomainError:
        return None  # the view answers 404


def _upload_limit(project_id: int, item_code: str) -> int | None:
    return _item_limit(get_session().get(Project, project_id), item_code)


def _replace_limit(evidence_id: int) -> int | None:
    ev = get_session().get(EvidenceFile, evidence_id)
    return None if ev is None else _item_limit(ev.project, ev.item_code)


def _upload_target(project_id: int, item_code: str) -> Storage | None:
    """Where an upload to a project the caller may file evidence for is put as it arrives."""
    if not has_permission(current_user, Permission.EVIDENCE_UPLOAD):
        return None
    project = get_session().scalar(visible_projects(current_user).where(Project.id == project_id))
    if project is None or not can_upload_evidence(current_user, project):
        return None
    if _system_item(project, item_code):
        return None  # refused by the view: nothing to put early
    return current_storage()


def _system_item(project: Project, item_code: str) -> bool:
    try:
        return services.item_of(get_catalog(), project, item_code).system
    except DomainError:
        return False


def _replace_target(evidence_id: int) -> Storage | None:
    if not has_permission(current_user, Permission.EVIDENCE_UPLOAD):
        return None
    ev = get_session().scalar(visible_evidence(current_user).where(EvidenceFile.id == evidence_id))
    return None if ev is None else _upload_target(ev.project_id, ev.item_code)


def _back(project_id: int, anchor: str | None = None):  # type: ignore[no-untyped-def]
    """To the checklist: a redirect, or its address as JSON for the upload script."""
    url = url_for("evidence.checklist", project_id=project_id, _anchor=anchor)
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return jsonify(location=url)
    return redirect(url)


def _flash_errors(form: Any) -> None:
    for field_name, messages in form.errors.items():
        label = str(getattr(form, field_name).label.text) if hasattr(form, field_name) else ""
        for message in messages:
            shown = message if not label or label in message else f"{label}：{message}"
            flash(shown, "danger")


def _upload_one(
    project: Project,
    item_code: str,
    upload: FileStorage,
    report: ProgressReport | None,
    note: str,
) -> Callable[[Session], EvidenceFile]:
    def work(db: Session) -> EvidenceFile:
        # From the start on every attempt: a rerun after a lost race reads it again.
        upload.stream.seek(0)
        return services.upload(
            db,
            current_storage(),
            uow.acting(),
            get_catalog(),
            project,
            item_code,
            upload.stream,
            upload.filename,
            report=report,
            note=note,
        )

    return work


@upload_limit(_upload_limit, files=MAX_FILES, store_as="evidence", target=_upload_target)
@require(Permission.EVIDENCE_UPLOAD)
def upload(project_id: int, item_code: str):  # type: ignore[no-untyped-def]
    project = load_project(project_id)
    try:
        item = services.item_of(get_catalog(), project, item_code)
    except DomainError:
        abort(404)
    anchor = f"item-{item.code}"
    if item.system:
        flash(services.system_item_message(item), "danger")
        return _back(project.id, anchor)
    form = UploadForm(reports=report_choices(project))
    if not form.validate_on_submit():
        _flash_errors(form)
        return _back(project.id, anchor)
    if not can_upload_evidence(current_user, project):
        flash(f"项目当前状态为“{project.plan_status.label}”，不能上传佐证材料", "danger")
        return _back(project.id, anchor)
    # The choices are the project's reports the user may see: the id is one of them.
    report = get_session().get(ProgressReport, form.report) if form.report else None
    stored = []
    for upload_ in chosen_files(form.files.data):
        outcome = uow.run(_upload_one(project, item.code, upload_, report, form.note.data))
        if outcome.ok and outcome.value is not None:
            stored.append(f"“{outcome.value.file.original_name}”")
    if stored:
        flash(f"已上传 {len(stored)} 个文件：{'、'.join(stored)}，等待审核", "success")
    return _back(project.id, anchor)


@upload_limit(_replace_limit, store_as="evidence", target=_replace_target)
@require(Permission.EVIDENCE_UPLOAD)
def replace(evidence_id: int):  # type: ignore[no-untyped-def]
    ev = load_evidence(evidence_id)
    form = ReplaceForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return _back(ev.project_id, f"item-{ev.item_code}")
    new = chosen_files(form.file.data)[0]

    def work(db: Session) -> EvidenceFile:
        new.stream.seek(0)
        return services.replace(
            db,
            current_storage(),
            uow.acting(),
            get_catalog(),
            ev,
            new.stream,
            new.filename,
            version=form.version.data,
            note=form.note.data,
        )

    outcome = uow.run(work)
    if outcome.ok and outcome.value is not None:
        flash(f"已上传新版本“{outcome.value.file.original_name}”，等待审核", "success")
    return _back(ev.project_id, f"item-{ev.item_code}")


def _verdict(ev: EvidenceFile, service: Any, done: str):  # type: ignore[no-untyped-def]
    form = ReviewForm()
    if form.validate_on_submit():
        outcome = uow.run(
            lambda db: service(
                db, uow.acting(), ev, form.accepted, form.reason.data, version=form.version.data
            )
        )
        if outcome.ok:
            verdict = "合格" if form.accepted else "不合格"
            flash(f"“{ev.file.original_name}”{done}：{verdict}", "success")
    else:
        _flash_errors(form)
    return _back(ev.project_id, f"file-{ev.id}")


@require(Permission.EVIDENCE_PRE_REVIEW)
def pre_review(evidence_id: int):  # type: ignore[no-untyped-def]
    return _verdict(load_evidence(evidence_id), services.pre_review, "预审意见已保存")


@require(Permission.EVIDENCE_REVIEW)
def review(evidence_id: int):  # type: ignore[no-untyped-def]
    return _verdict(load_evidence(evidence_id), services.review, "已审核")

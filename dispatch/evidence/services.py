"""Evidence rules: file an upload against an item, replace it, pre-review and review it.

Services take the session, the storage and the :class:`~dispatch.audit.Acting`, follow
``EVIDENCE_WORKFLOW`` of ``dispatch.access``, write the audit log, may flush, and never
commit. An upload is sniffed from its bytes before anything is stored; a refused file
leaves nothing behind and its message names the file and the reason.
"""

from __future__ import annotations

from typing import IO

from sqlalchemy.orm import Session

from dispatch import audit
from dispatch.access import EVIDENCE_WORKFLOW, has_permission
from dispatch.audit import Acting
from dispatch.core import inputs
from dispatch.core.catalog import Catalog, EvidenceItem
from dispatch.errors import DomainError, clean_text_field
from dispatch.evidence import sniff
from dispatch.projects.services import check_version
from dispatch.storage import ObjectTooLarge, Storage, StorageError
from dispatch.storage.files import store
from models import EvidenceFile, EvidenceStatus, PlanStatus, ProgressReport, Project

MB = 1024 * 1024
NOTE_MAX = 500
REASON_MAX = 2000


def item_of(catalog: Catalog, project: Project, item_code: str) -> EvidenceItem:
    """The checklist item ``item_code`` of the project's type and method."""
    etype = catalog.type(project.type_code)
    for item in etype.evidence_items:
        if item.code == item_code and item.applies_to(project.method):
            return item
    raise DomainError(f"建档条目“{inputs.shown(item_code)}”不适用于该项目", field="item")


def system_item_message(item: EvidenceItem) -> str:
    return f"“{item.code} {item.name_zh}”由系统在市局核定减排量时自动生成并归档，不能上传"


def _user_filled(item: EvidenceItem) -> EvidenceItem:
    """Refuse the item the system fills (the calculation sheet): no upload, no new version."""
    if item.system:
        raise DomainError(system_item_message(item), field="item")
    return item


def _audit(
    session: Session, acting: Acting, action: str, ev: EvidenceFile, **details: object
) -> None:
    audit.record(
        session,
        acting,
        f"evidence.{action}",
        object_type="evidence_file",
        object_id=ev.id,
        details={
            "project": ev.project.code,
            "item": ev.item_code,
            "file": ev.file.original_name,
            "sha256": ev.file.sha256,
            **details,
        },
    )


def _note(note: str | None) -> str:
    return clean_text_field(note, "说明", field="note", max_length=NOTE_MAX)


def _stored(
    session: Session,
    storage: Storage,
    acting: Acting,
    item: EvidenceItem,
    stream: IO[bytes],
    filename: str | None,
):  # type: ignore[no-untyped-def]
    """Sniff, then store: the checks every new file passes, with the file named in errors."""
    try:
        name = sniff.clean_name(filename)
    except sniff.Refused as exc:
        raise DomainError(
            f"文件“{inputs.shown(filename or '')}”：{exc.reason}", field="files"
        ) from exc
    limit = item.max_file_mb * MB
    try:
        found = sniff.sniff(stream, name, item.formats)
        if sniff.size_of(stream) > limit:
            raise ObjectTooLarge(limit)
        return store(
            session,
            storage,
            acting,
            stream,
            original_name=name,
            content_type=found.content_type,
            max_size=limit,
        )
    except sniff.Refused as exc:
        raise DomainError(f"文件“{name}”：{exc.reason}", field="files") from exc
    except StorageError as exc:
        raise DomainError(f"文件“{name}”：{exc.message}", field="files") from exc


def upload(
    session: Session,
    storage: Storage,
    acting: Acting,
    catalog: Catalog,
    project: Project,
    item_code: str,
    stream: IO[bytes],
    filename: str | None,
    *,
    report: ProgressReport | None = None,
    note: str | None = None,
) -> EvidenceFile:
    """File one uploaded file against an item of an approved project."""
    if not has_permission(acting.actor, EVIDENCE_WORKFLOW["replace"].permission):
        raise DomainError("当前账户无权上传佐证材料")
    if project.plan_status != PlanStatus.APPROVED:
        raise DomainError(f"项目当前状态为“{project.plan_status.label}”，不能上传佐证材料")
    if report is not None and report.project_id != project.id:
        raise DomainError("所选填报不属于该项目", field="report")
    item = _user_filled(item_of(catalog, project, item_code))
    text = _note(note)
    row = _stored(session, storage, acting, item, stream, filename)
    ev = EvidenceFile(
        project=project,
        item_code=item.code,
        file=row,
        report=report,
        note=text,
        status=EvidenceStatus.UPLOADED,
        created_at=acting.at,
    )
    session.add(ev)
    session.flush()
    _audit(session, acting, "upload", ev, size=row.size)
    return ev


def _step(acting: Acting, ev: EvidenceFile, action: str) -> EvidenceStatus | None:
    step = EVIDENCE_WORKFLOW[action]
    if not ev.current:
        raise DomainError("该文件已被新版本替换，请在最新版本上操作")
    if not step.allows(ev.status):
        raise DomainError(f"文件当前状态为“{ev.status.label}”，不能执行此操作")
    if not has_permission(acting.actor, step.permission):
        raise DomainError("当前账户无权执行此操作")
    return step.to


def replace(
    session: Session,
    storage: Storage,
    acting: Acting,
    catalog: Catalog,
    old: EvidenceFile,
    stream: IO[bytes],
    filename: str | None,
    *,
    version: int,
    note: str | None = None,
) -> EvidenceFile:
    """A new version of ``old``; the old one is kept, listed and no longer counted."""
    _step(acting, old, "replace")
    check_version(old, version)
    if old.project.plan_status != PlanStatus.APPROVED:
        raise DomainError("项目不在计划清单中，不能替换文件")
    item = _user_filled(item_of(catalog, old.project, old.item_code))
    text = _note(note)
    row = _stored(session, storage, acting, item, stream, filename)
    old.current = False
    new = EvidenceFile(
        project=old.project,
        item_code=old.item_code,
        file=row,
        report=old.report,
        replaces=old,
        note=text,
        status=EvidenceStatus.UPLOADED,
        created_at=acting.at,
    )
    session.add(new)
    session.flush()
    _audit(session, acting, "replace", new, replaces=old.id, size=row.size)
    return new


def _reason(reason: str | None, *, required: bool) -> str:
    text = clean_text_field(reason, "原因", field="reason", max_length=REASON_MAX)
    if required and not text:
        raise DomainError("判定不合格必须填写原因", field="reason")
    return text


def pre_review(
    session: Session,
    acting: Acting,
    ev: EvidenceFile,
    accepted: bool,
    reason: str | None,
    *,
    version: int,
) -> None:
    """The district's advisory opinion; the city still decides."""
    text = _reason(reason, required=not accepted)
    _step(acting, ev, "pre_review")
    check_version(ev, version)
    ev.pre_status = EvidenceStatus.ACCEPTED if accepted else EvidenceStatus.REJECTED
    ev.pre_reason = text
    ev.pre_reviewed_by_id = acting.actor.id
    ev.pre_reviewed_at = acting.at
    _audit(session, acting, "pre_review", ev, verdict=ev.pre_status.value, reason=text)


def review(
    session: Session,
    acting: Acting,
    ev: EvidenceFile,
    accepted: bool,
    reason: str | None,
    *,
    version: int,
) -> None:
    """The city's final decision: accepted (合格), or rejected (不合格) with a reason."""
    text = _reason(reason, required=not accepted)
    to = _step(acting, ev, "accept" if accepted else "reject")
    check_version(ev, version)
    assert to is not None
    ev.status = to
    ev.review_reason = text
    ev.reviewed_by_id = acting.actor.id
    ev.reviewed_at = acting.at
    _audit(session, acting, "accept" if accepted else "reject", ev, reason=text)

"""Plan-list rules: create and edit drafts, submit, review, change requests, withdrawal.

Services take the session and the :class:`~dispatch.audit.Acting` (who, when, from where),
enforce the workflow of workflow.md, write the project's history and the audit log, may
flush, and never commit.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.access import PLAN_WORKFLOW, has_permission
from dispatch.audit import Acting
from dispatch.errors import DomainError, StaleObjectError, clean_text_field
from dispatch.projects import hooks
from dispatch.projects.data import CleanProject
from dispatch.projects.history import record_event
from models import (
    ChangeRequest,
    ChangeRequestKind,
    ChangeRequestStatus,
    PlanStatus,
    Project,
)

EDITABLE = PLAN_WORKFLOW["edit"].from_
REASON_MAX = 2000
BAD_VERSION = "页面版本信息缺失或无效，无法确认您看到的是最新内容，请刷新页面后重试"
# Fields a change request may alter (type, year and district define the code: not these).
CHANGEABLE = (
    "name",
    "method",
    "enterprise_id",
    "owner_unit",
    "site_address",
    "longitude",
    "latitude",
    "planned_start",
    "planned_completion",
    "total_investment",
    "env_investment",
    "contact_name",
    "contact_phone",
    "notes",
    "params",
)


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def snapshot(project: Project) -> dict[str, Any]:
    """The changeable fields of a project as JSON-friendly values."""
    return {field: _json(getattr(project, field)) for field in CHANGEABLE}


def _clean_values(clean: CleanProject) -> dict[str, Any]:
    values = {field: getattr(clean, field) for field in CHANGEABLE if field != "enterprise_id"}
    values["enterprise_id"] = clean.enterprise.id if clean.enterprise is not None else None
    return values


def check_version(project: Project, version: int) -> None:
    """The page was rendered from ``version``; refuse to act on a newer save.

    Every state change of a project requires it: a missing or malformed version is
    refused, never taken as "no check".
    """
    if isinstance(version, bool) or not isinstance(version, int):
        raise DomainError(BAD_VERSION)
    # Any other number (0, -1 included) is a version this project does not have now.
    if project.version_id != version:
        raise StaleObjectError()


def _ensure_unique_name(session: Session, clean: CleanProject, exclude_id: int | None) -> None:
    stmt = select(Project.id).where(
        Project.district_id == clean.district.id,
        Project.plan_year == clean.plan_year,
        Project.name == clean.name,
    )
    if exclude_id is not None:
        stmt = stmt.where(Project.id != exclude_id)
    if session.scalar(stmt) is not None:
        raise DomainError(
            f"{clean.district.name}{clean.plan_year}年已有同名项目“{clean.name}”", field="name"
        )


def next_code(session: Session, division_code: str, year: int, type_code: str) -> str:
    """``{division}-{year}-{type}-{seq:03d}``, the next free sequence number."""
    prefix = f"{division_code}-{year}-{type_code}-"
    codes = session.scalars(select(Project.code).where(Project.code.startswith(prefix)))
    highest = max((int(code.rsplit("-", 1)[1]) for code in codes), default=0)
    return f"{prefix}{highest + 1:03d}"


def _apply(project: Project, clean: CleanProject) -> None:
    for field, value in _clean_values(clean).items():
        setattr(project, field, value)
    project.enterprise = clean.enterprise
    project.construction_status = clean.construction_status
    # Actual dates normally arrive through monthly progress; a project entering the plan
    # list already built carries them from the start.
    project.actual_start = clean.actual_start
    project.actual_completion = clean.actual_completion
    project.stable_operation_from = clean.stable_operation_from
    project.set_expected(clean.result.reductions)
    project.accounting = clean.result.to_json()


def create_project(
    session: Session, acting: Acting, clean: CleanProject, *, action: str = "create"
) -> Project:
    _ensure_unique_name(session, clean, None)
    project = Project(
        code=next_code(session, clean.district.division_code, clean.plan_year, clean.type_code),
        type_code=clean.type_code,
        plan_year=clean.plan_year,
        district=clean.district,
        district_id=clean.district.id,
        plan_status=PlanStatus.DRAFT,
        created_by_id=acting.actor.id,
        created_at=acting.at,
        updated_at=acting.at,
    )
    _apply(project, clean)
    session.add(project)
    session.flush()
    record_event(session, project, acting, action)
    return project


def update_draft(
    session: Session,
    acting: Acting,
    project: Project,
    clean: CleanProject,
    *,
    version: int,
) -> None:
    if project.plan_status not in EDITABLE:
        raise DomainError("只有草稿或已退回的项目可以修改；已入库项目请提交变更申请")
    check_version(project, version)
    if (clean.type_code, clean.plan_year, clean.district.id) != (
        project.type_code,
        project.plan_year,
        project.district_id,
    ):
        raise DomainError("工程类型、计划年度和所在区县决定项目编号，保存后不能修改")
    _ensure_unique_name(session, clean, project.id)
    before = snapshot(project)
    _apply(project, clean)
    project.updated_at = acting.at
    after = snapshot(project)
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    record_event(session, project, acting, "update", changes=changes)


def _transition(
    session: Session,
    acting: Acting,
    project: Project,
    action: str,
    *,
    version: int,
    comment: str = "",
) -> None:
    # The plan-status table in dispatch.access says from where, to where and who.
    step = PLAN_WORKFLOW[action]
    if step.to is None:
        raise ValueError(f"{action} does not move the plan status")
    if not step.allows(project.plan_status):
        raise DomainError(f"项目当前状态为“{project.plan_status.label}”，不能执行此操作")
    if not has_permission(acting.actor, step.permission):
        raise DomainError("当前账户无权执行此操作")
    check_version(project, version)
    before = project.plan_status
    project.plan_status = step.to
    project.updated_at = acting.at
    record_event(session, project, acting, action, from_status=before, comment=comment)
    if step.to == PlanStatus.APPROVED:
        hooks.run_after_approve(session, acting, project)


def _reason(reason: str | None, what: str, label: str = "原因", *, required: bool = True) -> str:
    text = clean_text_field(reason, label, field="reason", max_length=REASON_MAX)
    if required and not text:
        raise DomainError(f"{what}必须填写原因", field="reason")
    return text


def submit(session: Session, acting: Acting, project: Project, *, version: int) -> None:
    _transition(session, acting, project, "submit", version=version)
    project.submitted_at = acting.at


def approve(session: Session, acting: Acting, project: Project, *, version: int) -> None:
    _transition(session, acting, project, "approve", version=version)
    project.approved_at = acting.at
    project.review_comment = ""


def return_project(
    session: Session, acting: Acting, project: Project, reason: str | None, *, version: int
) -> None:
    text = _reason(reason, "退回")
    _transition(session, acting, project, "return", comment=text, version=version)
    project.review_comment = text


def withdraw(
    session: Session, acting: Acting, project: Project, reason: str | None, *, version: int
) -> None:
    text = _reason(reason, "调出")
    _transition(session, acting, project, "withdraw", comment=text, version=version)
    project.review_comment = text


def pending_request(session: Session, project: Project) -> ChangeRequest | None:
    return session.scalar(
        select(ChangeRequest).where(
            ChangeRequest.project_id == project.id,
            ChangeRequest.status == ChangeRequestStatus.PENDING,
        )
    )


def request_change(
    session: Session,
    acting: Acting,
    project: Project,
    clean: CleanProject | None,
    reason: str | None,
    *,
    version: int,
) -> ChangeRequest:
    """A change (``clean`` given) or withdrawal (``clean`` None) request for an approved
    project, as the requester saw it at ``version``."""
    if not PLAN_WORKFLOW["request_change"].allows(project.plan_status):
        raise DomainError("只有已入库的项目可以申请变更或调出")
    check_version(project, version)
    if pending_request(session, project) is not None:
        raise DomainError("该项目已有待审核的申请，请等待市局处理")
    text = _reason(reason, "变更申请" if clean is not None else "调出申请")
    proposed: dict[str, Any] = {}
    kind = ChangeRequestKind.WITHDRAWAL
    if clean is not None:
        kind = ChangeRequestKind.CHANGE
        if (clean.type_code, clean.plan_year, clean.district.id) != (
            project.type_code,
            project.plan_year,
            project.district_id,
        ):
            raise DomainError("变更申请不能修改工程类型、计划年度和所在区县")
        _ensure_unique_name(session, clean, project.id)
        current = snapshot(project)
        proposed = {k: _json(v) for k, v in _clean_values(clean).items() if _json(v) != current[k]}
        if not proposed:
            raise DomainError("变更申请未修改任何内容")
    request_ = ChangeRequest(
        project=project,
        kind=kind,
        proposed=proposed,
        reason=text,
        submitted_by_id=acting.actor.id,
        submitted_at=acting.at,
    )
    session.add(request_)
    session.flush()
    record_event(
        session, project, acting, f"{kind.value}_request", comment=text,
        changes={k: [None, v] for k, v in proposed.items()},
    )  # fmt: skip
    return request_


def decide_request(
    session: Session,
    acting: Acting,
    request_: ChangeRequest,
    *,
    approve_it: bool,
    comment: str | None,
    clean: CleanProject | None,
    version: int,
) -> None:
    """Approve (apply the values, keep the old ones) or reject a pending request.

    ``clean`` is the project re-validated with the proposed values applied; the view builds
    it so the same rules as the form apply at decision time. ``version`` is the project's
    as the reviewer saw it next to the request.
    """
    project = request_.project
    if request_.status != ChangeRequestStatus.PENDING:
        raise DomainError("该申请已处理")
    if project.plan_status != PlanStatus.APPROVED:
        raise DomainError("项目已不在计划清单中，不能处理此申请")
    check_version(project, version)
    if approve_it:
        text = _reason(comment, "批准", "意见", required=False)
    else:
        text = _reason(comment, "驳回", "驳回原因")
    request_.status = ChangeRequestStatus.APPROVED if approve_it else ChangeRequestStatus.REJECTED
    request_.decided_by_id = acting.actor.id
    request_.decided_at = acting.at
    request_.decision_comment = text
    kind = request_.kind
    if not approve_it:
        record_event(session, project, acting, f"{kind.value}_reject", comment=text)
        return
    if kind == ChangeRequestKind.WITHDRAWAL:
        request_.previous = {"plan_status": project.plan_status.value}
        withdraw(session, acting, project, request_.reason, version=version)
        return
    if clean is None:
        raise DomainError("变更内容校验失败")
    before = snapshot(project)
    request_.previous = {k: before[k] for k in request_.proposed}
    _apply(project, clean)
    project.updated_at = acting.at
    record_event(
        session, project, acting, "change_approve", comment=text,
        changes={k: [before[k], request_.proposed[k]] for k in request_.proposed},
    )  # fmt: skip

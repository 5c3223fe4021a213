"""Close-out (销号): the city closes out a project once its reductions are confirmed.

workflow.md: the city closes out a project after its accounting is confirmed and its
archive is complete. The move itself (approved → closed, by whom) is the ``close`` entry
of :data:`~dispatch.access.PLAN_WORKFLOW`; this module adds the conditions:

- the project is in the plan list (approved) and in stable operation;
- it has at least one current confirmation (核定) and no draft awaiting one: a draft left
  behind could never be confirmed afterwards, since accounting refuses closed projects;
- its evidence archive is complete: every blocking item of every stage it has reached
  (the operation stage included, so the system-filed calculation sheet too) has its
  accepted files.

A closed project leaves later rounds (rounds are opened for approved projects only) while
earlier rounds keep its reports; its confirmed credits stay in the region totals
(``queries.COUNTED_STATUSES``). The close-out is one entry of the project's history and
one audit event (``project.close``), written by :func:`record_event` as for every other
plan transition. Services never commit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.access import PLAN_WORKFLOW, has_permission
from dispatch.audit import Acting
from dispatch.core.catalog import Catalog
from dispatch.errors import DomainError, clean_text_field
from dispatch.evidence import checklist as checklists
from dispatch.projects.history import record_event
from dispatch.projects.services import check_version
from models import (
    ConfirmationStatus,
    ConstructionStatus,
    PlanStatus,
    Project,
    ProjectEvent,
    ReductionConfirmation,
    User,
)

NOTE_MAX = 2000
ALREADY_CLOSED = "项目已销号"
NOT_APPROVED = "项目当前状态为“{status}”，只有计划清单中（已入库）的项目可以销号"
NOT_STABLE = "项目尚未进入稳定运行，不能销号"
NOT_CONFIRMED = "项目尚无市局核定的减排量，不能销号：请先完成减排量核算并核定"
DRAFT_PENDING = "{year}年有待核定的实际运行参数（第 {version} 版），请先核定后再销号"
ARCHIVE_INCOMPLETE = "佐证材料不完整（{done}/{total}），不能销号，缺少：{missing}"
NO_PERMISSION = "当前账户无权执行此操作"


def _confirmations(session: Session, project: Project) -> list[ReductionConfirmation]:
    stmt = (
        select(ReductionConfirmation)
        .where(
            ReductionConfirmation.project_id == project.id,
            ReductionConfirmation.status.in_(
                (ConfirmationStatus.CURRENT, ConfirmationStatus.DRAFT)
            ),
        )
        .order_by(ReductionConfirmation.year, ReductionConfirmation.version)
    )
    return list(session.scalars(stmt))


def missing_items(
    session: Session, catalog: Catalog, project: Project
) -> tuple[int, int, list[str]]:
    """(done, total, the unsatisfied blocking items as "阶段 code 名称（状态）")."""
    found = checklists.checklist(session, catalog, project)
    missing = [
        f"{stage.label}阶段 {state.item.code} {state.item.name_zh}（{state.label}）"
        for stage in found.stages
        for state in stage.items
        if checklists.blocking(state.item) and not state.satisfied
    ]
    done, total = found.progress
    return done, total, missing


def refusals(session: Session, catalog: Catalog, project: Project) -> list[str]:
    """Why the project cannot be closed out now, in Chinese ([] when it can)."""
    if project.plan_status == PlanStatus.CLOSED:
        return [ALREADY_CLOSED]
    if not PLAN_WORKFLOW["close"].allows(project.plan_status):
        return [NOT_APPROVED.format(status=project.plan_status.label)]
    reasons = []
    if project.construction_status != ConstructionStatus.STABLE_OPERATION:
        reasons.append(NOT_STABLE)
    rows = _confirmations(session, project)
    if not any(r.status == ConfirmationStatus.CURRENT for r in rows):
        reasons.append(NOT_CONFIRMED)
    reasons.extend(
        DRAFT_PENDING.format(year=r.year, version=r.version)
        for r in rows
        if r.status == ConfirmationStatus.DRAFT
    )
    done, total, missing = missing_items(session, catalog, project)
    if missing:
        reasons.append(
            ARCHIVE_INCOMPLETE.format(done=done, total=total, missing="；".join(missing))
        )
    return reasons


def _note(text: str | None) -> str:
    return clean_text_field(text, "销号说明", field="reason", max_length=NOTE_MAX)


def close_out(
    session: Session,
    acting: Acting,
    catalog: Catalog,
    project: Project,
    *,
    note: str | None = None,
    version: int,
) -> None:
    """Close out (销号) ``project`` at the ``version`` the page showed; refusals say why."""
    step = PLAN_WORKFLOW["close"]
    if not has_permission(acting.actor, step.permission):
        raise DomainError(NO_PERMISSION)
    check_version(project, version)
    reasons = refusals(session, catalog, project)
    if reasons:
        raise DomainError("；".join(reasons))
    text = _note(note)
    assert step.to is not None
    before = project.plan_status
    project.plan_status = step.to
    project.updated_at = acting.at
    record_event(session, project, acting, "close", from_status=before, comment=text)
    session.flush()


@dataclasses.dataclass(frozen=True)
class ClosedOut:
    """When, by whom and with what note the project was closed out (its history entry)."""

    at: dt.datetime
    by: User | None
    note: str


def closed_out(session: Session, project: Project) -> ClosedOut | None:
    """The latest close-out of a closed project (None while it is not closed)."""
    if project.plan_status != PlanStatus.CLOSED:
        return None
    event = session.scalar(
        select(ProjectEvent)
        .where(ProjectEvent.project_id == project.id, ProjectEvent.action == "close")
        .order_by(ProjectEvent.id.desc())
        .limit(1)
    )
    if event is None:
        return None
    return ClosedOut(event.occurred_at, event.actor, event.comment)

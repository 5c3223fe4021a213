"""Confirmed accounting (核定): the district enters actual parameters, the city confirms.

The flow (workflow.md: the district enters or confirms the actual operating parameters,
the city confirms accounting):

1. :func:`enter_actuals` (district or city): the actual parameters for one year, prefilled
   from the plan on the page. The engine computes capacity and credit at once, so the
   one who types sees the result and any error on its field. The result is a *draft*
   version (待核定); entering again updates the draft, never a confirmed version. When
   the year already has a confirmation, the draft is a correction and needs a reason.
2. :func:`confirm` (city): recomputes the draft's parameters with the catalog in force
   (so the fingerprint and the credit rule stored are those the numbers were made with)
   and makes it the current version; a previous current version of the year becomes
   superseded and points at its successor. Refused, with the reason in Chinese, while
   the project is not in the plan list, not in stable operation, its operation-stage
   archive is incomplete, or the parameters fail the engine's validation. The version's
   calculation sheet (削减量计算书) is filed in the project's archive on the way.

Services take the session, the :class:`~dispatch.audit.Acting` and the catalog, write the
audit log, may flush, never commit. Confirmed rows are never edited here (and a trigger
refuses it in the database).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch import audit
from dispatch.audit import Acting
from dispatch.core.accounting import (
    CREDIT_RULE_NAMES_ZH,
    AccountingValidationError,
    ParamError,
    YearAccount,
    account_year,
    credit_months,
)
from dispatch.core.catalog import Catalog
from dispatch.errors import DomainError, StaleObjectError, clean_text_field
from dispatch.evidence import checklist as checklists
from dispatch.projects.services import check_version
from dispatch.reductions.sheet_filing import file_sheet
from dispatch.storage import Storage
from models import (
    ConfirmationStatus,
    ConstructionStatus,
    PlanStatus,
    Project,
    ReductionConfirmation,
)

REASON_MAX = 2000
NOT_IN_PLAN = "项目不在计划清单中（未入库、已调出或已销号），不能核算减排量"
NOT_STABLE = "项目尚未进入稳定运行（或缺少稳定运行日期），不能核定减排量"
NO_CREDIT = "{year}年按“{rule}”规则没有可计入的当年减排量（稳定运行日期 {date}），请选择其他年度"
REASON_REQUIRED = "该年度已有核定结果，更正须填写更正原因"
NO_DRAFT = "该年度没有待核定的实际运行参数，请先由区县填报"
YEAR_BEFORE_STABLE = "核算年度不能早于稳定运行开始的年份（{year}年）"


class ParamsInvalid(DomainError):
    """The engine refused the parameters; ``errors`` name each field and rule."""

    def __init__(self, errors: list[ParamError], prefix: str = ""):
        message = prefix + "；".join(e.message for e in errors)
        super().__init__(message)
        self.errors = errors


def blocked_reasons(session: Session, catalog: Catalog, project: Project) -> list[str]:
    """Why the city cannot confirm this project's accounting now ([] when it can).

    The parameters are judged separately (they need the draft): see :func:`confirm`.
    """
    if project.plan_status != PlanStatus.APPROVED:
        return [NOT_IN_PLAN]
    if (
        project.construction_status != ConstructionStatus.STABLE_OPERATION
        or project.stable_operation_from is None
    ):
        return [NOT_STABLE]
    found = checklists.checklist(session, catalog, project)
    if not found.complete_through("operation"):
        missing = [
            f"{state.item.code} {state.item.name_zh}（{state.label}）"
            for stage in found.stages
            for state in stage.items
            if checklists.blocking(state.item) and not state.satisfied
        ]
        done, total = found.progress
        return [f"运行阶段佐证材料不完整（{done}/{total}），不能核定减排量：" + "；".join(missing)]
    return []


def _entry_refusal(project: Project) -> str | None:
    if project.plan_status != PlanStatus.APPROVED:
        return NOT_IN_PLAN
    if (
        project.construction_status != ConstructionStatus.STABLE_OPERATION
        or project.stable_operation_from is None
    ):
        return NOT_STABLE
    return None


def open_draft(session: Session, project: Project, year: int) -> ReductionConfirmation | None:
    return session.scalar(
        select(ReductionConfirmation).where(
            ReductionConfirmation.project_id == project.id,
            ReductionConfirmation.year == year,
            ReductionConfirmation.status == ConfirmationStatus.DRAFT,
        )
    )


def current_confirmation(
    session: Session, project: Project, year: int
) -> ReductionConfirmation | None:
    return session.scalar(
        select(ReductionConfirmation).where(
            ReductionConfirmation.project_id == project.id,
            ReductionConfirmation.year == year,
            ReductionConfirmation.status == ConfirmationStatus.CURRENT,
        )
    )


def _account(catalog: Catalog, project: Project, params: Mapping[str, Any], year: int,
             prefix: str = "") -> YearAccount:  # fmt: skip
    assert project.stable_operation_from is not None
    try:
        return account_year(
            project.method, params, project.stable_operation_from, year, catalog=catalog
        )
    except AccountingValidationError as exc:
        raise ParamsInvalid(exc.errors, prefix) from exc


def _store(row: ReductionConfirmation, account: YearAccount) -> None:
    result = account.result
    row.method = result.method
    row.stable_operation_from = account.stable_from
    row.inputs = result.inputs
    row.coefficients = result.coefficients
    row.formula = list(account.formula)
    row.formula_by_pollutant = {p: list(lines) for p, lines in account.by_pollutant.items()}
    row.warnings = list(result.warnings)
    row.set_results(account.capacity, account.credit)
    row.credit_rule = account.rule
    row.credit_months = account.months
    row.fingerprint = account.fingerprint


def _check_year(catalog: Catalog, project: Project, year: int) -> None:
    stable = project.stable_operation_from
    assert stable is not None
    if year < stable.year:
        raise DomainError(YEAR_BEFORE_STABLE.format(year=stable.year), field="year")
    if credit_months(stable, year, catalog.credit_rule) == 0:
        rule = CREDIT_RULE_NAMES_ZH[catalog.credit_rule]
        raise DomainError(
            NO_CREDIT.format(year=year, rule=rule, date=stable.isoformat()), field="year"
        )


def _reason(text: str | None) -> str:
    return clean_text_field(text, "更正原因", field="reason", max_length=REASON_MAX)


def enter_actuals(
    session: Session,
    acting: Acting,
    catalog: Catalog,
    project: Project,
    *,
    year: int,
    params: Mapping[str, Any],
    reason: str | None = None,
    version: int,
    draft_version: int | None,
) -> ReductionConfirmation:
    """Save the actual parameters of ``year`` as the project's draft version.

    ``version`` is the project's version the page showed; ``draft_version`` the draft's
    (None: the page showed no draft), so a draft changed or confirmed meanwhile is stale.
    """
    check_version(project, version)
    refusal = _entry_refusal(project)
    if refusal:
        raise DomainError(refusal)
    _check_year(catalog, project, year)
    draft = open_draft(session, project, year)
    if (draft.version_id if draft else None) != draft_version:
        raise StaleObjectError()
    reason_text = _reason(reason)
    if current_confirmation(session, project, year) is not None and not reason_text:
        raise DomainError(REASON_REQUIRED, field="reason")
    account = _account(catalog, project, params, year)
    if draft is None:
        last = session.scalar(
            select(func.max(ReductionConfirmation.version)).where(
                ReductionConfirmation.project_id == project.id
            )
        )
        draft = ReductionConfirmation(
            project_id=project.id,
            year=year,
            version=(last or 0) + 1,
            status=ConfirmationStatus.DRAFT,
        )
    actor_id = acting.actor.id  # loaded before the row changes: no autoflush midway
    _store(draft, account)
    draft.reason = reason_text
    draft.entered_by_id = actor_id
    draft.entered_at = acting.at
    session.add(draft)
    session.flush()
    _audit(session, acting, "accounting.enter", draft)
    return draft


def confirm(
    session: Session,
    acting: Acting,
    catalog: Catalog,
    project: Project,
    *,
    year: int,
    version: int,
    storage: Storage,
) -> ReductionConfirmation:
    """The city confirms (核定) the year's draft; a current version becomes superseded.

    The calculation sheet is rendered, stored in ``storage`` (the evidence store) and filed
    under the catalog's system item before the row becomes current (dispatch.reductions.
    sheet_filing): a confirmation never exists without its sheet.
    """
    reasons = blocked_reasons(session, catalog, project)
    if reasons:
        raise DomainError(reasons[0])
    draft = open_draft(session, project, year)
    if draft is None:
        raise DomainError(NO_DRAFT)
    if draft.version_id != version:
        raise StaleObjectError()
    _check_year(catalog, project, year)
    account = _account(catalog, project, draft.inputs, year, "核算参数不合格，不能核定：")
    previous = current_confirmation(session, project, year)
    if previous is not None:
        # Superseded first: the index allows one current version per project and year.
        previous.status = ConfirmationStatus.SUPERSEDED
        previous.superseded_at = acting.at
        session.flush()
    actor_id = acting.actor.id  # loaded before the row changes: no autoflush midway
    _store(draft, account)
    draft.confirmed_by_id = actor_id
    draft.confirmed_at = acting.at
    sheet = file_sheet(session, storage, acting, catalog, draft, supersedes=previous)
    # Linked in the same update that confirms the row: afterwards the row is frozen.
    draft.sheet_evidence_id = sheet.id
    draft.status = ConfirmationStatus.CURRENT
    session.flush()
    if previous is not None:
        previous.superseded_by_id = draft.id
        session.flush()
    _audit(
        session,
        acting,
        "accounting.confirm",
        draft,
        supersedes=previous.version if previous is not None else None,
        sheet={"evidence": sheet.id, "sha256": sheet.file.sha256},
    )
    return draft


def _audit(
    session: Session, acting: Acting, action: str, row: ReductionConfirmation, **extra: Any
) -> None:
    audit.record(
        session,
        acting,
        action,
        object_type="reduction_confirmation",
        object_id=row.id,
        details={
            "project": row.project.code,
            "year": row.year,
            "version": row.version,
            "credit": {p: f"{row.credit(p):f}" for p in row.pollutants},
            "credit_rule": row.credit_rule,
            "fingerprint": row.fingerprint,
            **extra,
        },
    )

"""Report transitions: fill, submit, approve and return one progress report, or several.

Each follows ``REPORT_WORKFLOW`` of ``dispatch.access`` (from where, to where, who), checks
the version the user saw and everything else before it changes anything, writes the
report's history and the audit log, may flush, and never commits. Submission leaves a copy
of record; approval moves the project's progress through ``dispatch.projects.progress``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from dispatch import audit
from dispatch.access import NEEDS_OPEN_ROUND, REPORT_WORKFLOW, fill_action, has_permission
from dispatch.audit import Acting
from dispatch.core.construction import ConstructionState
from dispatch.errors import DomainError, clean_text_field
from dispatch.projects.progress import record_progress
from dispatch.projects.services import check_version
from dispatch.rounds import snapshots
from dispatch.rounds.data import CleanReport, missing_for_submit
from models import ProgressReport, ReportEvent, ReportStatus

REASON_MAX = 2000


def record_event(
    session: Session,
    acting: Acting,
    report: ProgressReport,
    action: str,
    from_status: ReportStatus | None,
    *,
    comment: str = "",
) -> None:
    session.add(
        ReportEvent(
            report=report,
            occurred_at=acting.at,
            actor_id=acting.user.id if acting.user is not None else None,
            action=action,
            from_status=from_status.value if from_status else None,
            to_status=report.status.value,
            comment=comment,
        )
    )
    audit.record(
        session,
        acting,
        f"report.{action}",
        object_type="progress_report",
        object_id=report.id,
        details={
            "project": report.project.code,
            "period": report.round.period,
            **({"comment": comment} if comment else {}),
        },
    )


def _step(acting: Acting, report: ProgressReport, action: str) -> ReportStatus | None:
    """Refuse an action the report workflow does not allow now; its target state."""
    step = REPORT_WORKFLOW[action]
    if action in NEEDS_OPEN_ROUND and not report.round.is_open:
        raise DomainError(f"{report.round.title}调度已关闭，不能再执行此操作")
    if not step.allows(report.status):
        raise DomainError(f"填报当前状态为“{report.status.label}”，不能执行此操作")
    if not has_permission(acting.actor, step.permission):
        raise DomainError("当前账户无权执行此操作")
    return step.to


def fill(
    session: Session, acting: Acting, report: ProgressReport, clean: CleanReport, *, version: int
) -> None:
    """Save the report's values (an enterprise's fill also marks it 企业已填报)."""
    action = fill_action(acting.actor)
    to = _step(acting, report, action)
    check_version(report, version)
    before = report.status
    for field, value in clean.__dict__.items():
        setattr(report, field, value)
    report.filled_by_id = acting.actor.id
    report.filled_at = acting.at
    report.updated_at = acting.at
    if to is not None:
        report.status = to
        report.enterprise_filled_at = acting.at
    record_event(session, acting, report, action, before)


def submit(session: Session, acting: Acting, report: ProgressReport, *, version: int) -> None:
    """Submit to the city; after the district deadline it is accepted and marked late."""
    to = _step(acting, report, "submit")
    check_version(report, version)
    missing = missing_for_submit(report)
    if missing:
        field, message = missing[0]
        raise DomainError(f"{report.project.code}：{message}", field=field)
    before = report.status
    assert to is not None
    report.status = to
    report.submitted_by_id = acting.actor.id
    report.submitted_at = acting.at
    report.updated_at = acting.at
    report.late = report.late or acting.at > report.round.district_deadline
    session.add(snapshots.take(report, acting))
    record_event(
        session, acting, report, "submit", before, comment="逾期提交" if report.late else ""
    )


def approve(session: Session, acting: Acting, report: ProgressReport, *, version: int) -> None:
    """Approve; the project's progress updates from the report (forward only)."""
    to = _step(acting, report, "approve")
    check_version(report, version)
    before = report.status
    record_progress(
        session,
        acting,
        report.project,
        state=ConstructionState.of(report),
        investment_completed=report.investment_cumulative,
        percent_complete=report.percent_complete,
        source=f"{report.round.title}调度",
    )
    assert to is not None
    report.status = to
    report.reviewed_by_id = acting.actor.id
    report.reviewed_at = acting.at
    report.updated_at = acting.at
    report.return_reason = ""
    record_event(session, acting, report, "approve", before)


def clean_reason(reason: str | None) -> str:
    text = clean_text_field(reason, "退回原因", field="reason", max_length=REASON_MAX)
    if not text:
        raise DomainError("退回必须填写原因", field="reason")
    return text


def return_report(
    session: Session, acting: Acting, report: ProgressReport, reason: str | None, *, version: int
) -> None:
    """Send back to the district with a reason (required, shown to the district)."""
    text = clean_reason(reason)
    to = _step(acting, report, "return")
    check_version(report, version)
    before = report.status
    assert to is not None
    report.status = to
    report.return_reason = text
    report.reviewed_by_id = acting.actor.id
    report.reviewed_at = acting.at
    report.updated_at = acting.at
    record_event(session, acting, report, "return", before, comment=text)


def each(
    session: Session,
    acting: Acting,
    chosen: Iterable[tuple[ProgressReport, int]],
    action: Any,
) -> tuple[list[ProgressReport], list[tuple[ProgressReport, str]]]:
    """Apply ``action(session, acting, report, version=...)`` to several reports at once.

    Those the rules refuse are skipped with their reason (a batch submit or review acts on
    what it can and says what it left); the rest land in the caller's one transaction.
    Every service here checks before it changes anything, so a refused report is left
    untouched without a savepoint.
    """
    done: list[ProgressReport] = []
    skipped: list[tuple[ProgressReport, str]] = []
    for report, version in chosen:
        try:
            action(session, acting, report, version=version)
        except DomainError as exc:
            skipped.append((report, exc.message))
        else:
            done.append(report)
    return done, skipped

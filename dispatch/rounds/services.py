"""Monthly dispatch rules: open and close rounds, fill, submit, approve and return reports.

Services take the session and the :class:`~dispatch.audit.Acting`, follow
``REPORT_WORKFLOW`` of ``dispatch.access`` (from where, to where, who), write each report's
history and the audit log, may flush, and never commit. Opening a round for thousands of
projects is one bulk insert and one audit event carrying the count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from dispatch import audit
from dispatch.access import NEEDS_OPEN_ROUND, REPORT_WORKFLOW, fill_action, has_permission
from dispatch.audit import Acting
from dispatch.core import inputs
from dispatch.core.beijing import end_of_day, local_date
from dispatch.core.construction import ConstructionState
from dispatch.errors import DomainError
from dispatch.projects.progress import record_progress
from dispatch.projects.services import check_version
from dispatch.rounds import snapshots
from dispatch.rounds.data import CleanReport, missing_for_submit
from models import (
    DispatchRound,
    PlanStatus,
    ProgressReport,
    Project,
    Region,
    RegionKind,
    ReportEvent,
    ReportStatus,
    RoundStatus,
)

REASON_MAX = 2000
ENTERPRISE_DAY, DISTRICT_DAY = 2, 5
# Not (yet) submitted: listed as missing once the deadline passes or the round closes.
UNSUBMITTED = frozenset(
    {ReportStatus.PENDING, ReportStatus.ENTERPRISE_FILLED, ReportStatus.RETURNED}
)


def default_deadlines(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    """23:59 Beijing time on the 2nd (enterprises) and the 5th (districts) of month M+1."""
    next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
    return (
        end_of_day(dt.date(next_year, next_month, ENTERPRISE_DAY)),
        end_of_day(dt.date(next_year, next_month, DISTRICT_DAY)),
    )


def _check_deadlines(enterprise: dt.datetime, district: dt.datetime) -> None:
    if district < enterprise:
        raise DomainError("区县截止时间不能早于企业截止时间", field="district_deadline")


def _round_event(session: Session, acting: Acting, rnd: DispatchRound, action: str, **details: Any):  # type: ignore[no-untyped-def]
    audit.record(
        session,
        acting,
        f"round.{action}",
        object_type="dispatch_round",
        object_id=rnd.id,
        details={"period": rnd.period, "city": rnd.city.name, **details},
    )


def city_projects(city: Region) -> Any:
    """Approved (in the plan list, not withdrawn or closed) projects of a city's subtree."""
    return (
        select(Project)
        .join(Region, Project.district_id == Region.id)
        .where(
            Region.path.startswith(city.path, autoescape=True),
            Project.plan_status == PlanStatus.APPROVED,
        )
    )


def last_approved(session: Session, project_ids: Sequence[int]) -> dict[int, ProgressReport]:
    """Each project's latest approved report (the prefill of its next one)."""
    latest: dict[int, ProgressReport] = {}
    ids = list(project_ids)
    for start in range(0, len(ids), 900):  # stay under SQLite's bound-parameter limit
        stmt = (
            select(ProgressReport)
            .join(DispatchRound, ProgressReport.round_id == DispatchRound.id)
            .where(
                ProgressReport.project_id.in_(ids[start : start + 900]),
                ProgressReport.status == ReportStatus.APPROVED,
            )
            .order_by(DispatchRound.year, DispatchRound.month)
        )
        for report in session.scalars(stmt):
            latest[report.project_id] = report  # later months overwrite earlier ones
    return latest


def prefill(project: Project, previous: ProgressReport | None) -> dict[str, Any]:
    """A new report's values: the last approved report's, else the project's own.

    Investment this month starts at 0; everything else carries over, so an unchanged month
    is a review and a submit.
    """
    if previous is None:
        return {
            "construction_status": project.construction_status,
            "percent_complete": project.percent_complete,
            "investment_month": Decimal(0),
            "investment_cumulative": project.investment_completed,
            "actual_start": project.actual_start,
            "actual_completion": project.actual_completion,
            "stable_operation_from": project.stable_operation_from,
            "description": "",
            "problems": "",
            "next_steps": "",
            "prefilled_from_id": None,
        }
    return {
        "construction_status": previous.construction_status,
        "percent_complete": previous.percent_complete,
        "investment_month": Decimal(0),
        "investment_cumulative": previous.investment_cumulative,
        "actual_start": previous.actual_start,
        "actual_completion": previous.actual_completion,
        "stable_operation_from": previous.stable_operation_from,
        "description": previous.description,
        "problems": previous.problems,
        "next_steps": previous.next_steps,
        "prefilled_from_id": previous.id,
    }


def _new_report_rows(
    session: Session, rnd: DispatchRound, projects: Sequence[Project], at: dt.datetime
) -> list[dict[str, Any]]:
    previous = last_approved(session, [p.id for p in projects])
    return [
        {
            "round_id": rnd.id,
            "project_id": project.id,
            "status": ReportStatus.PENDING,
            "created_at": at,
            "updated_at": at,
            "late": False,
            "return_reason": "",
            "version_id": 1,
            **prefill(project, previous.get(project.id)),
        }
        for project in projects
    ]


def open_round(
    session: Session,
    acting: Acting,
    city: Region,
    year: int,
    month: int,
    *,
    enterprise_deadline: dt.datetime | None = None,
    district_deadline: dt.datetime | None = None,
) -> DispatchRound:
    """Open ``city``'s round for ``year``-``month`` with a report for each approved project."""
    if city.kind != RegionKind.CITY:
        raise DomainError("调度轮次只能由市级开启")
    title = f"{year}年{month}月"
    this_month = local_date(acting.at).replace(day=1)
    if dt.date(year, month, 1) > this_month:
        raise DomainError(f"{title}尚未到来，不能开启调度", field="month")
    exists = session.scalar(
        select(DispatchRound.id).where(
            DispatchRound.city_id == city.id,
            DispatchRound.year == year,
            DispatchRound.month == month,
        )
    )
    if exists is not None:
        raise DomainError(f"{title}的调度轮次已开启过，不能重复开启", field="month")
    defaults = default_deadlines(year, month)
    enterprise = enterprise_deadline or defaults[0]
    district = district_deadline or defaults[1]
    _check_deadlines(enterprise, district)
    rnd = DispatchRound(
        city=city,
        city_id=city.id,
        year=year,
        month=month,
        enterprise_deadline=enterprise,
        district_deadline=district,
        status=RoundStatus.OPEN,
        opened_by_id=acting.actor.id,
        opened_at=acting.at,
    )
    session.add(rnd)
    session.flush()
    projects = list(session.scalars(city_projects(city).order_by(Project.id)))
    rows = _new_report_rows(session, rnd, projects, acting.at)
    if rows:
        session.execute(insert(ProgressReport), rows)
    _round_event(session, acting, rnd, "open", reports=len(rows))
    return rnd


def set_deadlines(
    session: Session,
    acting: Acting,
    rnd: DispatchRound,
    enterprise: dt.datetime,
    district: dt.datetime,
    *,
    version: int,
) -> None:
    check_version(rnd, version)
    if not rnd.is_open:
        raise DomainError("轮次已关闭，不能修改截止时间")
    _check_deadlines(enterprise, district)
    rnd.enterprise_deadline, rnd.district_deadline = enterprise, district
    _round_event(
        session,
        acting,
        rnd,
        "deadlines",
        enterprise_deadline=enterprise.isoformat(),
        district_deadline=district.isoformat(),
    )


def close_round(session: Session, acting: Acting, rnd: DispatchRound, *, version: int) -> int:
    """Close the round; unsubmitted reports stay as they are (listed as missing).

    Returns how many reports were missing (not submitted) at closing.
    """
    check_version(rnd, version)
    if not rnd.is_open:
        raise DomainError("该轮次已关闭")
    rnd.status = RoundStatus.CLOSED
    rnd.closed_by_id = acting.actor.id
    rnd.closed_at = acting.at
    missing = session.scalar(
        select(func.count())
        .select_from(ProgressReport)
        .where(ProgressReport.round_id == rnd.id, ProgressReport.status.in_(UNSUBMITTED))
    )
    _round_event(session, acting, rnd, "close", missing=missing)
    return int(missing or 0)


def join_open_round(session: Session, acting: Acting, project: Project) -> ProgressReport | None:
    """Add a newly approved project to its city's open round (if one is open)."""
    district = project.district
    rounds = session.scalars(
        select(DispatchRound)
        .join(Region, DispatchRound.city_id == Region.id)
        .where(DispatchRound.status == RoundStatus.OPEN)
    )
    rnd = next((r for r in rounds if district.path.startswith(r.city.path)), None)
    if rnd is None:
        return None
    already = session.scalar(
        select(ProgressReport.id).where(
            ProgressReport.round_id == rnd.id, ProgressReport.project_id == project.id
        )
    )
    if already is not None:
        return None
    previous = last_approved(session, [project.id]).get(project.id)
    report = ProgressReport(
        round=rnd,
        project=project,
        status=ReportStatus.PENDING,
        created_at=acting.at,
        updated_at=acting.at,
        **prefill(project, previous),
    )
    session.add(report)
    session.flush()
    _report_event(session, acting, report, "join", None, comment=rnd.title)
    return report


def _report_event(
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
    _report_event(session, acting, report, action, before)


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
    _report_event(
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
        state=_state(report),
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
    _report_event(session, acting, report, "approve", before)


def _state(report: ProgressReport) -> ConstructionState:
    return ConstructionState(
        report.construction_status,
        report.actual_start,
        report.actual_completion,
        report.stable_operation_from,
    )


def clean_reason(reason: str | None) -> str:
    try:
        text = inputs.clean_text(reason, "退回原因", max_length=REASON_MAX, multiline=True)
    except inputs.InputError as exc:
        raise DomainError(exc.message, field="reason") from exc
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
    _report_event(session, acting, report, "return", before, comment=text)


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

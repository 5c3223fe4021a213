"""Monthly dispatch rules: open and close rounds, set deadlines, add late-approved projects.

Services take the session and the :class:`~dispatch.audit.Acting`, write the audit log,
may flush, and never commit. Opening a round for thousands of projects is one bulk insert
and one audit event carrying the count. The report transitions (fill, submit, approve,
return) are in :mod:`dispatch.rounds.reports` and re-exported here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from dispatch import audit
from dispatch.audit import Acting
from dispatch.core.beijing import end_of_day, local_date
from dispatch.errors import DomainError
from dispatch.projects.services import check_version
from dispatch.rounds.reports import (
    approve,
    clean_reason,
    each,
    fill,
    record_event,
    return_report,
    submit,
)
from models import (
    DispatchRound,
    PlanStatus,
    ProgressReport,
    Project,
    Region,
    RegionKind,
    ReportStatus,
    RoundStatus,
)

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
    record_event(session, acting, report, "join", None, comment=rnd.title)
    return report


# The report transitions live in dispatch.rounds.reports; the feature's services are one
# import for views, commands and the demo.
__all__ = [
    "UNSUBMITTED",
    "approve",
    "city_projects",
    "clean_reason",
    "close_round",
    "default_deadlines",
    "each",
    "fill",
    "join_open_round",
    "last_approved",
    "open_round",
    "prefill",
    "return_report",
    "set_deadlines",
    "submit",
]

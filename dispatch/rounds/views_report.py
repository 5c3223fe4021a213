"""Reading the monthly dispatch: a round's reports, one report, the to-do list, a project's
history across rounds.

Everything is read through the scoped selects (``visible_rounds``, ``visible_reports``,
``visible_projects``), so what is out of the user's scope is a 404 or absent from a list.
Lists load each report with its project (and the project's district and enterprise) in a
fixed number of queries, however many rows a page shows.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager

from dispatch.access import (
    Permission,
    can_approve_report,
    can_fill_report,
    can_return_report,
    can_submit_report,
    get_or_404,
    has_permission,
    require,
    visible_projects,
    visible_regions,
    visible_reports,
    visible_rounds,
)
from dispatch.clock import now
from dispatch.core import inputs
from dispatch.db import get_session
from dispatch.rounds import snapshots
from dispatch.rounds.data import FIELD_LABELS, missing_for_submit
from dispatch.rounds.todo import Deadline, open_rounds
from dispatch.web.pagination import page_arg, paginate
from forms.rounds import ReportReasonForm, ReportVersionForm
from models import (
    DispatchRound,
    ProgressReport,
    Project,
    Region,
    RegionKind,
    ReportStatus,
)

PER_PAGE = 50
# The to-do page lists this many reports per section; the grid and the list show all.
TODO_SHOWN = 100
EVENT_LABELS = {
    "join": "加入本轮",
    "enterprise_fill": "企业填报",
    "fill": "填报",
    "submit": "提交市局",
    "approve": "审核通过",
    "return": "退回",
}


def load_round(round_id: int) -> DispatchRound:
    return get_or_404(get_session(), visible_rounds(current_user), round_id, DispatchRound)


def load_report(report_id: int) -> ProgressReport:
    return get_or_404(get_session(), visible_reports(current_user), report_id, ProgressReport)


def with_projects(stmt: Select[Any]) -> Select[Any]:
    """Reports with their projects (joined by the scoped select), districts and owners."""
    project = contains_eager(ProgressReport.project)
    return stmt.options(
        project.selectinload(Project.district), project.selectinload(Project.enterprise)
    )


def report_actions(report: ProgressReport) -> dict[str, bool]:
    """What the current user may do with ``report`` now (the page and the views agree)."""
    return {
        "fill": can_fill_report(current_user, report),
        "submit": can_submit_report(current_user, report),
        "approve": can_approve_report(current_user, report),
        "return": can_return_report(current_user, report),
    }


def status_label(value: str | None) -> str:
    return ReportStatus(value).label if value in ReportStatus._value2member_map_ else ""


@dataclasses.dataclass(frozen=True)
class ReportFilters:
    """The list's filters as read from the query string, and what was refused in it."""

    status: ReportStatus | None = None
    district_id: int | None = None
    refused: tuple[str, ...] = ()

    def as_args(self) -> dict[str, Any]:
        args: dict[str, Any] = {}
        if self.status is not None:
            args["status"] = self.status.value
        if self.district_id is not None:
            args["district"] = self.district_id
        return args


def read_filters(args: Any, districts: list[Region]) -> ReportFilters:
    """Filters from ``args``; a value that is no state or no district of the user's is
    dropped with a message (shown above the list), never an error page."""
    refused = []
    status = None
    status_arg = (args.get("status") or "").strip()
    if status_arg:
        if status_arg in ReportStatus._value2member_map_:
            status = ReportStatus(status_arg)
        else:
            refused.append(f"填报状态“{inputs.shown(status_arg)}”无效，已忽略该筛选条件")
    district_id = None
    district_arg = (args.get("district") or "").strip()
    if district_arg:
        district_id = inputs.parse_id(district_arg)
        if district_id not in {d.id for d in districts}:
            refused.append(f"所选区县“{inputs.shown(district_arg)}”无效，已忽略该筛选条件")
            district_id = None
    return ReportFilters(status, district_id, tuple(refused))


def round_districts(rnd: DispatchRound) -> list[Region]:
    """The districts of the round's city the user may see (none for an enterprise)."""
    return list(
        get_session().scalars(
            visible_regions(current_user)
            .where(
                Region.kind == RegionKind.DISTRICT,
                Region.path.startswith(rnd.city.path, autoescape=True),
            )
            .order_by(Region.name, Region.id)
        )
    )


@require(Permission.ROUNDS_VIEW)
def reports(round_id: int):  # type: ignore[no-untyped-def]
    rnd = load_round(round_id)
    districts = round_districts(rnd)
    filters = read_filters(request.args, districts)
    stmt = visible_reports(current_user).where(ProgressReport.round_id == rnd.id)
    if filters.status is not None:
        stmt = stmt.where(ProgressReport.status == filters.status)
    if filters.district_id is not None:
        stmt = stmt.where(Project.district_id == filters.district_id)
    stmt = with_projects(stmt).order_by(Project.code, ProgressReport.id)
    page = paginate(get_session(), stmt, page_arg(request.args.get("page")), PER_PAGE)
    return render_template(
        "rounds/reports.html",
        rnd=rnd,
        page=page,
        filters=filters,
        args=filters.as_args(),
        districts=districts,
        statuses=list(ReportStatus),
    )


@require(Permission.ROUNDS_VIEW)
def report(report_id: int):  # type: ignore[no-untyped-def]
    item = load_report(report_id)
    version = {"version": item.version_id}
    return render_template(
        "rounds/report.html",
        report=item,
        actions=report_actions(item),
        labels=FIELD_LABELS,
        missing=missing_for_submit(item) if item.status != ReportStatus.APPROVED else [],
        verified={s.id: snapshots.verify(s) for s in item.snapshots},
        event_labels=EVENT_LABELS,
        status_label=status_label,
        version_form=ReportVersionForm(data=version),
        reason_form=ReportReasonForm(data=version),
    )


@dataclasses.dataclass(frozen=True)
class TodoSection:
    """One list of the to-do page: reports of one round waiting for the same thing."""

    key: str
    title: str
    round: DispatchRound
    deadline: Deadline
    reports: list[ProgressReport]
    total: int


def _section(
    key: str, title: str, rnd: DispatchRound, due: Any, condition: Any
) -> TodoSection | None:
    stmt = visible_reports(current_user).where(ProgressReport.round_id == rnd.id, condition)
    page = paginate(get_session(), with_projects(stmt).order_by(Project.code), 1, TODO_SHOWN)
    if not page.total:
        return None
    return TodoSection(key, title, rnd, Deadline(due, now()), page.items, page.total)


def todo_sections(rnd: DispatchRound) -> list[TodoSection]:
    """What the user fills or submits in ``rnd``: an enterprise its reports before the
    enterprise deadline; a district the reports to fill and submit, and the returned ones."""
    status = ProgressReport.status
    if has_permission(current_user, Permission.PROGRESS_SUBMIT):
        found = [
            _section(
                "to_submit",
                "待填报 / 待提交",
                rnd,
                rnd.district_deadline,
                status.in_([ReportStatus.PENDING, ReportStatus.ENTERPRISE_FILLED]),
            ),
            _section(
                "returned",
                "被市局退回待修改",
                rnd,
                rnd.district_deadline,
                status == ReportStatus.RETURNED,
            ),
        ]
    else:
        found = [
            _section(
                "to_fill",
                "本月待填报",
                rnd,
                rnd.enterprise_deadline,
                status.in_([ReportStatus.PENDING, ReportStatus.ENTERPRISE_FILLED]),
            )
        ]
    return [s for s in found if s is not None]


@require(Permission.ROUNDS_VIEW)
def todo():  # type: ignore[no-untyped-def]
    db = get_session()
    rounds = open_rounds(db, current_user)
    reviewer = has_permission(current_user, Permission.PROGRESS_REVIEW)
    to_review = 0
    if reviewer:
        submitted = visible_reports(current_user).where(
            ProgressReport.status == ReportStatus.SUBMITTED
        )
        to_review = db.scalar(select(func.count()).select_from(submitted.subquery())) or 0
    sections = [] if reviewer else [s for rnd in rounds for s in todo_sections(rnd)]
    return render_template(
        "rounds/todo.html",
        rounds=rounds,
        sections=sections,
        reviewer=reviewer,
        to_review=to_review,
        filler=has_permission(current_user, Permission.PROGRESS_SUBMIT),
    )


@require(Permission.ROUNDS_VIEW)
def project_history(project_id: int):  # type: ignore[no-untyped-def]
    db = get_session()
    project = get_or_404(db, visible_projects(current_user), project_id, Project)
    history = list(
        db.scalars(
            visible_reports(current_user)
            .join(ProgressReport.round)
            .where(ProgressReport.project_id == project.id)
            .options(contains_eager(ProgressReport.round))
            .order_by(DispatchRound.year.desc(), DispatchRound.month.desc())
        )
    )
    return render_template(
        "rounds/project_history.html", project=project, history=history, status_label=status_label
    )

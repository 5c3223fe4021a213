"""What awaits a user now (待办): counts, links and the days left before the deadline.

The home page lists these. Every figure is one COUNT over a scoped select
(``visible_reports``, ``visible_projects``, ``visible_change_requests``), grouped by round
where the round's deadline matters; no report or project row is loaded. Which items a
user gets follows from their permissions, as the home tiles do: whoever reviews reports
sees what waits for review, whoever prepares and submits sees what to fill, submit and fix,
whoever only fills (an enterprise) sees its reports to fill. What waits on someone else (a
district's change request before the city) is shown as information, not as a task.

Deadlines are UTC instants (``DispatchRound``); the days left count Beijing calendar days.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from dispatch.access import (
    Permission,
    has_permission,
    visible_change_requests,
    visible_projects,
    visible_reports,
    visible_rounds,
)
from dispatch.core.beijing import CHINA_TZ, local_date
from dispatch.rounds.services import UNSUBMITTED
from models import (
    ChangeRequest,
    ChangeRequestStatus,
    DispatchRound,
    PlanStatus,
    ProgressReport,
    Project,
    ReportStatus,
    RoundStatus,
    User,
)


@dataclasses.dataclass(frozen=True)
class Deadline:
    """A deadline seen at ``now``: passed or not, and how many days are left."""

    at: dt.datetime  # the instant (UTC)
    now: dt.datetime

    @property
    def passed(self) -> bool:
        # The deadline minute itself still counts as in time (services mark late after it).
        return self.now > self.at

    @property
    def days_left(self) -> int:
        """Beijing calendar days from today to the deadline's day: 0 on the day itself,
        negative once the day is over."""
        return (local_date(self.at) - local_date(self.now)).days

    @property
    def local(self) -> dt.datetime:
        return self.at.astimezone(CHINA_TZ)

    @property
    def text(self) -> str:
        if self.passed:
            late = -self.days_left
            return f"已逾期 {late} 天" if late > 0 else "已过截止时间"
        if self.days_left == 0:
            return "今天截止"
        return f"剩余 {self.days_left} 天"


@dataclasses.dataclass(frozen=True)
class TodoItem:
    """One line of the to-do list."""

    key: str  # stable name of the kind of item (tests, ``data-testid``)
    label: str
    count: int
    endpoint: str | None = None  # None: nothing the user can open (waiting on others)
    args: tuple[tuple[str, Any], ...] = ()
    round_title: str = ""
    deadline: Deadline | None = None
    waiting: bool = False  # waits on someone else: information, not a task

    @property
    def url_args(self) -> dict[str, Any]:
        return dict(self.args)


def _count(session: Session, stmt: Select[Any]) -> int:
    return session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def _count_by_round(
    session: Session, stmt: Select[tuple[ProgressReport]], rounds: Sequence[DispatchRound]
) -> dict[int, int]:
    """One COUNT of the reports ``stmt`` selects, per round of ``rounds``."""
    if not rounds:
        return {}
    sub = stmt.where(ProgressReport.round_id.in_([r.id for r in rounds])).subquery()
    rows = session.execute(select(sub.c.round_id, func.count()).group_by(sub.c.round_id))
    return {round_id: count for round_id, count in rows}


def _per_round(
    counts: dict[int, int],
    rounds: Sequence[DispatchRound],
    now: dt.datetime,
    deadline: Callable[[DispatchRound], dt.datetime],
    make: Callable[[DispatchRound, int, Deadline], TodoItem],
) -> list[TodoItem]:
    return [
        make(rnd, counts[rnd.id], Deadline(deadline(rnd), now))
        for rnd in rounds
        if rnd.id in counts
    ]


def _enterprise_deadline(rnd: DispatchRound) -> dt.datetime:
    return rnd.enterprise_deadline


def _district_deadline(rnd: DispatchRound) -> dt.datetime:
    return rnd.district_deadline


def _filling_items(
    session: Session, user: User, rounds: Sequence[DispatchRound], now: dt.datetime
) -> list[TodoItem]:
    """An enterprise's part: its reports not yet filled, before the enterprise deadline."""
    reports = visible_reports(user)
    to_fill = _count_by_round(
        session, reports.where(ProgressReport.status == ReportStatus.PENDING), rounds
    )
    filled = _count_by_round(
        session, reports.where(ProgressReport.status == ReportStatus.ENTERPRISE_FILLED), rounds
    )
    return _per_round(
        to_fill,
        rounds,
        now,
        _enterprise_deadline,
        lambda rnd, n, due: TodoItem(
            "reports_to_fill", "待填报进展", n, "rounds.todo", (), rnd.title, due
        ),
    ) + _per_round(
        filled,
        rounds,
        now,
        _district_deadline,
        lambda rnd, n, due: TodoItem(
            "reports_filled", "已填报，等待区县提交", n, "rounds.todo", (), rnd.title, due, True
        ),
    )


def _submitting_items(
    session: Session, user: User, rounds: Sequence[DispatchRound], now: dt.datetime
) -> list[TodoItem]:
    """A district's part: reports nobody has filled, filled ones to submit, returned ones."""
    reports = visible_reports(user)
    # A district's own fill keeps the report pending (filled is not yet submitted), so
    # "filled" is read from the fill time, not only from the state.
    pending = ProgressReport.status == ReportStatus.PENDING
    unfilled = and_(pending, ProgressReport.filled_at.is_(None))
    ready = or_(
        and_(pending, ProgressReport.filled_at.is_not(None)),
        ProgressReport.status == ReportStatus.ENTERPRISE_FILLED,
    )
    returned = ProgressReport.status == ReportStatus.RETURNED
    items = _per_round(
        _count_by_round(session, reports.where(unfilled), rounds),
        rounds,
        now,
        _district_deadline,
        lambda rnd, n, due: TodoItem(
            "reports_to_fill", "待填报进展", n, "rounds.todo", (), rnd.title, due
        ),
    )
    items += _per_round(
        _count_by_round(session, reports.where(ready), rounds),
        rounds,
        now,
        _district_deadline,
        lambda rnd, n, due: TodoItem(
            "reports_to_submit", "已填报待提交", n, "rounds.todo", (), rnd.title, due
        ),
    )
    items += _per_round(
        _count_by_round(session, reports.where(returned), rounds),
        rounds,
        now,
        _district_deadline,
        lambda rnd, n, due: TodoItem(
            "reports_returned",
            "被市局退回待修改",
            n,
            "rounds.reports",
            (("round_id", rnd.id), ("status", ReportStatus.RETURNED.value)),
            rnd.title,
            due,
        ),
    )
    return items


def _reviewing_items(
    session: Session, user: User, rounds: Sequence[DispatchRound], now: dt.datetime
) -> list[TodoItem]:
    """The city's part: submitted reports of any round wait for review (approval does not
    need the round open); each open round shows what the districts have not yet submitted."""
    reports = visible_reports(user)
    submitted = _count(session, reports.where(ProgressReport.status == ReportStatus.SUBMITTED))
    items = [TodoItem("reports_to_review", "待审核进展", submitted, "rounds.review")]
    if has_permission(user, Permission.ROUNDS_MANAGE):
        items += _per_round(
            _count_by_round(session, reports.where(ProgressReport.status.in_(UNSUBMITTED)), rounds),
            rounds,
            now,
            _district_deadline,
            lambda rnd, n, due: TodoItem(
                "reports_unsubmitted",
                "区县未提交进展",
                n,
                "rounds.show",
                (("round_id", rnd.id),),
                rnd.title,
                due,
                True,
            ),
        )
    return items


def _plan_items(session: Session, user: User) -> list[TodoItem]:
    """The plan list: what the city reviews, or what a district must fix or waits for."""
    pending = visible_change_requests(user).where(
        ChangeRequest.status == ChangeRequestStatus.PENDING
    )
    if has_permission(user, Permission.PROJECTS_REVIEW):
        submitted = visible_projects(user).where(Project.plan_status == PlanStatus.SUBMITTED)
        return [
            TodoItem(
                "plan_to_review", "待审核计划项目", _count(session, submitted), "projects.review"
            ),
            TodoItem(
                "changes_to_review", "待审批变更/调出申请", _count(session, pending),
                "projects.review",
            ),
        ]  # fmt: skip
    if has_permission(user, Permission.PROJECTS_EDIT):
        returned = visible_projects(user).where(Project.plan_status == PlanStatus.RETURNED)
        return [
            TodoItem(
                "plan_returned",
                "被退回的计划项目",
                _count(session, returned),
                "projects.index",
                # Every year: a returned entry of last year's list is still to be fixed.
                (("plan_status", PlanStatus.RETURNED.value), ("year", "")),
            ),
            TodoItem(
                "changes_waiting", "变更/调出申请等待市局审核", _count(session, pending),
                waiting=True,
            ),
        ]  # fmt: skip
    return []


def open_rounds(session: Session, user: User) -> list[DispatchRound]:
    """The user's open rounds, oldest month first."""
    return list(
        session.scalars(
            visible_rounds(user)
            .where(DispatchRound.status == RoundStatus.OPEN)
            .order_by(DispatchRound.year, DispatchRound.month)
        )
    )


def todo_for(session: Session, user: User, now: dt.datetime) -> list[TodoItem]:
    """What awaits ``user`` at ``now``: tasks first, then what waits on others; empty
    items are left out."""
    items: list[TodoItem] = []
    report_side = next(
        (
            collect
            for permission, collect in (
                (Permission.PROGRESS_REVIEW, _reviewing_items),
                (Permission.PROGRESS_SUBMIT, _submitting_items),
                (Permission.PROGRESS_FILL, _filling_items),
            )
            if has_permission(user, permission)
        ),
        None,
    )
    if report_side is not None:
        items += report_side(session, user, open_rounds(session, user), now)
    items += _plan_items(session, user)
    return sorted((i for i in items if i.count), key=lambda i: i.waiting)


def counts(items: Sequence[TodoItem]) -> dict[str, int]:
    """Total per kind of item (over rounds), e.g. ``{"reports_to_fill": 3}``."""
    totals: dict[str, int] = {}
    for item in items:
        totals[item.key] = totals.get(item.key, 0) + item.count
    return totals

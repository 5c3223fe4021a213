"""The demo's monthly dispatch: rounds opened, filled, reviewed and closed on the timeline.

:class:`Dispatch` drives dispatch.rounds.services as the demo users would, at past
instants (the cadence is in dispatch.demo.timeline). The values of every report are the
project's schedule on the day it is filled (dispatch.demo.schedule): status forward,
percentages and cumulative investment growing, late projects stalled; investment this
month is the growth since the last approved report. Enterprises with an account
(历下热力, 市中汽修) fill their own reports first; the district user, or the city for
districts without one, completes and submits; the city reviews.

A closed round's reports mostly go in on time between the 27th and the 5th and are
approved within two days; about a fifth, spread over the round, are special, in turn:
missing (nothing, a saved draft, or returned and never fixed), late (submitted on the
6th or 7th) and returned (fixed and submitted again, some after the deadline, then
approved). The open round has got as far as today allows: some approved and awaiting
review, a returned one for a district, enterprise fills awaiting the district, saved
drafts and untouched reports; when its default deadlines have passed, the city has
extended them (dispatch.demo.timeline).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.audit import Acting
from dispatch.core.beijing import local_date
from dispatch.demo.projects import Cast, PlanList
from dispatch.demo.schedule import invested, progress_on, report_texts
from dispatch.demo.timeline import Calendar, Month, Timeline, at_work, office_instant
from dispatch.rounds.data import ReportInput, validate_report
from dispatch.rounds.services import (
    approve,
    close_round,
    fill,
    open_round,
    return_report,
    set_deadlines,
    submit,
)
from models import DispatchRound, ProgressReport, Region, User

__all__ = ["Dispatch"]

SPECIALS = ("missing", "late", "returned")
RETURN_REASONS = (
    "本月完成投资与累计完成投资不衔接，请核实后重新提交",
    "进展情况过于简略，请补充主要工程量完成情况",
    "形象进度与现场核查情况不符，请核实完成进度",
)
FIX_NOTE = "（已按市局退回意见核实修改）"
MINUTES = dt.timedelta(minutes=1)


class Dispatch:
    """Schedules every round of the demo calendar and what happens to its reports."""

    def __init__(
        self,
        session: Session,
        timeline: Timeline,
        calendar: Calendar,
        cast: Cast,
        plan: PlanList,
        city: Region,
    ) -> None:
        self.session, self.timeline, self.calendar = session, timeline, calendar
        self.cast, self.plan, self.city = cast, plan, city
        self.rounds = 0
        self._closed = 0

    def schedule(self) -> None:
        for month in self.calendar.months:
            self.timeline.at(self.calendar.opened_at(month), partial(self._open, month))

    def _open(self, month: Month, at: dt.datetime) -> None:
        rnd = open_round(
            self.session, Acting(self.cast.city, at), self.city, month.year, month.month
        )
        self.rounds += 1
        if month == self.calendar.open_month:
            # Planned once the year's plan list has joined (a December round opens first).
            planning = max(at, self.plan.settled) + 15 * MINUTES
            self.timeline.at(planning, partial(self._plan_open, rnd))
            extension = self.calendar.extension
            if extension is not None:
                when, deadlines = extension
                self.timeline.at(when, partial(self._extend, rnd, deadlines))
            return
        index, self._closed = self._closed, self._closed + 1
        # Planned right after opening (the year's plan list is approved by mid-December),
        # before the first fill on the 24th at the earliest.
        planning = at + 15 * MINUTES
        self.timeline.at(planning, partial(self._plan_closed, rnd, month, index))
        self.timeline.at(self.calendar.closed_at(month), partial(self._close, rnd))

    def _reports(self, rnd: DispatchRound, until: dt.datetime) -> list[ProgressReport]:
        """The round's reports, except those of projects leaving the plan list by ``until``."""
        stmt = (
            select(ProgressReport)
            .where(ProgressReport.round_id == rnd.id)
            .order_by(ProgressReport.project_id)
        )
        return [
            report
            for report in self.session.scalars(stmt)
            if report.project_id in self.plan.specs
            and self.plan.leaves.get(report.project_id, until) >= until
        ]

    def _enterprise_user(self, report: ProgressReport) -> User | None:
        spec = self.plan.specs[report.project_id]
        return self.cast.enterprises.get(spec.owner) if isinstance(spec.owner, int) else None

    def _district_user(self, report: ProgressReport) -> User:
        return self.cast.author(self.plan.specs[report.project_id].district)

    # -- a closed round -----------------------------------------------------------------

    def _plan_closed(self, rnd: DispatchRound, month: Month, r: int, _at: dt.datetime) -> None:
        reports = self._reports(rnd, self.calendar.closed_at(month))
        n = len(reports)
        outcomes = ["ontime"] * n
        count = min(n, 1 if n < 6 else max(3, round(n * 0.22)))
        for i in range(count):
            outcomes[(i * n // count + r) % n] = SPECIALS[(i + r) % len(SPECIALS)]
        for k, (report, outcome) in enumerate(zip(reports, outcomes, strict=True)):
            self._plan_report(report, month, outcome, k, r)

    def _when(self, month: Month, offset: int, minutes: int) -> dt.datetime:
        return at_work(self.calendar.reporting_day(month, offset), minutes)

    def _send(self, report: ProgressReport, month: Month, day: int, minutes: int) -> None:
        """Filled (by the enterprise two days earlier, if it has an account) and submitted."""
        enterprise = self._enterprise_user(report)
        if enterprise is not None:
            self.timeline.at(
                self._when(month, day - 2, minutes), partial(self._fill, report, enterprise)
            )
            self.timeline.at(self._when(month, day, minutes + 30), partial(self._submit, report))
            return
        filled = self._when(month, day, minutes)
        self.timeline.at(filled, partial(self._fill, report, self._district_user(report)))
        self.timeline.at(filled + 3 * MINUTES, partial(self._submit, report))

    def _plan_report(
        self, report: ProgressReport, month: Month, outcome: str, k: int, r: int
    ) -> None:
        # Day offsets count from the 1st of the next month: -3 is the 28th or so (an
        # enterprise fills two days earlier, after the opening on the 22nd), 4 the district
        # deadline (the 5th), 6 the 7th; the round closes on the 8th.
        jitter = (k * 53 + r * 29) % 420
        reason = RETURN_REASONS[(k + r) % len(RETURN_REASONS)]
        review = partial(self._approve, report)
        if outcome == "ontime":
            day = -3 + (k * 5 + r) % 8
            self._send(report, month, day, jitter)
            self.timeline.at(self._when(month, min(day + 1 + k % 2, 6), 300 + jitter // 3), review)
        elif outcome == "late":
            day = 5 + k % 2
            self._send(report, month, day, jitter // 4)
            self.timeline.at(self._when(month, 6, 420 + jitter // 10), review)
        elif outcome == "returned":
            day = -3 + (k + r) % 4
            self._send(report, month, day, jitter)
            self.timeline.at(
                self._when(month, day + 1, 120 + jitter // 4),
                partial(self._return, report, reason),
            )
            fixed = self._when(month, 5 if (k + r) % 2 else day + 2, 30 + jitter // 2)
            self.timeline.at(
                fixed, partial(self._fill, report, self._district_user(report), fix=True)
            )
            self.timeline.at(fixed + 3 * MINUTES, partial(self._submit, report))
            self.timeline.at(self._when(month, 6, 360 + jitter // 8), review)
        else:  # missing
            variant = (k + r) % 3
            if variant == 1:
                user = self._enterprise_user(report) or self._district_user(report)
                self.timeline.at(self._when(month, 3, jitter), partial(self._fill, report, user))
            elif variant == 2:
                self._send(report, month, 1, jitter)
                self.timeline.at(
                    self._when(month, 3, 120 + jitter // 4),
                    partial(self._return, report, reason),
                )

    # -- the open round -----------------------------------------------------------------

    def _plan_open(self, rnd: DispatchRound, at: dt.datetime) -> None:
        now = self.calendar.now
        reports = self._reports(rnd, now)
        start, end = at + 15 * MINUTES, now - 10 * MINUTES
        deadline = self.calendar.open_deadlines[1]  # extended by now, if it had to be
        elapsed = (now - rnd.opened_at) / (deadline - rnd.opened_at)
        done = min(max(elapsed, 0.0), 1.0)
        approved = 0.4 * done
        submitted = approved + 0.15 + 0.25 * done
        saved = submitted + 0.1
        others = [r for r in reports if self._enterprise_user(r) is None]
        n = max(len(others), 1)
        by_enterprise = ("enterprise_filled", "submitted", "enterprise_filled", "pending")
        returned, ours = False, 0
        for k, report in enumerate(reports):
            if self._enterprise_user(report) is not None:
                stage, ours = by_enterprise[ours % len(by_enterprise)], ours + 1
            elif not returned and self._district_user(report) is not self.cast.city:
                stage, returned = "returned", True
            else:
                x = ((others.index(report) * 7) % n + 0.5) / n
                stage = (
                    "approved" if x < approved
                    else "submitted" if x < submitted
                    else "saved" if x < saved
                    else "pending"
                )  # fmt: skip
            steps = self._open_steps(report, stage, RETURN_REASONS[k % len(RETURN_REASONS)])
            first = 0.05 + 0.45 * ((k * 13) % len(reports)) / len(reports)
            for i, step in enumerate(steps):
                fraction = first + (0.95 - first) * i / len(steps)
                self.timeline.at(office_instant(start, end, fraction), step)

    def _open_steps(self, report: ProgressReport, stage: str, reason: str) -> list:  # type: ignore[type-arg]
        enterprise = self._enterprise_user(report)
        filled = partial(self._fill, report, enterprise or self._district_user(report))
        sent = [filled, partial(self._submit, report)]
        return {
            "approved": [*sent, partial(self._approve, report)],
            "submitted": sent,
            "returned": [*sent, partial(self._return, report, reason)],
            "saved": [filled],
            "enterprise_filled": [filled],
            "pending": [],
        }[stage]

    # -- steps --------------------------------------------------------------------------

    def _fill(
        self, report: ProgressReport, user: User, at: dt.datetime, *, fix: bool = False
    ) -> None:
        day = local_date(at)
        spec = self.plan.specs[report.project_id]
        project = report.project
        built = progress_on(spec, day)
        percent = max(built.percent, project.percent_complete)
        built = dataclasses.replace(built, percent=percent)
        base = project.investment_completed
        cumulative = max(invested(spec, percent), base)
        month = cumulative - base
        description, problems, next_steps = report_texts(spec, built, month, cumulative)
        raw = ReportInput(
            construction_status=built.status.value,
            percent_complete=str(percent),
            investment_month=str(month),
            investment_cumulative=str(cumulative),
            actual_start=built.actual_start,
            actual_completion=built.actual_completion,
            stable_operation_from=built.stable_operation_from,
            description=description + (FIX_NOTE if fix else ""),
            problems=problems,
            next_steps=next_steps,
        )
        clean, errors = validate_report(raw, project=project, today=day)
        if clean is None:
            raise ValueError(f"演示填报“{project.name}”数据有误：{dict(errors)}")
        fill(self.session, Acting(user, at), report, clean, version=report.version_id)

    def _submit(self, report: ProgressReport, at: dt.datetime) -> None:
        acting = Acting(self._district_user(report), at)
        submit(self.session, acting, report, version=report.version_id)

    def _approve(self, report: ProgressReport, at: dt.datetime) -> None:
        approve(self.session, Acting(self.cast.city, at), report, version=report.version_id)

    def _return(self, report: ProgressReport, reason: str, at: dt.datetime) -> None:
        acting = Acting(self.cast.city, at)
        return_report(self.session, acting, report, reason, version=report.version_id)

    def _extend(
        self, rnd: DispatchRound, deadlines: tuple[dt.datetime, dt.datetime], at: dt.datetime
    ) -> None:
        enterprise, district = deadlines
        acting = Acting(self.cast.city, at)
        set_deadlines(self.session, acting, rnd, enterprise, district, version=rnd.version_id)

    def _close(self, rnd: DispatchRound, at: dt.datetime) -> None:
        close_round(self.session, Acting(self.cast.city, at), rnd, version=rnd.version_id)

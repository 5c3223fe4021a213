"""The demo plan list: each project's history scheduled on the demo's timeline.

:class:`PlanList` files the projects of dispatch.demo.project_data through the services the
web pages use (validate_project → create_project → submit → approve / return_project /
update_draft / withdraw / request_change), acting as the demo users at past instants: the
district user where the district has one (历下区 lixia, 市中区 shizhong), otherwise the
city user, who also reviews.

When (see dispatch.demo.timeline): last year's projects are entered when the platform goes
live, the finished ones closed out at the year's end; the current year's plan list is
filed from 2 December of the year before and approved from the 10th (a few after a first
return); withdrawals come about a third of the way from approval to today; drafts,
submissions awaiting review, returns and change requests are a few days to three weeks
old. A project's construction status when filed is its schedule's on that day
(dispatch.demo.schedule); monthly reports move it on from there.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.audit import Acting
from dispatch.core.beijing import local_date
from dispatch.core.catalog import get_catalog
from dispatch.demo.orgs import ACCOUNTS, ENTERPRISES, demo_uscc
from dispatch.demo.project_data import PROJECTS, DemoProject, in_year
from dispatch.demo.schedule import progress_on
from dispatch.demo.timeline import Calendar, Month, Timeline, at_work, office_instant
from dispatch.projects.data import CleanProject, ProjectInput, validate_project
from dispatch.projects.samples import sample_for_type
from dispatch.projects.services import (
    approve,
    create_project,
    decide_request,
    pending_request,
    request_change,
    return_project,
    submit,
    update_draft,
    withdraw,
)
from dispatch.reductions.closeout import close_out
from models import ConstructionStatus, Enterprise, Project, Region, User

__all__ = ["Cast", "PlanList", "cast_of"]

CITY_USER = "city"
CONTACTS = ("王建国", "李明", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "周敏", "吴强")
CLOSE_COMMENT = "减排量核算已确认，运行阶段档案齐全，同意销号"
WITHDRAWAL_DECISION = "同意调出本年度计划清单"
FIXED_NOTE = "已按市局审核意见补充相关材料"
DAY = dt.timedelta(days=1)


@dataclasses.dataclass(frozen=True)
class Cast:
    """The demo users who act in the history."""

    city: User
    districts: dict[str, User]  # division code → the district's user
    enterprises: dict[int, User]  # ENTERPRISES index → the enterprise's user

    def author(self, division_code: str) -> User:
        """Who files and reports for a district: its own user, else the city."""
        return self.districts.get(division_code, self.city)


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise LookupError(f"演示账户 {username} 不存在，请先写入演示区划和账户")
    return user


def cast_of(session: Session) -> Cast:
    """The demo accounts, looked up by name (LookupError names a missing one)."""
    city = _user(session, CITY_USER)
    districts, enterprises = {}, {}
    for username, _display, role, org in ACCOUNTS:
        if role.is_officer or username == CITY_USER:
            continue
        user = _user(session, username)
        if isinstance(org, int):
            enterprises[org] = user
        else:
            districts[org] = user
    return Cast(city=city, districts=districts, enterprises=enterprises)


def _enterprise(session: Session, owner: int | str) -> Enterprise | None:
    if isinstance(owner, str):
        return None
    uscc = demo_uscc(ENTERPRISES[owner][0], owner)
    found = session.scalar(select(Enterprise).where(Enterprise.uscc == uscc))
    if found is None:
        raise LookupError(f"演示企业“{ENTERPRISES[owner][1]}”不存在")
    return found


def _clean(raw: ProjectInput, today: dt.date) -> CleanProject:
    clean, errors = validate_project(get_catalog(), raw, today=today)
    if clean is None:
        raise ValueError(f"演示项目“{raw.name}”数据有误：{dict(errors)}")
    return clean


class PlanList:
    """Schedules the demo projects' plan-list history; remembers what it created."""

    def __init__(
        self,
        session: Session,
        timeline: Timeline,
        calendar: Calendar,
        cast: Cast,
        districts: dict[str, Region],
    ) -> None:
        self.session, self.timeline, self.calendar, self.cast = session, timeline, calendar, cast
        self.districts = districts
        self.specs: dict[int, DemoProject] = {}  # project id → its (dated) spec
        self._leaving: dict[int, dt.datetime] = {}  # table index → when it leaves the list
        self.leaves: dict[int, dt.datetime] = {}  # project id → when it leaves the list
        self.created = 0
        # When the last approval of the current plan list has happened.
        self.settled = calendar.go_live

    # -- scheduling ---------------------------------------------------------------------

    def schedule(self) -> None:
        cal = self.calendar
        current = last_year = late = 0
        for index, table_spec in enumerate(PROJECTS):
            spec = in_year(table_spec, cal.year)
            if spec.year < cal.year:
                self._last_year(index, spec, last_year)
                last_year += 1
            elif spec.status in ("approved", "withdrawn"):
                self._plan_list(index, spec, current)
                current += 1
            else:
                self._late_entry(index, spec, late)
                late += 1

    def _last_year(self, index: int, spec: DemoProject, k: int) -> None:
        # Entered when the platform goes live, as built so far. The finished ones are
        # closed out (销号) at the year's end: right after November's round closes when
        # the demo has one (they report until then), else ten days after going live.
        cal = self.calendar
        live = local_date(cal.go_live)
        created = at_work(live + DAY * (1 + k % 3), 30 + k * 37)
        approved = at_work(live + DAY * 5, 300 + k * 11)
        self.timeline.at(
            created, partial(self._create, index, spec, submit_at=created + 0.02 * DAY)
        )
        self.timeline.at(approved, partial(self._approve, spec))
        if spec.status == "closed":
            november = Month(cal.year - 1, 11)
            if cal.first_month <= november:
                closes = cal.closed_at(november) + dt.timedelta(minutes=10 + k)
            else:
                closes = at_work(live + DAY * 10, 60 + k * 7)
            self._leaving[index] = closes
            self.timeline.at(closes, partial(self._close, spec))

    def _plan_list(self, index: int, spec: DemoProject, k: int) -> None:
        # The current year's plan list: filed from 2 December, approved 10–17 December.
        start = self.calendar.plan_list_from
        created = at_work(start + DAY * (k % 6), 30 + k * 23)
        submitted = at_work(start + DAY * (k % 6 + 1), 60 + k * 31)
        approved_day = start + DAY * (8 + k % 8)
        if spec.first_return:
            self.timeline.at(
                at_work(start + DAY * 7, 90 + k * 13), partial(self._return_first, spec)
            )
            self.timeline.at(at_work(start + DAY * 9, 60 + k * 19), partial(self._fix, index, spec))
            approved_day = max(approved_day, start + DAY * 12)
        approved = at_work(approved_day, 300 + k * 17)
        self.settled = max(self.settled, approved)
        self.timeline.at(created, partial(self._create, index, spec, submit_at=submitted))
        self.timeline.at(approved, partial(self._approve, spec))
        if spec.status == "withdrawn":
            leaves = office_instant(approved + DAY, self.calendar.now - DAY, 0.3)
            self._leaving[index] = leaves
            if spec.via_request:
                asked = office_instant(approved + DAY, leaves, 0.8)
                self.timeline.at(asked, partial(self._ask_withdrawal, spec))
            self.timeline.at(leaves, partial(self._withdraw, spec))
        elif spec.change:
            day = self.calendar.today - DAY * (3 + 2 * (k % 2))
            self.timeline.at(at_work(day, 120 + k * 29), partial(self._ask_change, index, spec))

    def _late_entry(self, index: int, spec: DemoProject, k: int) -> None:
        # Filed in the last weeks: drafts, submissions awaiting review, returns.
        today = self.calendar.today
        if spec.status == "draft":
            created = at_work(today - DAY * (2 + k % 6), 30 + k * 41)
            self.timeline.at(created, partial(self._create, index, spec, submit_at=None))
            return
        if spec.status == "submitted":
            created = at_work(today - DAY * (5 + k % 4), 30 + k * 41)
            submitted = at_work(today - DAY * (1 + k % 3), 60 + k * 43)
            self.timeline.at(created, partial(self._create, index, spec, submit_at=submitted))
            return
        created = at_work(today - DAY * (19 + k % 3), 30 + k * 41)
        submitted = at_work(today - DAY * 15, 60 + k * 43)
        self.timeline.at(created, partial(self._create, index, spec, submit_at=submitted))
        self.timeline.at(
            at_work(today - DAY * (9 + k % 3), 120 + k * 47), partial(self._return, spec)
        )

    # -- steps --------------------------------------------------------------------------

    def _project(self, spec: DemoProject) -> Project:
        stmt = select(Project).where(
            Project.district_id == self.districts[spec.district].id,
            Project.plan_year == spec.year,
            Project.name == spec.name,
        )
        project = self.session.scalar(stmt)
        assert project is not None, spec.name
        return project

    def _input(self, index: int, spec: DemoProject, day: dt.date) -> ProjectInput:
        # Only a project in the plan list gets built; the others have not started.
        reviewed = spec.status in ("approved", "closed", "withdrawn")
        built = progress_on(spec if reviewed else spec._replace(progress="none"), day)
        method, params = sample_for_type(spec.type_code, spec.method, spec.scale)
        params.update(copy.deepcopy(spec.params or {}))
        return ProjectInput(
            name=spec.name,
            type_code=spec.type_code,
            method=method,
            plan_year=spec.year,
            district=self.districts[spec.district],
            enterprise=_enterprise(self.session, spec.owner),
            owner_unit=spec.owner if isinstance(spec.owner, str) else "",
            site_address=spec.address,
            longitude=spec.lon,
            latitude=spec.lat,
            planned_start=spec.start,
            planned_completion=spec.end,
            total_investment=spec.total,
            env_investment=spec.env,
            contact_name=CONTACTS[index % len(CONTACTS)],
            contact_phone=f"0531-8{(6012345 + index * 7919) % 10_000_000:07d}",
            construction_status=built.status.value,
            params=params,
            # Actual dates normally arrive through approved monthly reports; a project
            # entered already under way carries the ones its status implies.
            actual_start=built.actual_start,
            actual_completion=built.actual_completion,
            stable_operation_from=built.stable_operation_from,
        )

    def _author(self, spec: DemoProject, at: dt.datetime) -> Acting:
        return Acting(self.cast.author(spec.district), at)

    def _create(
        self, index: int, spec: DemoProject, at: dt.datetime, *, submit_at: dt.datetime | None
    ) -> None:
        raw = self._input(index, spec, local_date(at))
        project = create_project(self.session, self._author(spec, at), _clean(raw, local_date(at)))
        self.specs[project.id] = spec
        if index in self._leaving:
            self.leaves[project.id] = self._leaving[index]
        self.created += 1
        if submit_at is not None:
            self.timeline.at(submit_at, partial(self._submit, spec))

    def _submit(self, spec: DemoProject, at: dt.datetime) -> None:
        project = self._project(spec)
        submit(self.session, self._author(spec, at), project, version=project.version_id)

    def _approve(self, spec: DemoProject, at: dt.datetime) -> None:
        project = self._project(spec)
        approve(self.session, Acting(self.cast.city, at), project, version=project.version_id)

    def _return(self, spec: DemoProject, at: dt.datetime, reason: str = "") -> None:
        project = self._project(spec)
        return_project(
            self.session, Acting(self.cast.city, at), project, reason or spec.reason,
            version=project.version_id,
        )  # fmt: skip

    def _return_first(self, spec: DemoProject, at: dt.datetime) -> None:
        self._return(spec, at, spec.first_return)

    def _fix(self, index: int, spec: DemoProject, at: dt.datetime) -> None:
        # The district adds what the city asked for and submits again.
        project = self._project(spec)
        raw = dataclasses.replace(self._input(index, spec, local_date(at)), notes=FIXED_NOTE)
        acting = self._author(spec, at)
        update_draft(
            self.session, acting, project, _clean(raw, local_date(at)), version=project.version_id
        )
        submit(self.session, acting, project, version=project.version_id)

    def _withdraw(self, spec: DemoProject, at: dt.datetime) -> None:
        project = self._project(spec)
        acting = Acting(self.cast.city, at)
        if not spec.via_request:
            withdraw(self.session, acting, project, spec.reason, version=project.version_id)
            return
        request_ = pending_request(self.session, project)
        assert request_ is not None, spec.name
        decide_request(
            self.session, acting, request_, approve_it=True, comment=WITHDRAWAL_DECISION,
            clean=None, version=project.version_id,
        )  # fmt: skip

    def _ask_withdrawal(self, spec: DemoProject, at: dt.datetime) -> None:
        project = self._project(spec)
        request_change(
            self.session, self._author(spec, at), project, None, spec.reason,
            version=project.version_id,
        )  # fmt: skip

    def _ask_change(self, index: int, spec: DemoProject, at: dt.datetime) -> None:
        """A pending change request with the spec's proposed values."""
        project = self._project(spec)
        raw = self._input(index, spec, local_date(at))
        proposed: dict[str, Any] = dict(spec.change or {})
        params = {**raw.params, **proposed.pop("params", {})}
        # The request proposes plan fields only; the project's progress is its own.
        changed = dataclasses.replace(raw, params=params, **proposed)
        changed.construction_status = project.construction_status.value
        changed.actual_start = project.actual_start
        changed.actual_completion = project.actual_completion
        changed.stable_operation_from = project.stable_operation_from
        request_change(
            self.session, self._author(spec, at), project, _clean(changed, local_date(at)),
            spec.reason, version=project.version_id,
        )  # fmt: skip

    def _close(self, spec: DemoProject, at: dt.datetime) -> None:
        # Through the service, like the city's page: the demo's accounting confirmed the
        # project the day before and its archive is complete (dispatch.demo.accounting).
        project = self._project(spec)
        if project.construction_status != ConstructionStatus.STABLE_OPERATION:
            return
        close_out(
            self.session,
            Acting(self.cast.city, at),
            get_catalog(),
            project,
            note=CLOSE_COMMENT,
            version=project.version_id,
        )

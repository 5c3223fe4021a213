"""The demo's confirmed accounting (核定) and reduction targets, on the demo's timeline.

:class:`Accounting` drives dispatch.reductions.services and dispatch.reductions.targets
as the demo users would, at past instants in office hours:

- **Accounting sessions.** About two weeks after each closed round's archive survey
  (dispatch.demo.evidence), the projects in stable operation are looked at. Those whose
  archive is complete through the operation stage get the actual parameters of their
  first credited year entered by the district (the city for districts without an
  account): the plan's, with the main activity figure (flow, hours, fuel, head count…) a
  few per cent off, as measured; two days later the city confirms. Of the projects whose
  archive only lacks files (never one with a file awaiting review or rejected, nor a late
  uploader's empty one: those stories stay the archive's), every other one has the
  missing files sent first, reviewed the next day, and is confirmed after.
- **Closing out.** A project closed out at the year's end (销号) and not confirmed by a
  session is confirmed the day before it closes; its archive is complete by then.
- **One correction.** Two weeks after the first confirmation that leaves time for it, the
  district re-enters the parameters with a reason (the activity figure 4 % lower) and the
  city confirms the correction: the first version stays, superseded.
- **Targets.** After the last confirmation, the city sets the targets of the city and its
  districts, chosen around what was confirmed (dispatch.demo.targets), so the dashboards
  show districts ahead of target and behind it.

Everything is a function of the seeding day, so the demo stays repeatable.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.audit import Acting
from dispatch.core.accounting import credit_months
from dispatch.core.beijing import local_date
from dispatch.core.catalog import EvidenceItem, get_catalog
from dispatch.demo.evidence import content, parts_of
from dispatch.demo.projects import Cast, PlanList
from dispatch.demo.targets import DemoTargets
from dispatch.demo.timeline import Calendar, Timeline, at_work, beijing, office_instant
from dispatch.errors import DomainError
from dispatch.evidence import checklist as checklists
from dispatch.evidence.services import pre_review, review, upload
from dispatch.reductions import services
from dispatch.storage import Storage
from models import (
    ConstructionStatus,
    PlanStatus,
    Project,
    ReductionConfirmation,
    Region,
    Role,
    User,
)

__all__ = ["Accounting"]

DAY = dt.timedelta(days=1)
MARGIN = dt.timedelta(hours=2)  # before now, and before a project is closed out
# A session comes this long after a closed round: its survey's files (two weeks) are in.
SESSION_AFTER = dt.timedelta(days=16)
CORRECTION_AFTER = dt.timedelta(days=14)
# The measured activity figure against the plan's, per project (by id): -6 % … +5 %.
DEVIATIONS = tuple(Decimal(p) / 100 for p in (-3, 2, -6, 4, -1, 5, -4, 1, -2, 3, 0))
CORRECTED_BY = Decimal("0.04")  # the correction lowers the entered figure by 4 %
CORRECTION_REASON = (
    "经复核在线监测数据和运行台账，原填报的{label}含检修停运期间数据，按实际运行情况更正"
    "（{before} → {after}{unit}）"
)
FILE_OFFSET = 440  # varies the demo files' bytes apart from dispatch.demo.evidence's


def measured(catalog: Any, project: Project, deviation: Decimal) -> tuple[dict, str | None]:
    """The plan's parameters with the activity figure moved by ``deviation``; its key.

    The activity figure is the first plain number of the method (no default coefficient,
    no percentage, not compared with another parameter); methods whose first parameter is a
    list keep the plan's values.
    """
    params = dict(project.params)
    method = catalog.method(project.method)
    checked = {k for c in method.checks for k in (c.param, c.than)}
    for param in method.params:
        if param.kind == "list":
            return params, None
        if param.kind not in ("decimal", "integer") or param.coefficient or param.key in checked:
            continue
        if (param.max is not None and param.max <= 100) or params.get(param.key) in (None, ""):
            continue
        plan = Decimal(str(params[param.key]))
        value = plan * (1 + deviation)
        if param.kind == "integer":
            value = value.to_integral()
        else:
            value = value.quantize(Decimal("0.01") if plan.as_tuple().exponent < 0 else 1)
        if param.max is not None:
            value = min(value, param.max)
        params[param.key] = f"{value:f}"
        return params, param.key
    return params, None


class Accounting:
    """Schedules the demo's accounting sessions, close-out confirmations and targets.

    Call :meth:`schedule` after ``PlanList.schedule`` and ``Archives.schedule``.
    """

    def __init__(
        self,
        session: Session,
        storage: Storage,
        timeline: Timeline,
        calendar: Calendar,
        cast: Cast,
        plan: PlanList,
        city: Region,
        districts: dict[str, Region],
    ) -> None:
        self.session, self.storage, self.timeline = session, storage, timeline
        self.calendar, self.cast, self.plan = calendar, cast, plan
        self.city, self.districts = city, districts
        self.catalog = get_catalog()
        self.files = 0
        self.confirmed = 0
        self.goals = DemoTargets(session, cast.city, city, list(districts.values()), calendar.year)
        self._busy: set[int] = set()  # projects whose accounting is under way
        self._supplements = 0  # incomplete archives met: every other one is completed
        self._correction: int | None = None  # the project whose confirmation is corrected
        # Targets are set after every confirmation: they are chosen around the sums.
        latest = calendar.now - 3 * DAY
        self.targets_at = office_instant(latest, calendar.now - MARGIN, 0.3)

    def schedule(self) -> None:
        cal = self.calendar
        # Last year's projects, once entered (the fourth day after going live): the
        # ones closing out at the year's end are confirmed the day before.
        self.timeline.at(beijing(local_date(cal.go_live) + 4 * DAY, 8), self._closing)
        sessions = [beijing(local_date(cal.closed_at(m) + SESSION_AFTER), 9) for m in cal.months]
        for when in sorted(w for w in sessions if w < self.targets_at):
            self.timeline.at(when, self._session)
        self.timeline.at(self.targets_at, self.goals.set_all)
        self.timeline.at(
            office_instant(self.targets_at, cal.now - MARGIN, 0.5), self.goals.raise_city
        )

    # -- who and what -------------------------------------------------------------------

    def _author(self, project: Project) -> User:
        """Who files for the project's district: its own user, else the city."""
        return self.cast.author(project.district.division_code)

    def _uploader(self, project: Project) -> User:
        users = {u.enterprise_id: u for u in self.cast.enterprises.values()}
        return users.get(project.enterprise_id) or self._author(project)

    def _year(self, project: Project, at: dt.datetime) -> int | None:
        """The project's first credited year, if it has begun by ``at`` and is not done."""
        stable = project.stable_operation_from
        if stable is None:
            return None
        year = stable.year
        if credit_months(stable, year, self.catalog.credit_rule) == 0:
            year += 1
        if year > local_date(at).year:
            return None
        taken = self.session.scalar(
            select(ReductionConfirmation.id).where(
                ReductionConfirmation.project_id == project.id,
                ReductionConfirmation.year == year,
            )
        )
        return None if taken is not None else year

    def _ready(self, at: dt.datetime) -> list[tuple[Project, int]]:
        stmt = (
            select(Project)
            .join(Region, Project.district_id == Region.id)
            .where(
                Region.path.startswith(self.city.path, autoescape=True),
                Project.plan_status == PlanStatus.APPROVED,
                Project.construction_status == ConstructionStatus.STABLE_OPERATION,
            )
            .order_by(Project.code)
        )
        found = []
        for project in self.session.scalars(stmt):
            year = self._year(project, at)
            if year is not None and project.id not in self._busy:
                found.append((project, year))
        return found

    def _missing(self, project: Project) -> list[EvidenceItem] | None:
        """The blocking items without any file, or None when the archive tells another
        story: a file awaiting review or rejected, or no file at all yet (a late
        uploader's, dispatch.demo.evidence)."""
        found = checklists.checklist(self.session, self.catalog, project)
        missing, accepted = [], 0
        for stage in found.stages:
            for state in stage.items:
                accepted += state.accepted
                if not checklists.blocking(state.item) or state.satisfied:
                    continue
                if state.files or not parts_of(state.item):
                    return None
                missing.append(state.item)
        return missing if accepted else None

    # -- scheduling ---------------------------------------------------------------------

    def _closing(self, at: dt.datetime) -> None:
        for project_id, leaves in sorted(self.plan.leaves.items()):
            project = self.session.get(Project, project_id)
            assert project is not None
            if project.construction_status != ConstructionStatus.STABLE_OPERATION:
                continue  # withdrawn, or not finished: not closed out
            start = max(leaves - DAY, at)
            if leaves - MARGIN > start:
                enter = office_instant(start, leaves - MARGIN, 0.1)
                confirm = office_instant(start, leaves - MARGIN, 0.6)
                self.timeline.at(enter, partial(self._last_call, project.id, confirm))

    def _last_call(self, project_id: int, confirm: dt.datetime, at: dt.datetime) -> None:
        """The day before a project closes out: confirmed now unless a session did."""
        project = self.session.get(Project, project_id)
        assert project is not None
        year = self._year(project, at)
        if year is not None and project.id not in self._busy:
            self._busy.add(project.id)
            self._enter(project.id, year, at)
            self.timeline.at(confirm, partial(self._confirm, project.id, year))

    def _session(self, at: dt.datetime) -> None:
        day = local_date(at)
        for i, (project, year) in enumerate(self._ready(at)):
            leaves = self.plan.leaves.get(project.id, self.calendar.now)
            blocked = services.blocked_reasons(self.session, self.catalog, project)
            missing = self._missing(project) if blocked else []
            if missing is None or (blocked and not missing):
                continue
            if missing and project.id in self.plan.leaves:
                continue  # closing out: its archive is complete or stays as it is
            if missing:
                self._supplements += 1
                if self._supplements % 2 == 0:
                    continue  # left incomplete: the archive's "missing" story
            first = 2 if missing else 0
            enter = at_work(day + (first + 1) * DAY, 60 + 37 * i)
            confirm = at_work(day + (first + 3) * DAY, 90 + 29 * i)
            if confirm >= min(self.targets_at, leaves - MARGIN):
                continue  # a project closing out: confirmed the day before (_last_call)
            self._busy.add(project.id)
            if missing:
                sent = at_work(day, 30 + 41 * i)
                self.timeline.at(sent, partial(self._supplement, project.id, missing))
            self.timeline.at(enter, partial(self._enter, project.id, year))
            self.timeline.at(confirm, partial(self._confirm, project.id, year))

    # -- steps --------------------------------------------------------------------------

    def _supplement(self, project_id: int, items: list[EvidenceItem], at: dt.datetime) -> None:
        """The missing files sent in one go; pre-reviewed and reviewed the next day."""
        project = self.session.get(Project, project_id)
        assert project is not None
        uploader = self._uploader(project)
        files = []
        for n, item in enumerate(items):
            when = at + dt.timedelta(minutes=7 * n)
            for part in parts_of(item, FILE_OFFSET + self.files):
                data = content(part, project, item, local_date(when), FILE_OFFSET + self.files)
                ev = upload(
                    self.session, self.storage, Acting(uploader, when), self.catalog,
                    project, item.code, io.BytesIO(data), part.filename,
                )  # fmt: skip
                files.append(ev)
                self.files += 1
        next_day = local_date(at) + DAY
        if uploader.role == Role.ENTERPRISE:
            self.timeline.at(at_work(next_day, 15), partial(self._pre_review, project, files))
        self.timeline.at(at_work(next_day, 240), partial(self._review, files))

    def _pre_review(self, project: Project, files: list, at: dt.datetime) -> None:
        acting = Acting(self._author(project), at)
        for ev in files:
            pre_review(self.session, acting, ev, True, None, version=ev.version_id)

    def _review(self, files: list, at: dt.datetime) -> None:
        acting = Acting(self.cast.city, at)
        for ev in files:
            review(self.session, acting, ev, True, None, version=ev.version_id)

    def _enter(self, project_id: int, year: int, at: dt.datetime, reason: str = "",
               params: dict | None = None) -> None:  # fmt: skip
        project = self.session.get(Project, project_id)
        assert project is not None
        if services.blocked_reasons(self.session, self.catalog, project):
            return  # the archive is not complete after all: nothing to confirm
        if params is None:
            params, _key = measured(self.catalog, project, DEVIATIONS[project.id % 11])
        draft = services.open_draft(self.session, project, year)
        try:
            services.enter_actuals(
                self.session, Acting(self._author(project), at), self.catalog, project,
                year=year, params=params, reason=reason or None, version=project.version_id,
                draft_version=draft.version_id if draft else None,
            )  # fmt: skip
        except services.ParamsInvalid:
            # The moved figure broke a rule of the method: the plan's figures as they are.
            services.enter_actuals(
                self.session, Acting(self._author(project), at), self.catalog, project,
                year=year, params=dict(project.params), reason=reason or None,
                version=project.version_id, draft_version=draft.version_id if draft else None,
            )  # fmt: skip

    def _confirm(self, project_id: int, year: int, at: dt.datetime) -> None:
        project = self.session.get(Project, project_id)
        assert project is not None
        draft = services.open_draft(self.session, project, year)
        if draft is None or services.blocked_reasons(self.session, self.catalog, project):
            return
        try:
            row = services.confirm(
                self.session, Acting(self.cast.city, at), self.catalog, project,
                year=year, version=draft.version_id, storage=self.storage,
            )  # fmt: skip
        except DomainError:
            return
        self.confirmed += 1
        day = local_date(at + CORRECTION_AFTER)
        leaves = self.plan.leaves.get(project.id, self.calendar.now)
        if (
            self._correction is None
            and measured(self.catalog, project, Decimal(0))[1] is not None
            and at_work(day + 2 * DAY, 330) < min(self.targets_at, leaves - MARGIN)
        ):
            self._correction = project.id
            self.timeline.at(at_work(day, 75), partial(self._correct, project.id, row.year))
            self.timeline.at(
                at_work(day + 2 * DAY, 330), partial(self._confirm, project.id, row.year)
            )

    def _correct(self, project_id: int, year: int, at: dt.datetime) -> None:
        project = self.session.get(Project, project_id)
        assert project is not None
        params, key = measured(self.catalog, project, DEVIATIONS[project.id % 11])
        assert key is not None  # chosen so (_confirm)
        param = self.catalog.method(project.method).param(key)
        before = Decimal(params[key])
        after = before * (1 - CORRECTED_BY)
        after = after.to_integral() if param.kind == "integer" else after.quantize(
            Decimal("0.01") if before.as_tuple().exponent < 0 else 1
        )  # fmt: skip
        params[key] = f"{after:f}"
        reason = CORRECTION_REASON.format(
            label=param.label_zh, before=f"{before:f}", after=f"{after:f}", unit=param.unit
        )
        self._enter(project_id, year, at, reason=reason, params=params)

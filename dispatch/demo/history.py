"""The demo city's history: its plan list and monthly dispatch, seeded once, in time order.

The history is one story (a report's values follow the approvals before it, the rounds
follow the plan list), so it is seeded whole or not at all: into a demo city that has no
project and no round yet. A second run, or a run on a database whose city already has a
history, creates nothing. Given a storage, the history includes the projects' evidence
files (dispatch.demo.evidence) and, on them, confirmed accounting and the reduction targets
(dispatch.demo.accounting).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch.demo.accounting import Accounting
from dispatch.demo.evidence import Archives
from dispatch.demo.orgs import CITY
from dispatch.demo.projects import PlanList, cast_of
from dispatch.demo.rounds import Dispatch
from dispatch.demo.timeline import Calendar, Timeline
from dispatch.storage import Storage
from models import DispatchRound, ProgressReport, Project, Region, RegionKind

__all__ = ["seed_demo_history"]


def _has_history(session: Session, city: Region) -> bool:
    project = session.scalar(
        select(Project.id)
        .join(Region, Project.district_id == Region.id)
        .where(Region.path.startswith(city.path, autoescape=True))
        .limit(1)
    )
    rnd = session.scalar(select(DispatchRound.id).where(DispatchRound.city_id == city.id).limit(1))
    return project is not None or rnd is not None


def seed_demo_history(
    session: Session, calendar: Calendar, storage: Storage | None = None
) -> dict[str, int]:
    """Seed the plan list and the rounds of ``calendar``, and with ``storage`` the evidence
    files; counts of what was created.

    Needs the demo city (regions, enterprises, accounts) of dispatch.demo.orgs. Flushes,
    never commits (files already stored are deleted again if the caller rolls back).
    """
    cast = cast_of(session)
    city = session.scalar(select(Region).where(Region.division_code == CITY[1]))
    if city is None:
        raise LookupError(f"演示区划{CITY[0]}不存在，请先写入演示区划和账户")
    if _has_history(session, city):
        return {"projects": 0, "rounds": 0, "reports": 0, "evidence_files": 0}
    districts = {
        r.division_code: r
        for r in session.scalars(
            select(Region).where(
                Region.kind == RegionKind.DISTRICT,
                Region.path.startswith(city.path, autoescape=True),
            )
        )
    }
    timeline = Timeline(calendar.now)
    plan = PlanList(session, timeline, calendar, cast, districts)
    dispatch = Dispatch(session, timeline, calendar, cast, plan, city)
    plan.schedule()
    dispatch.schedule()
    archives = accounting = None
    if storage is not None:
        archives = Archives(session, storage, timeline, calendar, cast, plan)
        archives.schedule()  # after plan.schedule(): it needs plan.settled
        # Accounting needs the archive: confirmation is refused while it is incomplete.
        accounting = Accounting(session, storage, timeline, calendar, cast, plan, city, districts)
        accounting.schedule()
    timeline.run()
    session.flush()
    reports = session.scalar(
        select(func.count())
        .select_from(ProgressReport)
        .join(DispatchRound, ProgressReport.round_id == DispatchRound.id)
        .where(DispatchRound.city_id == city.id)
    )
    return {
        "projects": plan.created,
        "rounds": dispatch.rounds,
        "reports": int(reports or 0),
        "evidence_files": (archives.files if archives is not None else 0)
        + (accounting.files if accounting is not None else 0),
    }

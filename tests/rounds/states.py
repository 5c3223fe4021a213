"""A report at a given state, built through the services (access matrix and fuzz arena).

:func:`report_at` approves a project of district A owned by enterprise A, opens the city's
2025-05 round (or lets the project join it when it is already open) and moves the
project's report to the wanted state the way users would: the enterprise fills its part,
the district fills and submits, the city approves or returns.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.audit import Acting
from dispatch.rounds import services
from models import DispatchRound, PlanStatus, ProgressReport, ReportStatus
from tests.projects.helpers import NOW, make_project
from tests.rounds.helpers import PERIOD, fill


def report_at(db: Session, world: Any, status: ReportStatus) -> ProgressReport:
    """A new approved project's report in the open 2025-05 round, moved to ``status``."""
    project = make_project(db, world, status=PlanStatus.APPROVED)
    city = Acting(world.users["city"], NOW)
    rnd = db.scalar(
        select(DispatchRound).where(
            DispatchRound.city_id == world.city.id,
            DispatchRound.year == PERIOD[0],
            DispatchRound.month == PERIOD[1],
        )
    )
    if rnd is None:  # else the project joined it when it was approved
        rnd = services.open_round(db, city, world.city, *PERIOD)
        db.flush()
    report = db.scalar(
        select(ProgressReport).where(
            ProgressReport.round_id == rnd.id, ProgressReport.project_id == project.id
        )
    )
    assert report is not None
    if status == ReportStatus.ENTERPRISE_FILLED:
        fill(db, world.users["enterprise_a"], report)
    elif status != ReportStatus.PENDING:
        fill(db, world.users["district_a"], report)
        district = Acting(world.users["district_a"], NOW)
        services.submit(db, district, report, version=report.version_id)
        db.flush()
        if status == ReportStatus.RETURNED:
            services.return_report(db, city, report, "数据有误", version=report.version_id)
        elif status == ReportStatus.APPROVED:
            services.approve(db, city, report, version=report.version_id)
    db.commit()
    return report

"""Seeded data for the dashboard tests and the browser test, built through the services.

Three NOx projects in stable operation with confirmed 2025 accounting (two in 甲区, one in
乙区), one more with only the district's draft (never counted), one approved project past
its planned completion (overdue), 2025 targets for the city and both districts, and the
2025-05 round with reports at several states. The expected figures are not read from here:
each test computes them from the inputs on its own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.audit import Acting
from dispatch.reductions.periods import Period
from dispatch.reductions.targets import set_targets
from dispatch.rounds import services as rounds
from models import PlanStatus, ProgressReport, Project, ReportStatus
from tests.projects.helpers import NOW, make_project
from tests.reductions.states import ACTUAL, confirm, enter, stable_project, with_rule
from tests.rounds.helpers import PERIOD, fill

# (district, stable from, gas flow, hours, confirmed?): NOx = V × 100 mg/Nm³ × H × 10⁻⁹ t.
ACCOUNTED = [
    ("district_a", dt.date(2025, 3, 15), "500000", "7920", True),
    ("district_a", dt.date(2025, 1, 1), "200000", "6000", True),
    ("district_b", dt.date(2025, 8, 1), "250000", "7200", True),
    ("district_a", dt.date(2025, 6, 30), "300000", "5000", False),  # a draft: not counted
]
# 2025 targets in tonnes: region key → pollutant → tonnes.
TARGETS = {
    "city": {"NOx": Decimal("1000"), "COD": Decimal("100")},
    "district_a": {"NOx": Decimal("500")},
    "district_b": {"NOx": Decimal("200")},
}
REPORT_STATES = (ReportStatus.SUBMITTED, ReportStatus.APPROVED, ReportStatus.PENDING)


def _round_with_reports(db: Session, world: Any, states: dict[Project, ReportStatus]) -> None:
    """The city's 2025-05 round (every approved project gets a report), and these
    projects' reports moved to their states by the district and the city."""
    city = Acting(world.users["city"], NOW)
    district = Acting(world.users["district_a"], NOW)
    rnd = rounds.open_round(db, city, world.city, *PERIOD)
    db.flush()
    for project, state in states.items():
        report = db.scalar(
            select(ProgressReport).where(
                ProgressReport.round_id == rnd.id, ProgressReport.project_id == project.id
            )
        )
        assert report is not None
        if state == ReportStatus.PENDING:
            continue
        fill(db, world.users["district_a"], report)
        rounds.submit(db, district, report, version=report.version_id)
        db.flush()
        if state == ReportStatus.APPROVED:
            rounds.approve(db, city, report, version=report.version_id)
    db.flush()


@dataclasses.dataclass
class Seeded:
    projects: list[Project]
    overdue: Project


def seed(db: Session, world: Any, rule: str = "months_after_stable") -> Seeded:
    """Build the data (call inside an app context); commits."""
    catalog = with_rule(rule)
    projects = []
    for district, stable, flow, hours, confirmed in ACCOUNTED:
        project = stable_project(db, world, stable_from=stable, district=district)
        params = ACTUAL | {"gas_flow": flow, "hours": hours}
        enter(db, world, project, 2025, params, actor=district, catalog=catalog)
        if confirmed:
            confirm(db, world, project, 2025, catalog=catalog)
        projects.append(project)
    # Incomplete archive, not started, planned to be complete before "today" (2025-06-02+).
    overdue = make_project(
        db, world, status=PlanStatus.APPROVED, name="甲区逾期的脱硝改造",
        planned_start="2025-01-10", planned_completion="2025-05-31",
    )  # fmt: skip
    reporting = [
        make_project(db, world, status=PlanStatus.APPROVED, name=f"甲区污水管网（{n}）")
        for n in range(len(REPORT_STATES))
    ]
    _round_with_reports(db, world, dict(zip(reporting, REPORT_STATES, strict=True)))
    regions = {"city": world.city, "district_a": world.district_a, "district_b": world.district_b}
    values = {
        (regions[key].id, pollutant): tonnes
        for key, targets in TARGETS.items()
        for pollutant, tonnes in targets.items()
    }
    set_targets(
        db, Acting(world.users["city"], NOW), list(regions.values()), Period(2025, 2025), values,
        seen=0,
    )  # fmt: skip
    db.commit()
    return Seeded(projects=projects, overdue=overdue)

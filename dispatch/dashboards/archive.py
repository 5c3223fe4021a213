"""Archive completeness by district (档案完整率) without loading a file row.

What a project's archive needs is catalog data (its type, method and the stage its
construction status has reached: ``dispatch.evidence.checklist``), not database data, so
it cannot be joined in SQL without copying the catalog into the query. The counting
that grows with the archive is done in SQL instead: one grouped query gives, per project
and item, the number of current accepted files (``visible_evidence``, the caller's scope);
a second gives the projects' type, method and status. Each project's blocking items are
then compared with those counts in Python: one small row per project and per item that
has accepted files, never one per file. A project counts as complete exactly when its
checklist (the evidence page's) says so; ``tests/dashboards`` checks the two agree.
"""

from __future__ import annotations

import dataclasses
import functools
from collections import defaultdict
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import Session

from dispatch.access import visible_evidence, visible_projects
from dispatch.core.catalog import Catalog
from dispatch.dashboards.queries import in_region
from dispatch.evidence.checklist import blocking, reached_stage
from dispatch.reductions.queries import COUNTED_STATUSES
from models import ConstructionStatus, EvidenceFile, EvidenceStatus, Project, Region


@dataclasses.dataclass(frozen=True)
class Completeness:
    """A district's plan-list projects of the year and their archives."""

    projects: int = 0
    complete: int = 0  # projects whose archive is complete for the stage reached
    items: int = 0  # blocking items over those projects
    satisfied: int = 0  # of which have their minimum of accepted files

    def add(self, required: int, satisfied: int) -> Completeness:
        return Completeness(
            self.projects + 1,
            self.complete + (satisfied == required),
            self.items + required,
            self.satisfied + satisfied,
        )


def _requirements(catalog: Catalog) -> Any:
    @functools.cache
    def required(type_code: str, method: str, status: ConstructionStatus) -> dict[str, int]:
        """Item code → minimum accepted files, for the blocking items of the stages reached."""
        items = catalog.type(type_code).items_up_to(reached_stage(status), method)
        return {item.code: item.min_files for item in items if blocking(item)}

    return required


def completeness(
    session: Session, catalog: Catalog, user: Any, region: Region, year: int
) -> dict[int, Completeness]:
    """District id → completeness of its plan-list projects of ``year``."""
    where = (
        in_region(region),
        Project.plan_year == year,
        Project.plan_status.in_(COUNTED_STATUSES),
    )
    accepted: dict[int, dict[str, int]] = defaultdict(dict)
    counts = (
        visible_evidence(user)
        .with_only_columns(EvidenceFile.project_id, EvidenceFile.item_code, func.count())
        .where(*where, EvidenceFile.current, EvidenceFile.status == EvidenceStatus.ACCEPTED)
        .group_by(EvidenceFile.project_id, EvidenceFile.item_code)
    )
    for project_id, item_code, n in session.execute(counts):
        accepted[project_id][item_code] = int(n)
    projects = (
        visible_projects(user)
        .with_only_columns(
            Project.id, Project.district_id, Project.type_code, Project.method,
            Project.construction_status,
        )
        .where(*where)
    )  # fmt: skip
    required = _requirements(catalog)
    found: dict[int, Completeness] = defaultdict(Completeness)
    for project_id, district_id, type_code, method, status in session.execute(projects):
        needs = required(type_code, method, status)
        have = accepted.get(project_id, {})
        satisfied = sum(1 for code, least in needs.items() if have.get(code, 0) >= least)
        found[district_id] = found[district_id].add(len(needs), satisfied)
    return dict(found)

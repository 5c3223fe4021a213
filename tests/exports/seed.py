"""A year of accounting for the export tests: confirmed projects in both districts of the
city (one corrected, one left a draft), targets, a round, and the accepted evidence files'
bytes in the app's store (so the archive part can copy them).

``seed_year`` works in whatever session it is given and commits; it needs an app context.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.audit import Acting
from dispatch.reductions.periods import Period
from dispatch.reductions.targets import set_targets
from dispatch.rounds import services as rounds
from dispatch.storage import Storage
from models import EvidenceFile, Project, ReductionConfirmation, StoredFile
from tests.projects.helpers import NOW
from tests.reductions.states import ACTUAL, confirm, enter, stable_project

YEAR = 2025
# NOx targets (t) of the city and its districts.
TARGETS = {"city": Decimal("600"), "district_a": Decimal("400"), "district_b": Decimal("100")}


@dataclasses.dataclass
class Seeded:
    """What was seeded: the current confirmations by project code, the draft's project."""

    current: dict[str, ReductionConfirmation]
    draft_code: str
    files: int


def store_evidence(db: Session, storage: Storage, project: Project) -> int:
    """Put bytes into the store for the project's evidence rows (they are rows only)."""
    stmt = (
        select(StoredFile)
        .join(EvidenceFile, EvidenceFile.file_id == StoredFile.id)
        .where(EvidenceFile.project_id == project.id)
    )
    count = 0
    for stored in db.scalars(stmt):
        storage.put(stored.key, io.BytesIO(b"x" * stored.size), content_type="application/pdf")
        count += 1
    return count


def seed_year(db: Session, world: Any, storage: Storage, *, with_round: bool = True) -> Seeded:
    current: dict[str, ReductionConfirmation] = {}
    files = 0
    plans = [
        ("district_a", dt.date(2025, 3, 15), {}),  # 9 months of 2025
        ("district_a", dt.date(2025, 1, 1), {"gas_flow": "200000", "hours": "6000"}),
        ("district_b", dt.date(2025, 8, 1), {"gas_flow": "250000", "hours": "7200"}),
    ]
    for district, stable, params in plans:
        project = stable_project(db, world, stable_from=stable, district=district)
        files += store_evidence(db, storage, project)
        enter(db, world, project, YEAR, ACTUAL | params, actor=district)
        current[project.code] = confirm(db, world, project, YEAR)
    # A correction: the first version superseded, the second current.
    corrected = stable_project(db, world, name="锅炉超低排放改造（更正）")
    files += store_evidence(db, storage, corrected)
    enter(db, world, corrected, YEAR)
    confirm(db, world, corrected, YEAR)
    enter(db, world, corrected, YEAR, ACTUAL | {"hours": "4000"}, reason="运行小时数更正")
    current[corrected.code] = confirm(db, world, corrected, YEAR)
    # A draft only: in no accounting workbook.
    drafted = stable_project(db, world, district="district_b", name="锅炉改造（待核定）")
    files += store_evidence(db, storage, drafted)
    enter(db, world, drafted, YEAR, actor="district_b")
    city = Acting(world.users["city"], NOW)
    regions = {"city": world.city, "district_a": world.district_a, "district_b": world.district_b}
    values = {(regions[k].id, "NOx"): v for k, v in TARGETS.items()}
    set_targets(db, city, list(regions.values()), Period(YEAR, YEAR), values, seen=0)
    if with_round:
        rounds.open_round(db, city, world.city, YEAR, 5)
    db.commit()
    # Each current confirmation filed its calculation sheet (G08) in the archive too; the
    # corrected project's first sheet was replaced by its second.
    files += len(current)
    return Seeded(current, drafted.code, files)

"""Projects ready for accounting (access matrix, fuzz arena, reductions tests).

``stable_project`` is an approved project of district A (enterprise A, A1 flue gas by
default) in stable operation since ``stable_from``, whose archive is complete through the
operation stage: every applicable required item has its minimum of accepted files. The
files are rows only (no stored bytes): completeness counts rows, and these tests are
about accounting, not storage. ``drafted_project`` adds the district's draft for 2025,
``confirmed_project`` the city's confirmation of it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import itertools
from typing import Any

from flask import has_app_context
from sqlalchemy.orm import Session

from dispatch.audit import Acting
from dispatch.core.catalog import Catalog, get_catalog
from dispatch.evidence import checklist as checklists
from dispatch.reductions import services
from dispatch.storage import MemoryStorage, Storage
from dispatch.storage.current import current_storage
from models import (
    ConstructionStatus,
    EvidenceFile,
    EvidenceStatus,
    PlanStatus,
    Project,
    ReductionConfirmation,
    StoredFile,
)
from tests.projects.helpers import NOW, make_project

STABLE_FROM = dt.date(2025, 3, 15)
ACTUAL = {"gas_flow": "500000", "nox_before": "150", "nox_after": "50", "hours": "7920"}
_seq = itertools.count(1)


def complete_archive(db: Session, project: Project, *, skip: str | None = None) -> None:
    """Accepted files for every blocking item through the operation stage (but ``skip``)."""
    found = checklists.checklist(db, get_catalog(), project)
    for stage in found.stages:
        for state in stage.items:
            if not checklists.blocking(state.item) or state.item.code == skip:
                continue
            for _ in range(state.item.min_files - state.accepted):
                n = next(_seq)
                stored = StoredFile(
                    backend="memory",
                    key=f"reductions-test/{project.id}/{n}",
                    original_name=f"{state.item.code}-{n}.pdf",
                    content_type="application/pdf",
                    size=1,
                    sha256=hashlib.sha256(str(n).encode()).hexdigest(),
                    uploaded_at=NOW,
                )
                db.add(stored)
                db.flush()
                db.add(
                    EvidenceFile(
                        project_id=project.id,
                        item_code=state.item.code,
                        file_id=stored.id,
                        status=EvidenceStatus.ACCEPTED,
                        created_at=NOW,
                    )
                )
    db.flush()


def stable_project(
    db: Session,
    world: Any,
    *,
    stable_from: dt.date = STABLE_FROM,
    complete: bool = True,
    district: str = "district_a",
    **overrides: Any,
) -> Project:
    name = overrides.pop("name", f"锅炉超低排放改造（核算{next(_seq)}）")
    if district != "district_a":
        overrides |= {"district": world.district_b, "enterprise": world.enterprise_b}
    project = make_project(
        db, world, status=PlanStatus.APPROVED, name=name, actor_key=district, **overrides
    )
    project.construction_status = ConstructionStatus.STABLE_OPERATION
    project.actual_start = dt.date(2024, 5, 1)
    project.actual_completion = dt.date(2025, 1, 20)
    project.stable_operation_from = stable_from
    db.flush()
    if complete:
        complete_archive(db, project)
    db.commit()
    return project


def enter(
    db: Session,
    world: Any,
    project: Project,
    year: int = 2025,
    params: dict | None = None,
    *,
    actor: str = "district_a",
    reason: str = "",
    catalog: Catalog | None = None,
) -> ReductionConfirmation:
    draft = services.open_draft(db, project, year)
    row = services.enter_actuals(
        db,
        Acting(world.users[actor], NOW),
        catalog or get_catalog(),
        project,
        year=year,
        params=params or dict(ACTUAL),
        reason=reason,
        version=project.version_id,
        draft_version=draft.version_id if draft else None,
    )
    db.commit()
    return row


def confirm(
    db: Session,
    world: Any,
    project: Project,
    year: int = 2025,
    *,
    at: dt.datetime = NOW,
    catalog: Catalog | None = None,
    storage: Storage | None = None,
) -> ReductionConfirmation:
    """Confirm the year's draft as the city; the calculation sheet goes to ``storage``
    (unless given: the app's inside an app context, else a throwaway memory store)."""
    draft = services.open_draft(db, project, year)
    assert draft is not None
    row = services.confirm(
        db,
        Acting(world.users["city"], at),
        catalog or get_catalog(),
        project,
        year=year,
        version=draft.version_id,
        storage=storage if storage is not None else _storage(),
    )
    db.commit()
    return row


def _storage() -> Storage:
    return current_storage() if has_app_context() else MemoryStorage()


def with_rule(rule: str) -> Catalog:
    """The default catalog with another credit rule in force."""
    catalog = get_catalog()
    coefficients = dataclasses.replace(catalog.coefficients, credit_rule=rule)
    return dataclasses.replace(catalog, coefficients=coefficients)


def drafted_project(db: Session, world: Any) -> Project:
    project = stable_project(db, world)
    enter(db, world, project)
    return project


def confirmed_project(db: Session, world: Any) -> Project:
    """The drafted project with its 2025 accounting confirmed by the city (version 1)."""
    project = drafted_project(db, world)
    confirm(db, world, project)
    return project


# The access matrix's setups (tests.access.matrix) build through these.
SETUPS = {
    "accounting_stable": stable_project,
    "accounting_draft": drafted_project,
    "accounting_confirmed": confirmed_project,
}

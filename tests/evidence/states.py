"""An evidence file in a given state, built through the services (access matrix, fuzz arena,
page tests): a new approved project of district A owned by enterprise A, with one PDF the
enterprise filed against its implementation plan (G03), pre-reviewed or reviewed on request.
"""

from __future__ import annotations

import io
import itertools
from typing import Any

from sqlalchemy.orm import Session

from dispatch.audit import Acting
from dispatch.core.catalog import get_catalog
from dispatch.evidence import samples, services
from dispatch.storage import Storage
from models import EvidenceFile, EvidenceStatus, PlanStatus
from tests.projects.helpers import NOW, make_project

ITEM = "G03"
NAME = "实施方案.pdf"
PDF = samples.pdf(["Implementation plan"])
_seq = itertools.count(1)


def evidence_at(
    db: Session,
    world: Any,
    storage: Storage,
    status: EvidenceStatus = EvidenceStatus.UPLOADED,
    *,
    name: str = NAME,
    data: bytes = PDF,
) -> EvidenceFile:
    """A new approved project's file, uploaded by enterprise A, then judged to ``status``."""
    # Project names are unique per district and year.
    project = make_project(
        db, world, status=PlanStatus.APPROVED, name=f"燃煤锅炉超低排放改造（佐证{next(_seq)}）"
    )
    ev = services.upload(
        db,
        storage,
        Acting(world.users["enterprise_a"], NOW),
        get_catalog(),
        project,
        ITEM,
        io.BytesIO(data),
        name,
    )
    if status != EvidenceStatus.UPLOADED:
        accepted = status == EvidenceStatus.ACCEPTED
        services.review(
            db,
            Acting(world.users["city"], NOW),
            ev,
            accepted,
            "" if accepted else "缺少盖章页",
            version=ev.version_id,
        )
    db.commit()
    return ev

"""The access matrix's effect checks: what an admitted write leaves in the database.

``effect`` is what an admitted write leaves in the database, checked for every actor whose
code is not 404; every other actor, and every admitted request without an effect, must
leave the database exactly as it was. A refusal therefore cannot pass as a success.

Each check takes the test's case (``tests.access.test_route_access.Case``: the session and
the objects under test) and says whether the write took effect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from models import (
    ChangeRequestStatus,
    DispatchRound,
    EvidenceFile,
    EvidenceStatus,
    PlanStatus,
    ReductionConfirmation,
    ReportStatus,
    RoundStatus,
)


def status(expected: PlanStatus) -> Callable[[Any], bool]:
    return lambda c: c.project().plan_status == expected


def report(expected: ReportStatus, **values: Any) -> Callable[[Any], bool]:
    def check(c: Any) -> bool:
        report = c.report()
        return report.status == expected and all(getattr(report, k) == v for k, v in values.items())

    return check


def round_where(check: Callable[[DispatchRound], bool]) -> Callable[[Any], bool]:
    """The round under test, re-read, passes ``check``."""

    def effect(c: Any) -> bool:
        c.db.expire_all()
        return check(c.db.get(DispatchRound, c.round_id))

    return effect


def rounds_opened(c: Any) -> bool:
    """The 2025-05 round of the actor's city was opened (one round in all: nothing else)."""
    c.db.expire_all()
    rounds = c.db.scalars(select(DispatchRound)).all()
    return len(rounds) == 1 and (rounds[0].year, rounds[0].month) == (2025, 5)


def closed_keeping_reports(c: Any) -> bool:
    """The round is closed and the report under test is still pending (listed missing)."""
    closed = round_where(lambda r: r.status == RoundStatus.CLOSED)(c)
    return closed and c.report().status == ReportStatus.PENDING


def evidence_files(c: Any) -> list[EvidenceFile]:
    c.db.expire_all()
    stmt = select(EvidenceFile).where(EvidenceFile.project_id == c.project_id)
    return list(c.db.scalars(stmt.order_by(EvidenceFile.id)))


def uploaded(c: Any) -> bool:
    """One new file, filed against G03, waiting for review."""
    return [(e.item_code, e.file.original_name, e.status) for e in evidence_files(c)] == [
        ("G03", "矩阵上传.pdf", EvidenceStatus.UPLOADED)
    ]


def replaced(c: Any) -> bool:
    """The file under test kept as an old version, the new one current and linked to it."""
    old, *rest = evidence_files(c)
    return (
        old.id == c.evidence_id
        and not old.current
        and [(e.file.original_name, e.current, e.replaces_id) for e in rest]
        == [("矩阵新版本.pdf", True, old.id)]
    )


def evidence(**values: Any) -> Callable[[Any], bool]:
    def check(c: Any) -> bool:
        c.db.expire_all()
        ev = c.db.get(EvidenceFile, c.evidence_id)
        return all(getattr(ev, k) == v for k, v in values.items())

    return check


def accounting(*statuses: str) -> Callable[[Any], bool]:
    """The project's accounting versions, oldest first, are at these statuses."""

    def check(c: Any) -> bool:
        c.db.expire_all()
        stmt = select(ReductionConfirmation.status).where(
            ReductionConfirmation.project_id == c.project_id
        )
        found = c.db.scalars(stmt.order_by(ReductionConfirmation.version)).all()
        return [s.value for s in found] == list(statuses)

    return check


def decided(status: ChangeRequestStatus, plan: PlanStatus) -> Callable[[Any], bool]:
    return lambda c: c.change_request().status == status and c.project().plan_status == plan

"""Copies of record: a report's content as submitted, serialised and hashed once."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

from dispatch.audit import Acting
from dispatch.rounds.data import FIELDS
from models import ProgressReport, ReportSnapshot


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return getattr(value, "value", value)


def content_of(report: ProgressReport, acting: Acting) -> dict[str, Any]:
    """What the district submitted: the report's values, whose project, which round, who."""
    return {
        "project_code": report.project.code,
        "project_name": report.project.name,
        "period": report.round.period,
        "submitted_at": acting.at.isoformat(),
        "submitted_by": acting.actor.username,
        "late": report.late,
        **{field: _plain(getattr(report, field)) for field in FIELDS},
    }


def canonical(content: dict[str, Any]) -> str:
    """The one text a digest is taken of: sorted keys, no spaces, UTF-8 as is."""
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def take(report: ProgressReport, acting: Acting) -> ReportSnapshot:
    text = canonical(content_of(report, acting))
    return ReportSnapshot(
        report=report,
        taken_at=acting.at,
        actor_id=acting.actor.id,
        canonical=text,
        sha256=digest(text),
    )


def verify(snapshot: ReportSnapshot) -> bool:
    """The stored digest still matches the stored text."""
    return digest(snapshot.canonical) == snapshot.sha256

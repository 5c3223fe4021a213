"""The auditor's filter as data, and the select it stands for (the page and the export).

Dates are Beijing dates (what the auditor types); the log stores UTC, so a day runs from
16:00Z of the day before to 16:00Z of the day itself.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from dispatch.auditlog.categories import BY_KEY
from dispatch.core.beijing import CHINA_TZ
from models import AuditEvent


@dataclasses.dataclass(frozen=True)
class AuditCriteria:
    """A validated filter; empty values filter nothing."""

    category: str = ""
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    remote_addr: str = ""
    outcome: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @classmethod
    def of(cls, data: dict[str, Any]) -> AuditCriteria:
        """From a validated form's ``data`` (other keys ignored)."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names and v})

    def as_details(self) -> dict[str, str]:
        """The filters in use, as text (for the export's audit event and its cover sheet)."""
        return {
            f.name: value.isoformat() if isinstance(value, dt.date) else str(value)
            for f in dataclasses.fields(self)
            if (value := getattr(self, f.name))
        }


def day_start(day: dt.date) -> dt.datetime:
    """The UTC instant a Beijing date begins."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=CHINA_TZ).astimezone(dt.UTC)


def filtered(criteria: AuditCriteria) -> Select[tuple[AuditEvent]]:
    """The events the criteria select, unordered."""
    stmt = select(AuditEvent)
    c = criteria
    if c.category:
        stmt = stmt.where(BY_KEY[c.category].condition())
    if c.actor:
        stmt = stmt.where(AuditEvent.actor_username.contains(c.actor, autoescape=True))
    if c.action:
        stmt = stmt.where(AuditEvent.action.startswith(c.action, autoescape=True))
    if c.object_type:
        stmt = stmt.where(AuditEvent.object_type == c.object_type)
    if c.object_id:
        stmt = stmt.where(AuditEvent.object_id == c.object_id)
    if c.remote_addr:
        # A prefix: "10.2." finds a subnet's addresses.
        stmt = stmt.where(AuditEvent.remote_addr.startswith(c.remote_addr, autoescape=True))
    if c.outcome:
        stmt = stmt.where(AuditEvent.outcome == c.outcome)
    if c.date_from:
        stmt = stmt.where(AuditEvent.occurred_at >= day_start(c.date_from))
    if c.date_to:
        stmt = stmt.where(AuditEvent.occurred_at < day_start(c.date_to + dt.timedelta(days=1)))
    return stmt


def count(session: Session, stmt: Select[tuple[AuditEvent]]) -> int:
    return session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0

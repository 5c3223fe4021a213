"""The one writer of an approved project's progress (status, actual dates, investment).

An approved monthly report updates its project here, and nowhere else: construction
status moves forward only, a reached status carries its date (the shared rule of
``dispatch.core.construction``, which draft edits check too), cumulative investment never
falls. Reaching stable operation records the date accounting credits from.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from dispatch.audit import Acting
from dispatch.core.construction import ConstructionState, date_errors, forward_errors
from dispatch.errors import DomainError
from dispatch.projects.history import record_event
from models import Project

PROGRESS_FIELDS = (
    "construction_status",
    "actual_start",
    "actual_completion",
    "stable_operation_from",
    "investment_completed",
    "percent_complete",
)


def progress_errors(
    project: Project, state: ConstructionState, investment_completed: Decimal
) -> list[tuple[str, str]]:
    """(field, message) for every way ``state`` may not become the project's progress."""
    errors = date_errors(state) + forward_errors(ConstructionState.of(project), state)
    if investment_completed < project.investment_completed:
        errors.append(
            (
                "investment_cumulative",
                f"累计完成投资不能小于上次审核通过的 {project.investment_completed} 万元",
            )
        )
    return errors


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return getattr(value, "value", value)


def record_progress(
    session: Session,
    acting: Acting,
    project: Project,
    *,
    state: ConstructionState,
    investment_completed: Decimal,
    percent_complete: Decimal,
    source: str,
) -> dict[str, list[Any]]:
    """Apply approved progress to ``project``; refuse (DomainError) anything going back.

    Returns the changes ``{field: [before, after]}``, also written to the project's history
    with ``source`` (e.g. "2026年10月调度") as the comment.
    """
    problems = progress_errors(project, state, investment_completed)
    if problems:
        field, message = problems[0]
        raise DomainError(message, field=field)
    before = {field: _json(getattr(project, field)) for field in PROGRESS_FIELDS}
    project.construction_status = state.status
    project.actual_start = state.actual_start
    project.actual_completion = state.actual_completion
    project.stable_operation_from = state.stable_operation_from
    project.investment_completed = investment_completed
    project.percent_complete = percent_complete
    after = {field: _json(getattr(project, field)) for field in PROGRESS_FIELDS}
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changes:
        project.updated_at = acting.at
        record_event(session, project, acting, "progress", comment=source, changes=changes)
    return changes

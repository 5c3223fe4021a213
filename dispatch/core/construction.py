"""The construction-progress rule (建设状态), one definition for every writer.

A project's construction status and actual dates are written by a draft edit (a project
entering the plan list already built), by a plan-list import and by an approved monthly
report. All three check them here, so the rule cannot drift:

- a status that has been reached needs its date: 在建 and later an actual start, 已完工 and
  later an actual completion, 稳定运行 the stable-operation start (accounting uses it);
- dates come in order: start ≤ completion ≤ stable operation;
- progress moves forward only (a city-approved correction is the one way back, and it is
  not a report).

Pure and stdlib-only (models import the vocabulary from here); callers map the
messages to their fields.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from typing import Any


class ConstructionStatus(enum.StrEnum):
    """Construction status (建设状态); moves forward only, through monthly progress."""

    NOT_STARTED = "not_started"
    PREPARATION = "preparation"
    UNDER_CONSTRUCTION = "under_construction"
    COMMISSIONING = "commissioning"
    COMPLETED = "completed"
    STABLE_OPERATION = "stable_operation"

    @property
    def label(self) -> str:
        return CONSTRUCTION_STATUS_LABELS[self]

    @property
    def rank(self) -> int:
        return list(ConstructionStatus).index(self)


CONSTRUCTION_STATUS_LABELS = {
    ConstructionStatus.NOT_STARTED: "未开工",
    ConstructionStatus.PREPARATION: "前期",
    ConstructionStatus.UNDER_CONSTRUCTION: "在建",
    ConstructionStatus.COMMISSIONING: "调试",
    ConstructionStatus.COMPLETED: "已完工",
    ConstructionStatus.STABLE_OPERATION: "稳定运行",
}


FIELD_LABELS = {
    "construction_status": "建设状态",
    "actual_start": "实际开工日期",
    "actual_completion": "实际完工日期",
    "stable_operation_from": "稳定运行日期",
}
STARTED = ConstructionStatus.UNDER_CONSTRUCTION
COMPLETED = ConstructionStatus.COMPLETED
STABLE = ConstructionStatus.STABLE_OPERATION


@dataclasses.dataclass(frozen=True)
class ConstructionState:
    """Where a project's construction stands."""

    status: ConstructionStatus
    actual_start: dt.date | None = None
    actual_completion: dt.date | None = None
    stable_operation_from: dt.date | None = None

    @classmethod
    def of(cls, record: Any) -> ConstructionState:
        """The state a project or a report holds (both name the fields alike)."""
        return cls(
            record.construction_status,
            record.actual_start,
            record.actual_completion,
            record.stable_operation_from,
        )


def date_errors(state: ConstructionState) -> list[tuple[str, str]]:
    """(field, message) for each reached status without its date and each date out of order."""
    errors: list[tuple[str, str]] = []
    status, start, done, stable = (
        state.status,
        state.actual_start,
        state.actual_completion,
        state.stable_operation_from,
    )
    if status.rank >= STARTED.rank and start is None:
        errors.append(("actual_start", f"建设状态为“{status.label}”时须填写实际开工日期"))
    if status.rank >= COMPLETED.rank and done is None:
        errors.append(("actual_completion", f"建设状态为“{status.label}”时须填写实际完工日期"))
    if status == STABLE and stable is None:
        errors.append(("stable_operation_from", "建设状态为“稳定运行”时须填写稳定运行日期"))
    if start and done and done < start:
        errors.append(("actual_completion", "实际完工日期不能早于实际开工日期"))
    if done and stable and stable < done:
        errors.append(("stable_operation_from", "稳定运行日期不能早于实际完工日期"))
    return errors


def forward_errors(before: ConstructionState, after: ConstructionState) -> list[tuple[str, str]]:
    """(field, message) where ``after`` goes back from ``before``.

    The status may not fall in rank; a date already recorded may not be cleared (it can
    be corrected, since a first report may carry a typo the next one fixes).
    """
    errors: list[tuple[str, str]] = []
    if after.status.rank < before.status.rank:
        errors.append(
            (
                "construction_status",
                f"建设状态只能向前推进：当前为“{before.status.label}”，"
                f"不能改为“{after.status.label}”",
            )
        )
    for field in ("actual_start", "actual_completion", "stable_operation_from"):
        if getattr(before, field) is not None and getattr(after, field) is None:
            errors.append((field, f"{FIELD_LABELS[field]}已记录，不能清空"))
    return errors

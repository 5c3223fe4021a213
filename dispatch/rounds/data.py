"""What a progress report may hold: one validation for the form, the grid and the workbook.

:func:`validate_report` turns raw values (form strings, grid cells, workbook cells) into a
:class:`CleanReport` or a field → messages map, with the shared input hygiene and the one
construction rule. The baseline is the project as the last approved report left it: the
status may not go back and cumulative investment may not fall below it. A report may be
saved without a progress description (an enterprise fills its part first); it may not be
submitted without one (:func:`missing_for_submit`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from dispatch.core import inputs
from dispatch.core.checker import Checker, Errors, as_text
from dispatch.core.construction import ConstructionState, date_errors
from dispatch.projects.progress import progress_errors
from models import ConstructionStatus, ProgressReport, Project

FIELD_LABELS = {
    "construction_status": "建设状态",
    "percent_complete": "完成进度（%）",
    "investment_month": "本月完成投资（万元）",
    "investment_cumulative": "累计完成投资（万元）",
    "actual_start": "实际开工日期",
    "actual_completion": "实际完工日期",
    "stable_operation_from": "稳定运行日期",
    "description": "进展情况",
    "problems": "存在问题",
    "next_steps": "下步计划",
}
FIELDS = tuple(FIELD_LABELS)
TEXT_FIELDS = ("description", "problems", "next_steps")
TEXT_MAX = 2000
MONEY_DIGITS = (14, 2)
PERCENT_DIGITS = (5, 2)
CENT = Decimal("0.01")
STATUS_BY_LABEL = {s.label: s for s in ConstructionStatus}


@dataclasses.dataclass
class ReportInput:
    """Raw values as they arrive; any of them may be missing or hostile."""

    construction_status: Any = None
    percent_complete: Any = None
    investment_month: Any = None
    investment_cumulative: Any = None
    actual_start: Any = None
    actual_completion: Any = None
    stable_operation_from: Any = None
    description: Any = None
    problems: Any = None
    next_steps: Any = None


@dataclasses.dataclass(frozen=True)
class CleanReport:
    construction_status: ConstructionStatus
    percent_complete: Decimal
    investment_month: Decimal
    investment_cumulative: Decimal
    actual_start: dt.date | None
    actual_completion: dt.date | None
    stable_operation_from: dt.date | None
    description: str
    problems: str
    next_steps: str

    @property
    def state(self) -> ConstructionState:
        return ConstructionState.of(self)


def input_of(report: ProgressReport) -> ReportInput:
    """A stored report as raw input (to re-validate it or to show it in a form)."""
    return ReportInput(**{field: getattr(report, field) for field in FIELDS})


def _status(check: Checker, value: Any) -> ConstructionStatus | None:
    text = as_text(getattr(value, "value", value))
    if not text:
        check.add("construction_status", "建设状态不能为空")
        return None
    status = STATUS_BY_LABEL.get(text)
    if status is None:
        try:
            status = ConstructionStatus(text)
        except ValueError:
            check.add("construction_status", f"建设状态“{inputs.shown(text)}”无效")
    return status


def validate_report(
    raw: ReportInput, *, project: Project, today: dt.date
) -> tuple[CleanReport | None, Errors]:
    """Every problem of ``raw`` by field, or the clean values (errors then empty)."""
    check = Checker(FIELD_LABELS)
    status = _status(check, raw.construction_status)
    percent = check.decimal(
        "percent_complete",
        raw.percent_complete,
        PERCENT_DIGITS,
        minimum=Decimal(0),
        maximum=Decimal(100),
    )
    month = check.decimal(
        "investment_month", raw.investment_month, MONEY_DIGITS, minimum=Decimal(0)
    )
    cumulative = check.decimal(
        "investment_cumulative", raw.investment_cumulative, MONEY_DIGITS, minimum=Decimal(0)
    )
    # Actual dates: none in the future beyond tomorrow (a day's grace around midnight).
    window = (inputs.EARLIEST_DATE, today + dt.timedelta(days=1))
    start = check.date("actual_start", raw.actual_start, window, required=False)
    done = check.date("actual_completion", raw.actual_completion, window, required=False)
    stable = check.date("stable_operation_from", raw.stable_operation_from, window, required=False)
    texts = {
        field: check.text(field, getattr(raw, field), max_length=TEXT_MAX, multiline=True)
        for field in TEXT_FIELDS
    }
    if status is not None and cumulative is not None and not check.errors:
        state = ConstructionState(status, start, done, stable)
        for field, message in progress_errors(project, state, cumulative):
            check.add(field, message)
    if check.errors:
        return None, check.errors
    assert status is not None and percent is not None
    assert month is not None and cumulative is not None
    return (
        CleanReport(
            construction_status=status,
            # As the columns store them, so a copy of record reads like the report page.
            percent_complete=percent.quantize(CENT),
            investment_month=month.quantize(CENT),
            investment_cumulative=cumulative.quantize(CENT),
            actual_start=start,
            actual_completion=done,
            stable_operation_from=stable,
            **texts,
        ),
        check.errors,
    )


def missing_for_submit(report: ProgressReport) -> list[tuple[str, str]]:
    """(field, message) for what a stored report still lacks before it can be submitted."""
    missing: list[tuple[str, str]] = []
    if not report.description.strip():
        missing.append(("description", "进展情况不能为空"))
    state = ConstructionState.of(report)
    missing.extend(date_errors(state))
    return missing

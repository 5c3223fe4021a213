"""Monthly dispatch forms: one progress report, the buttons acting on a report, the grid.

Every input is one of the hygiene fields of ``forms.fields``; the limits are those of
``dispatch.rounds.data``, whose :func:`~dispatch.rounds.data.validate_report` then applies
the one construction rule (forward only, dates required, cumulative investment never
falling) to the form, the grid and the workbook alike. Forms never query the database.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from wtforms import SelectField

from dispatch.core import inputs
from dispatch.rounds.data import FIELD_LABELS, MONEY_DIGITS, PERCENT_DIGITS, TEXT_MAX
from forms import Form, choices
from forms.fields import CleanTextArea, DateText, DecimalText, VersionField
from models import ConstructionStatus

REASON_MAX = 2000
STATUS_CHOICES = [(s.value, s.label) for s in ConstructionStatus]


def _actual_latest(form: Any) -> dt.date | None:
    # As validate_report: an actual date may be at most tomorrow (a day's grace at midnight).
    today = getattr(form, "today", None)
    return today + dt.timedelta(days=1) if today is not None else None


def _actual_date(field: str, **kwargs: Any) -> DateText:
    return DateText(
        FIELD_LABELS[field], earliest=inputs.EARLIEST_DATE, latest=_actual_latest, **kwargs
    )


def _money(field: str) -> DecimalText:
    return DecimalText(
        FIELD_LABELS[field], max_digits=MONEY_DIGITS[0], places=MONEY_DIGITS[1], minimum=Decimal(0)
    )


class ReportForm(Form):
    """One progress report at the version it was shown; ``today`` bounds the actual dates.

    The status is checked by ``validate_report`` (its message names the field), so a
    tampered option is refused in the same words as a bad workbook cell.
    """

    today: dt.date | None = None

    version = VersionField("版本")
    construction_status = SelectField(
        FIELD_LABELS["construction_status"],
        choices=choices(STATUS_CHOICES),
        validate_choice=False,
    )
    percent_complete = DecimalText(
        FIELD_LABELS["percent_complete"],
        max_digits=PERCENT_DIGITS[0],
        places=PERCENT_DIGITS[1],
        minimum=Decimal(0),
        maximum=Decimal(100),
    )
    investment_month = _money("investment_month")
    investment_cumulative = _money("investment_cumulative")
    actual_start = _actual_date("actual_start")
    actual_completion = _actual_date(
        "actual_completion", description="建设状态为已完工或稳定运行时必填"
    )
    stable_operation_from = _actual_date(
        "stable_operation_from", description="建设状态为稳定运行时必填"
    )
    description = CleanTextArea(
        FIELD_LABELS["description"],
        max_length=TEXT_MAX,
        description="提交前必填：本月工程进展",
        render_kw={"rows": 3},
    )
    problems = CleanTextArea(FIELD_LABELS["problems"], max_length=TEXT_MAX, render_kw={"rows": 2})
    next_steps = CleanTextArea(
        FIELD_LABELS["next_steps"], max_length=TEXT_MAX, render_kw={"rows": 2}
    )


def report_form(*, today: dt.date, **kwargs: Any) -> ReportForm:
    form = ReportForm(**kwargs)
    form.today = today
    return form


class ReportVersionForm(Form):
    """A button acting on a report at the version the page showed (submit, approve)."""

    version = VersionField("版本")


class ReportReasonForm(Form):
    """Return with a reason (rendered on the report page; the city side handles it)."""

    version = VersionField("版本")
    reason = CleanTextArea("退回原因", max_length=REASON_MAX)


class GridForm(Form):
    """The grid's and the batch buttons' CSRF token; their cells are read by the view,
    row by row, through ``validate_report`` (a form class per row would be 300 forms)."""

"""The city's forms of the monthly dispatch: open a round, set its deadlines, close it,
approve or return reports one at a time or a selection at once.

Deadlines are typed as Beijing wall-clock times and kept as UTC instants (the fields of
``forms.fields`` convert). The rules between fields and against the stored rounds (one
round per month, the district deadline not before the enterprise's, who may act on what)
are the services'; a refusal of theirs is shown on the field it names (``month``,
``district_deadline``, ``reason``), which is why the fields carry those names.
"""

from __future__ import annotations

from typing import Any

from wtforms import Field, SelectField
from wtforms.validators import StopValidation, ValidationError

from dispatch.core import inputs
from forms import Form, choices
from forms.fields import (
    BAD_VERSION,
    MISSING_VERSION,
    BeijingDateTime,
    CleanTextArea,
    MonthText,
    VersionField,
)

REASON_MAX = 2000
# The most reports one review decision acts on (the queue shows at most this many a page).
BATCH_MAX = 500
DECISIONS = (("approve", "审核通过"), ("return", "退回区县"))


def _enterprise_deadline(required: bool) -> BeijingDateTime:
    return BeijingDateTime(
        "企业填报截止时间",
        required="请填写企业填报截止时间" if required else None,
        description="北京时间",
    )


def _district_deadline(required: bool) -> BeijingDateTime:
    return BeijingDateTime(
        "区县提交截止时间",
        required="请填写区县提交截止时间" if required else None,
        description="北京时间；此后提交的填报标记为逾期",
    )


class OpenRoundForm(Form):
    """Open the city's round of one month; a deadline left empty takes its default."""

    month = MonthText("调度月份", required="请填写调度月份")
    enterprise_deadline = _enterprise_deadline(required=False)
    district_deadline = _district_deadline(required=False)


class DeadlinesForm(Form):
    """Change an open round's deadlines (at the version the page showed)."""

    version = VersionField("版本")
    enterprise_deadline = _enterprise_deadline(required=True)
    district_deadline = _district_deadline(required=True)


class RoundVersionForm(Form):
    """Close a round: a button at the version the page showed."""

    version = VersionField("版本")


class ApproveForm(Form):
    """Approve one report at the version the page showed."""

    version = VersionField("版本")


class ReturnForm(Form):
    """Return one report to its district: the reason is required and shown to them."""

    version = VersionField("版本")
    reason = CleanTextArea("退回原因", max_length=REASON_MAX, required="请填写退回原因")


class TextList(Field):
    """Every value sent under the field's name (a table's checkboxes or hidden inputs)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = [str(value) for value in valuelist]

    def _value(self) -> str:  # pragma: no cover - rendered by hand, one input per row
        return ""


def _version_pairs(values: list[str]) -> dict[int, int]:
    """``"id:version"`` pairs as a map; a malformed pair is refused, never skipped."""
    pairs: dict[int, int] = {}
    for value in values:
        report, _colon, version = value.partition(":")
        report_id = inputs.parse_id(report)
        number = inputs.parse_id(version)
        if report_id is None or number is None:
            raise ValidationError(BAD_VERSION)
        pairs[report_id] = number
    return pairs


class ReviewForm(Form):
    """A decision on a selection of the review queue.

    ``report_ids`` are the ticked rows; ``versions`` holds an ``"id:version"`` pair for
    every row the page showed, so each chosen report is acted on at the version seen.
    """

    report_ids = TextList("所选填报")
    versions = TextList("版本")
    decision = SelectField(
        "审核结论",
        choices=choices(DECISIONS),
        validate_choice=False,
        validators=[],
    )
    reason = CleanTextArea(
        "退回原因", max_length=REASON_MAX, description="退回时必填，所选各条使用同一原因"
    )

    def validate_report_ids(self, field: Field) -> None:
        values = field.data or []
        if not values:
            raise StopValidation("请至少选择一条填报")
        if len(values) > BATCH_MAX:
            raise StopValidation(f"所选填报过多：一次最多审核 {BATCH_MAX} 条")
        if any(inputs.parse_id(value) is None for value in values):
            raise StopValidation("所选填报无效，请刷新页面后重试")

    def validate_versions(self, field: Field) -> None:
        if len(field.data or []) > BATCH_MAX * 2:
            raise StopValidation(BAD_VERSION)
        versions = _version_pairs(field.data or [])
        ticked = {inputs.parse_id(value) for value in self.report_ids.data or []}
        if any(report_id not in versions for report_id in ticked if report_id is not None):
            raise StopValidation(MISSING_VERSION)

    def validate_decision(self, field: Field) -> None:
        if field.data not in dict(DECISIONS):
            raise StopValidation("请选择审核结论：审核通过或退回区县")

    def validate_reason(self, field: Field) -> None:
        if self.decision.data == "return" and not field.data:
            raise StopValidation("退回必须填写退回原因")

    def chosen(self) -> list[tuple[int, int]]:
        """The ticked reports, each once, with the version the page showed (valid form)."""
        versions = _version_pairs(self.versions.data or [])
        ids = (inputs.parse_id(value) for value in dict.fromkeys(self.report_ids.data or []))
        return [(report_id, versions[report_id]) for report_id in ids if report_id is not None]

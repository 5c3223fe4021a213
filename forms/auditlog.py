"""Filter form of the audit log (GET, so no CSRF token); the export takes the same filter.

Dates outside 2000-01-01 … 2100-12-31 are refused with a message (0001-01-01 or
9999-12-31 in a hand-made link would overflow the conversion to UTC); text filters are
clean text within the columns they search.
"""

from __future__ import annotations

from wtforms import SelectField

from dispatch.auditlog.categories import CATEGORY_CHOICES
from forms import Form, choices
from forms.fields import CleanText, DateText

# WTForms' generic messages ("不是有效的日期值") do not say what to enter; this does.
DATE_HINT = "日期格式不正确，请按 年-月-日 填写，例如 2025-06-01"
OUTCOME_CHOICES = (("", "全部"), ("success", "成功"), ("failure", "失败"), ("denied", "拒绝"))


class AuditFilterForm(Form):
    class Meta:
        csrf = False  # a read-only GET filter

    category = SelectField("类别", choices=choices(CATEGORY_CHOICES), validate_choice=False)
    actor = CleanText("操作人", max_length=64)
    action = CleanText("操作", max_length=64)
    object_type = CleanText("对象类型", max_length=64)
    object_id = CleanText("对象编号", max_length=64)
    remote_addr = CleanText("来源地址", max_length=64)
    outcome = SelectField("结果", choices=choices(OUTCOME_CHOICES), validate_choice=False)
    date_from = DateText("开始日期", format_message=DATE_HINT)
    date_to = DateText("结束日期", format_message=DATE_HINT)

    # The filter's fields, in the order the page and the export's hidden copy list them.
    FILTER_FIELDS = (
        "category",
        "actor",
        "action",
        "object_type",
        "object_id",
        "remote_addr",
        "outcome",
        "date_from",
        "date_to",
    )

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def,override]
        """Fields, then the choices (a hand-made link can send anything) and the range."""
        valid = super().validate(extra_validators)
        if (self.category.data or "") not in dict(CATEGORY_CHOICES):
            self.category.errors = ["请从列表中选择类别"]
            valid = False
        if (self.outcome.data or "") not in dict(OUTCOME_CHOICES):
            self.outcome.errors = ["请选择 全部、成功、失败 或 拒绝"]
            valid = False
        start, end = self.date_from.data, self.date_to.data
        if valid and start and end and end < start:
            self.date_to.errors = ["结束日期不能早于开始日期"]
            valid = False
        return valid

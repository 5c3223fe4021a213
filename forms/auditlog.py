"""Filter form of the audit log (GET, so no CSRF token).

Dates outside 2000-01-01 … 2100-12-31 are refused with a message (0001-01-01 or
9999-12-31 in a hand-made link would overflow the conversion to UTC); text filters are
clean text within the columns they search.
"""

from __future__ import annotations

from wtforms import SelectField

from forms import Form, choices
from forms.fields import CleanText, DateText

# WTForms' generic messages ("不是有效的日期值") do not say what to enter; this does.
DATE_HINT = "日期格式不正确，请按 年-月-日 填写，例如 2025-06-01"


class AuditFilterForm(Form):
    class Meta:
        csrf = False  # a read-only GET filter

    actor = CleanText("操作人", max_length=64)
    action = CleanText("操作", max_length=64)
    object_type = CleanText("对象类型", max_length=64)
    object_id = CleanText("对象编号", max_length=64)
    outcome = SelectField(
        "结果",
        choices=choices(
            [("", "全部"), ("success", "成功"), ("failure", "失败"), ("denied", "拒绝")]
        ),
        validate_choice=False,
    )
    date_from = DateText("开始日期", format_message=DATE_HINT)
    date_to = DateText("结束日期", format_message=DATE_HINT)

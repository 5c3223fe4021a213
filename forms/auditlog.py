"""Filter form of the audit log (GET, so no CSRF token)."""

from __future__ import annotations

from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional

from forms import Form, choices


class AuditFilterForm(Form):
    class Meta:
        csrf = False  # a read-only GET filter

    actor = StringField("操作人", validators=[Optional(), Length(max=64)])
    action = StringField("操作", validators=[Optional(), Length(max=64)])
    object_type = StringField("对象类型", validators=[Optional(), Length(max=64)])
    object_id = StringField("对象编号", validators=[Optional(), Length(max=64)])
    outcome = SelectField(
        "结果",
        choices=choices(
            [("", "全部"), ("success", "成功"), ("failure", "失败"), ("denied", "拒绝")]
        ),
        validators=[Optional()],
    )
    date_from = DateField("开始日期", validators=[Optional()], format="%Y-%m-%d")
    date_to = DateField("结束日期", validators=[Optional()], format="%Y-%m-%d")

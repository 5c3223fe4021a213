"""Forms of the plan-list workbook: the upload for import, the year and scope of an export."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange

from forms import Form, choices
from models import PlanStatus

# "approved" is the plan list itself; "all" lets a district preview its own drafts too.
EXPORT_STATUS_CHOICES = [
    ("approved", "已入库项目（计划清单）"),
    ("all", "全部状态（含草稿、待审核）"),
    *[(s.value, f"仅{s.label}") for s in PlanStatus if s != PlanStatus.APPROVED],
]


class PlanListImportForm(Form):
    file = FileField(
        "计划清单工作簿（.xlsx）", validators=[FileRequired("请选择要导入的 .xlsx 文件")]
    )


class PlanListExportForm(Form):
    """GET form (no CSRF token: it only reads) leading to the export download."""

    class Meta:
        csrf = False

    year = IntegerField(
        "计划年度",
        validators=[
            InputRequired("请填写计划年度"),
            NumberRange(2000, 2100, "计划年度应为 2000 至 2100 之间的年份"),
        ],
    )
    status = SelectField("项目范围", choices=choices(EXPORT_STATUS_CHOICES), default="approved")

"""Forms of the plan-list workbook: the upload for import, the year and scope of an export."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, ValidationError

from dispatch.projects.data import YEAR_RANGE
from forms import Form, choices
from forms.fields import IntegerText
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

    # "计划年度应在 2000 至 2100 之间" / "计划年度应为整数（只能使用 0-9）…": the field is named.
    year = IntegerText(
        "计划年度", minimum=YEAR_RANGE[0], maximum=YEAR_RANGE[1], required="请填写计划年度"
    )
    status = SelectField(
        "项目范围",
        choices=choices(EXPORT_STATUS_CHOICES),
        default="approved",
        validate_choice=False,
    )

    def validate_status(self, field: SelectField) -> None:
        if field.data not in {value for value, _label in EXPORT_STATUS_CHOICES}:
            raise ValidationError("项目范围无效，请重新选择")

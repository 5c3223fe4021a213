"""The upload form of the district's filled progress workbook (月度调度离线填报)."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired

from forms import Form


class ProgressImportForm(Form):
    file = FileField("填报工作簿（.xlsx）", validators=[FileRequired("请选择要导入的 .xlsx 文件")])

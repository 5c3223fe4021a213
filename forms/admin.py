"""Forms of the admin area: users, regions, enterprises, enterprise import, list filters.

Choices (regions, districts) come from the view through the constructor; the forms never
query. Select fields coerce leniently and check membership themselves, so a tampered or
empty value becomes a Chinese message on the field, never WTForms' English default.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_wtf.file import FileField, FileRequired
from wtforms import Field, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from forms import Form
from models import RegionKind, Role

Choices = Sequence[tuple[Any, str]]

ROLE_CHOICES = [(role.value, role.label) for role in Role]
KIND_CHOICES = [(kind.value, kind.label + "级") for kind in RegionKind]


def int_or_none(value: Any) -> int | None:
    """Coerce a select value to an id; anything else is "nothing chosen"."""
    if value is None or isinstance(value, int):
        return value
    text = str(value).strip()
    return int(text) if text.isdigit() and len(text) < 12 else None


def strip(value: Any) -> Any:
    """Pasted values often carry spaces; lengths are checked on what will be stored."""
    return value.strip() if isinstance(value, str) else value


class TextField(StringField):
    """A text input whose value is stripped before validation."""

    def __init__(self, label: str | None = None, validators: Any = None, **kwargs: Any):
        filters = [strip, *kwargs.pop("filters", ())]
        super().__init__(label, validators, filters=filters, **kwargs)


def str_or_empty(value: Any) -> str:
    return "" if value is None else str(value)


class _ChoiceCheck:
    """Membership check with a Chinese message (replaces WTForms' ``pre_validate``)."""

    def __init__(self, message: str, *, required: bool = True):
        self.message = message
        self.required = required

    def __call__(self, form: Form, field: Field) -> None:
        empty = field.data in (None, "")
        if empty:
            if self.required:
                raise ValidationError(self.message)
            return
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError("所选项无效，请重新选择")


def _id_select(label: str, message: str, *, required: bool = True) -> SelectField:
    return SelectField(
        label,
        coerce=int_or_none,
        validate_choice=False,
        validators=[_ChoiceCheck(message, required=required)],
    )


def _value_select(label: str, message: str, *, required: bool = True) -> SelectField:
    return SelectField(
        label,
        coerce=str_or_empty,
        validate_choice=False,
        validators=[_ChoiceCheck(message, required=required)],
    )


def _blank(choices: Choices, label: str = "— 请选择 —") -> list[tuple[Any, str]]:
    return [("", label), *choices]


# --- users ------------------------------------------------------------------------------


class _UserFields(Form):
    display_name = TextField(
        "姓名",
        validators=[DataRequired("请填写姓名"), Length(max=64, message="姓名不能超过 64 个字符")],
    )
    phone = TextField(
        "联系电话", validators=[Optional(), Length(max=32, message="联系电话不能超过 32 个字符")]
    )
    role = _value_select("角色", "请选择角色")
    region_id = _id_select("所属区划", "请选择所属区划", required=False)
    enterprise_uscc = TextField(
        "所属企业（统一社会信用代码）",
        description="仅企业用户填写；其他角色选择所属区划",
        # No Optional(): it would stop the chain before the role-dependent check below.
        validators=[Length(max=18, message="统一社会信用代码为 18 位")],
    )

    def __init__(self, *args: Any, regions: Choices = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.role.choices = _blank(ROLE_CHOICES)
        self.region_id.choices = _blank(regions, "— 无（企业用户）—")

    def validate_enterprise_uscc(self, field: Field) -> None:
        if self.role.data == Role.ENTERPRISE.value and not (field.data or "").strip():
            raise ValidationError("企业用户必须填写所属企业的统一社会信用代码")

    def validate_region_id(self, field: Field) -> None:
        if self.role.data and self.role.data != Role.ENTERPRISE.value and field.data is None:
            raise ValidationError("请选择所属区划")


class UserCreateForm(_UserFields):
    username = TextField(
        "用户名",
        description="登录名，创建后不可修改",
        validators=[
            DataRequired("请填写用户名"),
            Length(max=64, message="用户名不能超过 64 个字符"),
        ],
    )
    password = PasswordField(
        "初始密码",
        description="用户首次登录时须修改；至少 8 位，含大写、小写、数字、符号中的 3 类",
        validators=[DataRequired("请填写初始密码"), Length(max=128, message="密码过长")],
    )
    confirm_password = PasswordField(
        "确认初始密码",
        validators=[
            DataRequired("请再次输入初始密码"),
            EqualTo("password", message="两次输入的密码不一致"),
        ],
    )


class UserEditForm(_UserFields):
    pass


class ResetPasswordForm(Form):
    new_password = PasswordField(
        "新密码",
        description="用户下次登录时须修改此密码；重置后其所有登录会话立即失效",
        validators=[DataRequired("请填写新密码"), Length(max=128, message="密码过长")],
    )
    confirm_password = PasswordField(
        "确认新密码",
        validators=[
            DataRequired("请再次输入新密码"),
            EqualTo("new_password", message="两次输入的密码不一致"),
        ],
    )


class ConfirmForm(Form):
    """A button-only POST (enable, disable): carries the CSRF token and nothing else."""


# --- regions and enterprises ------------------------------------------------------------

_NAME_64 = [DataRequired("请填写名称"), Length(max=64, message="名称不能超过 64 个字符")]
_DIVISION_CODE = [
    DataRequired("请填写行政区划代码"),
    Length(min=6, max=6, message="行政区划代码必须为 6 位数字"),
]


class RegionCreateForm(Form):
    kind = _value_select("级别", "请选择级别")
    name = TextField("名称", validators=_NAME_64)
    division_code = TextField("行政区划代码", validators=_DIVISION_CODE)
    parent_id = _id_select("上级区划", "请选择上级区划", required=False)

    def __init__(self, *args: Any, parents: Choices = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.kind.choices = _blank(KIND_CHOICES)
        self.parent_id.choices = _blank(parents, "— 无（省级）—")


class RegionEditForm(Form):
    name = TextField("名称", validators=_NAME_64)
    division_code = TextField("行政区划代码", validators=_DIVISION_CODE)


class EnterpriseForm(Form):
    name = TextField(
        "企业名称",
        validators=[
            DataRequired("请填写企业名称"),
            Length(max=128, message="企业名称不能超过 128 个字符"),
        ],
    )
    uscc = TextField(
        "统一社会信用代码",
        validators=[
            DataRequired("请填写统一社会信用代码"),
            Length(max=18, message="统一社会信用代码为 18 位"),
        ],
    )
    district_id = _id_select("所属区县", "请选择所属区县")
    address = TextField(
        "地址", validators=[Optional(), Length(max=255, message="地址不能超过 255 个字符")]
    )
    industry = TextField(
        "行业", validators=[Optional(), Length(max=64, message="行业不能超过 64 个字符")]
    )
    permit_number = TextField(
        "排污许可证编号",
        validators=[Optional(), Length(max=64, message="排污许可证编号不能超过 64 个字符")],
    )

    def __init__(self, *args: Any, districts: Choices = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.district_id.choices = _blank(districts)


class ImportForm(Form):
    file = FileField("Excel 文件（.xlsx）", validators=[FileRequired("请选择要导入的 .xlsx 文件")])


# --- list filters (GET, no CSRF) --------------------------------------------------------


class _Filter(Form):
    class Meta:
        csrf = False  # read-only GET filters

    q = TextField("关键词", validators=[Optional(), Length(max=64, message="关键词过长")])


class UserFilterForm(_Filter):
    role = _value_select("角色", "", required=False)
    status = _value_select("状态", "", required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.role.choices = [("", "全部角色"), *ROLE_CHOICES]
        self.status.choices = [("", "全部状态"), ("active", "启用"), ("disabled", "停用")]


class RegionFilterForm(_Filter):
    kind = _value_select("级别", "", required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.kind.choices = [("", "全部级别"), *KIND_CHOICES]


class EnterpriseFilterForm(_Filter):
    district_id = _id_select("所属区县", "", required=False)

    def __init__(self, *args: Any, districts: Choices = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.district_id.choices = _blank(districts, "全部区县")

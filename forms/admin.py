"""Forms of the admin area: users, regions, enterprises, enterprise import, list filters,
and the list filters of the security officer's accounts and the auditor's sign-in history.

Choices (regions, districts) come from the view through the constructor; the forms never
query. Select fields coerce leniently and check membership themselves, so a tampered or
empty value becomes a Chinese message on the field, never WTForms' English default.
Text inputs are the hygiene fields of ``forms.fields``, each within its column's length;
names and codes refuse invisible characters, user names are lower-case ASCII.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_wtf.file import FileField, FileRequired
from wtforms import Field, PasswordField, SelectField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from dispatch.access.accounts import OFFICER_ACCOUNTS_MESSAGE
from dispatch.auth.passwords import POLICY_TEXT
from dispatch.core import inputs
from forms import Form
from forms.fields import CleanText, PhoneText, UsernameText
from models import RegionKind, Role
from models.enums import BUSINESS_ROLES, OFFICER_ROLES

Choices = Sequence[tuple[Any, str]]

ROLE_CHOICES = [(role.value, role.label) for role in Role]
# The roles the system administrator gives (三员 accounts are made on the command line).
BUSINESS_ROLE_CHOICES = [(role.value, role.label) for role in BUSINESS_ROLES]
KIND_CHOICES = [(kind.value, kind.label + "级") for kind in RegionKind]


# A select value that is not an id (garbage, Unicode digits, beyond the database's range)
# stays as this marker: it is no choice, so the membership check names it invalid.
NOT_AN_ID = "invalid"


def id_or_none(value: Any) -> int | str | None:
    """Coerce a select value to an id; empty is "nothing chosen", anything else invalid."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    text = str(value).strip()
    if not text:
        return None
    found = inputs.parse_id(text)
    return NOT_AN_ID if found is None else found


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


class _RoleCheck(_ChoiceCheck):
    """An officer's role gets the reason it cannot be given here, not "invalid choice"."""

    def __call__(self, form: Form, field: Field) -> None:
        if field.data in {role.value for role in OFFICER_ROLES}:
            raise ValidationError(OFFICER_ACCOUNTS_MESSAGE)
        super().__call__(form, field)


def _id_select(label: str, message: str, *, required: bool = True) -> SelectField:
    return SelectField(
        label,
        coerce=id_or_none,
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
    display_name = CleanText("姓名", max_length=64, identifier=True, required="请填写姓名")
    phone = PhoneText("联系电话")
    role = SelectField(
        "角色", coerce=str_or_empty, validate_choice=False, validators=[_RoleCheck("请选择角色")]
    )
    region_id = _id_select("所属区划", "请选择所属区划", required=False)
    # Not required: the role-dependent check below says when it must be filled.
    enterprise_uscc = CleanText(
        "所属企业（统一社会信用代码）",
        max_length=18,
        identifier=True,
        description="仅企业用户填写；其他角色选择所属区划",
    )

    def __init__(self, *args: Any, regions: Choices = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.role.choices = _blank(BUSINESS_ROLE_CHOICES)
        self.region_id.choices = _blank(regions, "— 无（企业用户）—")

    def validate_enterprise_uscc(self, field: Field) -> None:
        if self.role.data == Role.ENTERPRISE.value and not (field.data or "").strip():
            raise ValidationError("企业用户必须填写所属企业的统一社会信用代码")

    def validate_region_id(self, field: Field) -> None:
        if self.role.data and self.role.data != Role.ENTERPRISE.value and field.data is None:
            raise ValidationError("请选择所属区划")


class UserCreateForm(_UserFields):
    username = UsernameText(
        "用户名",
        required="请填写用户名",
        description="登录名，创建后不可修改；小写英文字母、数字和 . _ -",
    )
    password = PasswordField(
        "初始密码",
        description=f"用户首次登录时须修改；{POLICY_TEXT}",
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
        description=f"用户下次登录时须修改此密码；重置后其所有登录会话立即失效。{POLICY_TEXT}",
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


def _region_name() -> CleanText:
    return CleanText("名称", max_length=64, identifier=True, required="请填写名称")


def _division_code() -> CleanText:
    # Six digits: the service checks the form (GB/T 2260) and says so.
    return CleanText("行政区划代码", max_length=6, identifier=True, required="请填写行政区划代码")


class RegionCreateForm(Form):
    kind = _value_select("级别", "请选择级别")
    name = _region_name()
    division_code = _division_code()
    parent_id = _id_select("上级区划", "请选择上级区划", required=False)

    def __init__(self, *args: Any, parents: Choices = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.kind.choices = _blank(KIND_CHOICES)
        self.parent_id.choices = _blank(parents, "— 无（省级）—")


class RegionEditForm(Form):
    name = _region_name()
    division_code = _division_code()


class EnterpriseForm(Form):
    name = CleanText("企业名称", max_length=128, identifier=True, required="请填写企业名称")
    uscc = CleanText(
        "统一社会信用代码", max_length=18, identifier=True, required="请填写统一社会信用代码"
    )
    district_id = _id_select("所属区县", "请选择所属区县")
    address = CleanText("地址", max_length=255)
    industry = CleanText("行业", max_length=64)
    permit_number = CleanText("排污许可证编号", max_length=64, identifier=True)

    def __init__(self, *args: Any, districts: Choices = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.district_id.choices = _blank(districts)


class ImportForm(Form):
    file = FileField("Excel 文件（.xlsx）", validators=[FileRequired("请选择要导入的 .xlsx 文件")])


# --- list filters (GET, no CSRF) --------------------------------------------------------


class _Filter(Form):
    class Meta:
        csrf = False  # read-only GET filters

    q = CleanText("关键词", max_length=64)


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


# The security officer's account list: by name, and by the state that needs attention.
ACCOUNT_STATES = (
    ("", "全部账户"),
    ("locked", "锁定中"),
    ("disabled", "已停用"),
    ("must_change", "待修改密码"),
)


class SecurityAccountFilterForm(_Filter):
    role = _value_select("角色", "", required=False)
    state = _value_select("状态", "", required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.role.choices = [("", "全部角色"), *ROLE_CHOICES]
        self.state.choices = list(ACCOUNT_STATES)


SIGN_IN_OUTCOMES = (("", "全部结果"), ("success", "成功"), ("failure", "失败"), ("denied", "拒绝"))


class SignInFilterForm(_Filter):
    """The auditor's sign-in history: by the name signed in with, and by outcome."""

    q = CleanText("用户名", max_length=inputs.USERNAME_MAX)
    outcome = _value_select("结果", "", required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.outcome.choices = list(SIGN_IN_OUTCOMES)

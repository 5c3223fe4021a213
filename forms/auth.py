"""Login, password-change and two-factor forms.

The user name typed at login is clean text (no control or invisible characters, at most
the column's 64); its exact shape is the admin form's business, so a name typed in
capitals still reads as "wrong name or password", not as a format lesson. Passwords are
taken as typed (any character), bounded in length.
"""

from __future__ import annotations

from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from dispatch.auth.passwords import POLICY_TEXT
from dispatch.core.inputs import USERNAME_MAX
from forms import Form
from forms.fields import CleanText


class LoginForm(Form):
    username = CleanText(
        "用户名", max_length=USERNAME_MAX, identifier=True, required="请输入用户名"
    )
    password = PasswordField("密码", validators=[DataRequired("请输入密码"), Length(max=128)])


class ChangePasswordForm(Form):
    current_password = PasswordField(
        "当前密码",
        validators=[DataRequired("请输入当前密码"), Length(max=128, message="当前密码过长")],
    )
    new_password = PasswordField(
        "新密码",
        description=POLICY_TEXT,
        validators=[DataRequired("请输入新密码"), Length(max=128, message="新密码过长")],
    )
    confirm_password = PasswordField(
        "确认新密码",
        validators=[
            DataRequired("请再次输入新密码"),
            EqualTo("new_password", message="两次输入的新密码不一致"),
        ],
    )


def _code(label: str, required: str, max_length: int = 8) -> CleanText:
    # No browser autofill of a saved value; phones offer the code from SMS-style keyboards.
    return CleanText(
        label,
        max_length=max_length,
        identifier=True,
        required=required,
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class SecondStepForm(Form):
    """The second sign-in step: a code of the authenticator app, or a recovery code."""

    code = CleanText(
        "验证码或恢复码",
        max_length=32,
        identifier=True,
        required="请输入验证码或恢复码",
        description="验证器应用上的 6 位验证码；手机不在身边时，可输入一个恢复码（每个只能用一次）",
        render_kw={"autocomplete": "one-time-code"},
    )


class EnrolForm(Form):
    """Confirms the authenticator app shows the right codes before two-factor is on."""

    code = _code("验证码", "请输入验证器应用上显示的 6 位验证码")


class RegenerateCodesForm(Form):
    """New recovery codes, after proving the authenticator with a current code."""

    code = _code("验证码", "请输入验证器应用上显示的 6 位验证码")

"""Sign-in history (登录记录): time, address and outcome of every sign-in attempt.

Read from the chained audit log rather than a table of its own: every attempt is already
recorded there (``auth.login`` with the outcome and its reason, ``auth.lockout`` when
the failures lock the account), with the time and the client address, and the chain
makes the history as tamper-evident as the rest of the log. An attempt on a known
account is recorded as that account (``actor_id``); one on an unknown name under the name
typed, with no account. The history therefore reaches back as far as the live audit log
(the retention setting; older events are in its archives).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import Select, select

from models import AuditEvent, AuditOutcome

# The audit actions that make up the history, the second sign-in step's included (a
# right code is followed by ``auth.login``, so only its failures and the use of a
# recovery code are lines of their own).
SIGN_IN_ACTIONS = ("auth.login", "auth.lockout", "auth.totp_failure", "auth.recovery_code_used")

# (action, outcome, reason) → what the user reads; the most specific entry wins.
_LABELS = {
    ("auth.login", AuditOutcome.SUCCESS, ""): "登录成功",
    ("auth.login", AuditOutcome.FAILURE, "bad_password"): "失败：密码错误",
    ("auth.login", AuditOutcome.FAILURE, "unknown_user"): "失败：用户名不存在",
    ("auth.login", AuditOutcome.FAILURE, "inactive"): "失败：账户已停用",
    ("auth.login", AuditOutcome.DENIED, "locked"): "拒绝：账户锁定中",
    ("auth.lockout", AuditOutcome.SUCCESS, ""): "账户被锁定（连续登录失败）",
    ("auth.lockout", AuditOutcome.SUCCESS, "totp"): "账户被锁定（连续两步验证失败）",
    ("auth.totp_failure", AuditOutcome.FAILURE, "wrong_code"): "失败：两步验证码错误或已过期",
    ("auth.totp_failure", AuditOutcome.FAILURE, "reused_code"): "失败：两步验证码重复使用",
    ("auth.totp_failure", AuditOutcome.FAILURE, "bad_recovery_code"): "失败：恢复码错误",
    ("auth.totp_failure", AuditOutcome.FAILURE, "unreadable_secret"): "失败：两步验证数据无法读取",
    ("auth.recovery_code_used", AuditOutcome.SUCCESS, ""): "使用恢复码通过两步验证",
}
_FALLBACK = {
    AuditOutcome.SUCCESS: "成功",
    AuditOutcome.FAILURE: "失败",
    AuditOutcome.DENIED: "拒绝",
}


@dataclasses.dataclass(frozen=True)
class SignIn:
    """One line of the history."""

    at: dt.datetime
    username: str
    remote_addr: str
    label: str
    signed_in: bool  # a successful sign-in (shown as such, the rest as warnings)


def describe(event: AuditEvent) -> SignIn:
    outcome = AuditOutcome(event.outcome)
    reason = str((event.details or {}).get("reason", ""))
    label = _LABELS.get((event.action, outcome, reason)) or _FALLBACK[outcome]
    signed_in = event.action == "auth.login" and outcome == AuditOutcome.SUCCESS
    return SignIn(event.occurred_at, event.actor_username, event.remote_addr, label, signed_in)


def sign_ins() -> Select[tuple[AuditEvent]]:
    """Every account's attempts, newest first (the auditor's view)."""
    return (
        select(AuditEvent)
        .where(AuditEvent.action.in_(SIGN_IN_ACTIONS))
        .order_by(AuditEvent.id.desc())
    )


def sign_ins_of(user_id: int) -> Select[tuple[AuditEvent]]:
    """One account's attempts, newest first (what the account holder sees)."""
    return sign_ins().where(AuditEvent.actor_id == user_id)

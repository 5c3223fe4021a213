"""Two-factor sign-in rules: enrolment, the second sign-in step with its own attempt limit,
recovery codes, and the security officer's reset.

A code is accepted once: the time step it belongs to is kept, and a code of that step or
an earlier one is refused (RFC 6238 §5.2), so a code seen over a shoulder or replayed from
a log cannot sign in again. Wrong codes at the second step are counted apart from wrong
passwords (typing the password again must not give a fresh set of guesses); reaching the
lockout threshold locks the account through the same ``locked_until`` as wrong passwords,
with an ``auth.lockout`` event, so the security officer's unlock lifts it as any other.

Services take the session and the :class:`~dispatch.audit.Acting` (for the second step:
the anonymous request acted as the account whose password was right), may flush and never
commit; a refused code is a result, not an exception, so its counter and events are
committed like a success.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from dispatch import audit
from dispatch.audit import Acting
from dispatch.auth import totp
from dispatch.auth.passwords import hash_password, verify_password
from dispatch.auth.services import end_all_sessions
from dispatch.errors import DomainError
from models import AuditOutcome, RecoveryCode, Role, TwoFactor, User

ENROL_ACTION = "auth.totp_enrol"
SUCCESS_ACTION = "auth.totp_success"
FAILURE_ACTION = "auth.totp_failure"
RECOVERY_USED_ACTION = "auth.recovery_code_used"
REGENERATE_ACTION = "auth.recovery_codes_regenerate"
RESET_ACTION = "security.totp_reset"

WRONG_CODE = "验证码错误或已过期，请输入验证器应用上当前显示的 6 位验证码"
REUSED_CODE = "该验证码已经使用过，请等待验证器应用显示下一个验证码"
WRONG_RECOVERY = "恢复码不正确或已使用过"
UNREADABLE = "两步验证数据无法读取（系统密钥已更换），请联系安全管理员重置两步验证"


def required(user: User, roles: Collection[Role]) -> bool:
    """The user's role must sign in with two factors."""
    return user.role in roles


def step_after_password(user: User, roles: Collection[Role]) -> str | None:
    """What follows a right password: ``"verify"`` (a code), ``"enrol"`` (a role that
    must use two-factor, not yet enrolled) or ``None`` (signed in)."""
    if user.two_factor is not None:
        return "verify"
    if required(user, roles):
        return "enrol"
    return None


def _check_code(secret: str, code: str, at: dt.datetime, last_step: int) -> int | str:
    """The accepted time step, or why the code is refused ("wrong_code", "reused_code")."""
    step = totp.matching_step(secret, code.replace(" ", ""), at)
    if step is None:
        return "wrong_code"
    if step <= last_step:
        return "reused_code"
    return step


def _new_codes(session: Session, user: User, at: dt.datetime) -> list[str]:
    """Replace the user's recovery codes with ten fresh ones (returned in clear, once)."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = totp.new_recovery_codes()
    for code in codes:
        session.add(
            RecoveryCode(
                user_id=user.id,
                code_hash=hash_password(totp.normalise_recovery_code(code)),
                created_at=at,
            )
        )
    session.flush()
    return codes


def remaining_codes(session: Session, user: User) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )


def enrol(
    session: Session, acting: Acting, secret: str, code: str, box: totp.SecretBox
) -> list[str]:
    """Enrol the acting user's authenticator once it shows a right ``code`` for ``secret``;
    returns the ten recovery codes (shown once)."""
    user = acting.actor
    if user.two_factor is not None:
        raise DomainError("您已启用两步验证；如需更换验证器，请联系安全管理员重置")
    checked = _check_code(secret, code, acting.at, 0)
    if isinstance(checked, str):
        raise DomainError(WRONG_CODE, field="code")
    user.two_factor = TwoFactor(
        sealed_secret=box.seal(secret, user.id),
        enrolled_at=acting.at,
        last_used_step=checked,
        failed_attempts=0,
    )
    codes = _new_codes(session, user, acting.at)
    audit.record(session, acting, ENROL_ACTION, object_type="user", object_id=user.id)
    return codes


@dataclasses.dataclass(frozen=True)
class SecondStep:
    """The outcome of a code typed at the second sign-in step."""

    ok: bool
    message: str = ""  # why it was refused, for the form
    locked: bool = False  # the refusal locked the account: back to the password step
    method: str = ""  # what was accepted: "totp" or "recovery_code"


def _use_recovery_code(session: Session, user: User, typed: str, at: dt.datetime) -> int | None:
    """Mark the matching unused code used; the number left, or ``None`` if none matched."""
    wanted = totp.normalise_recovery_code(typed)
    unused = session.scalars(
        select(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        .order_by(RecoveryCode.id)
    ).all()
    for row in unused:
        if wanted and verify_password(row.code_hash, wanted):
            row.used_at = at
            session.flush()
            return len(unused) - 1
    return None


def second_step(
    session: Session,
    acting: Acting,
    typed: str,
    box: totp.SecretBox,
    *,
    threshold: int,
    lockout: dt.timedelta,
) -> SecondStep:
    """Check a TOTP code or a recovery code of the acting user (whose password was right).

    The caller opens the session on success; a refusal is counted, and the
    ``threshold``-th in a row locks the account for ``lockout``.
    """
    user = acting.actor
    tf = user.two_factor
    if tf is None or not user.is_active or user.is_locked(acting.at):
        # Reset, disabled or locked since the password step: start again from there.
        return SecondStep(ok=False, message="请重新登录", locked=True)
    details: dict[str, object]
    if totp.looks_like_totp(typed):
        try:
            secret = box.open(tf.sealed_secret, user.id)
        except totp.SealError:
            checked: int | str = "unreadable_secret"
        else:
            checked = _check_code(secret, typed, acting.at, tf.last_used_step)
        if isinstance(checked, int):
            tf.last_used_step = checked
            tf.failed_attempts = 0
            audit.record(session, acting, SUCCESS_ACTION, object_type="user", object_id=user.id)
            return SecondStep(ok=True, method="totp")
        reason = checked
    else:
        left = _use_recovery_code(session, user, typed, acting.at)
        if left is not None:
            tf.failed_attempts = 0
            audit.record(
                session,
                acting,
                RECOVERY_USED_ACTION,
                object_type="user",
                object_id=user.id,
                details={"remaining": left},
            )
            return SecondStep(ok=True, method="recovery_code")
        reason = "bad_recovery_code"
    tf.failed_attempts += 1
    details = {"reason": reason, "failed_attempts": tf.failed_attempts}
    audit.record(
        session,
        acting,
        FAILURE_ACTION,
        object_type="user",
        object_id=user.id,
        outcome=AuditOutcome.FAILURE,
        details=details,
    )
    message = {
        "wrong_code": WRONG_CODE,
        "reused_code": REUSED_CODE,
        "bad_recovery_code": WRONG_RECOVERY,
        "unreadable_secret": UNREADABLE,
    }[reason]
    if tf.failed_attempts < threshold:
        return SecondStep(ok=False, message=message)
    user.locked_until = acting.at + lockout
    tf.failed_attempts = 0
    audit.record(
        session,
        acting,
        "auth.lockout",
        object_type="user",
        object_id=user.id,
        details={"locked_until": user.locked_until.isoformat(), "reason": "totp"},
    )
    return SecondStep(ok=False, message=message, locked=True)


def regenerate_recovery_codes(
    session: Session, acting: Acting, code: str, box: totp.SecretBox
) -> list[str]:
    """New recovery codes for the acting user, who proves the authenticator with ``code``;
    the old codes stop working."""
    user = acting.actor
    tf = user.two_factor
    if tf is None:
        raise DomainError("您尚未启用两步验证")
    try:
        secret = box.open(tf.sealed_secret, user.id)
    except totp.SealError:
        raise DomainError(UNREADABLE) from None
    checked = _check_code(secret, code, acting.at, tf.last_used_step)
    if isinstance(checked, str):
        message = REUSED_CODE if checked == "reused_code" else WRONG_CODE
        raise DomainError(message, field="code")
    tf.last_used_step = checked
    codes = _new_codes(session, user, acting.at)
    audit.record(session, acting, REGENERATE_ACTION, object_type="user", object_id=user.id)
    return codes


def reset(session: Session, acting: Acting, user: User) -> None:
    """Remove ``user``'s authenticator and recovery codes (the security officer's action,
    for a lost phone); every session of the user ends, and a role that must use two-factor
    enrols again at the next sign-in."""
    if user.id == acting.actor.id:
        # A stolen password plus a session must not be enough to strip the second factor.
        raise DomainError("不能重置自己的两步验证，请由另一名安全管理员办理")
    tf = user.two_factor
    if tf is None:
        raise DomainError(f"用户 {user.username} 未启用两步验证，无需重置")
    enrolled_at = tf.enrolled_at
    user.two_factor = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    end_all_sessions(session, user, now=acting.at, reason="two_factor_reset")
    audit.record(
        session,
        acting,
        RESET_ACTION,
        object_type="user",
        object_id=user.id,
        details={"username": user.username, "enrolled_at": enrolled_at.isoformat()},
    )

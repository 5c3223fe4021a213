"""Authentication rules: lockout and unlock, server-side sessions, password changes and
their expiry.

Services take the session and the :class:`~dispatch.audit.Acting` (who, when, from where)
or, for session bookkeeping that records nothing in the audit log, the time; they may
flush and never commit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets
from collections.abc import Collection

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dispatch import audit
from dispatch.audit import Acting
from dispatch.auth.passwords import hash_password, needs_rehash, policy_errors, verify_password
from dispatch.core.beijing import CHINA_TZ
from dispatch.errors import DomainError
from models import AuditOutcome, Role, User, UserSession

LOGIN_FAILED_MESSAGE = "用户名或密码错误；连续失败 5 次将锁定账户 15 分钟"
# The security officer's unlock (三员分立: not the system administrator's).
UNLOCK_ACTION = "security.user.unlock"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate(
    session: Session,
    acting: Acting,
    username: str,
    password: str,
    *,
    threshold: int,
    lockout: dt.timedelta,
) -> User | None:
    """The user for valid credentials, or ``None`` (show :data:`LOGIN_FAILED_MESSAGE`).

    A refusal is not an exception: the failure counter, the lock and their audit events
    must be committed like a success. The work done is the same whether or not the
    username exists, so the login form cannot be used to discover accounts or lock states.
    ``acting`` is the anonymous request; events are recorded as the account named.
    """
    now = acting.at
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        verify_password(None, password)
        audit.record(
            session,
            acting.by(None),
            "auth.login",
            actor_username=username[:64],
            outcome=AuditOutcome.FAILURE,
            details={"reason": "unknown_user"},
        )
        return None
    as_user = acting.by(user)
    if user.locked_until is not None and user.locked_until > now:
        verify_password(None, password)
        audit.record(
            session,
            as_user,
            "auth.login",
            object_type="user",
            object_id=user.id,
            outcome=AuditOutcome.DENIED,
            details={"reason": "locked"},
        )
        return None
    if not verify_password(user.password_hash, password) or not user.is_active:
        reason = "inactive" if user.is_active is False else "bad_password"
        if reason == "bad_password":
            user.failed_logins += 1
        audit.record(
            session,
            as_user,
            "auth.login",
            object_type="user",
            object_id=user.id,
            outcome=AuditOutcome.FAILURE,
            details={"reason": reason, "failed_logins": user.failed_logins},
        )
        if user.failed_logins >= threshold:
            user.locked_until = now + lockout
            user.failed_logins = 0
            audit.record(
                session,
                as_user,
                "auth.lockout",
                object_type="user",
                object_id=user.id,
                details={"locked_until": user.locked_until.isoformat()},
            )
        return None
    user.failed_logins = 0
    user.locked_until = None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def password_expired(user: User, now: dt.datetime, max_age_days: int) -> bool:
    """The password is older than ``max_age_days`` (0: passwords do not expire)."""
    return max_age_days > 0 and now - user.password_changed_at >= dt.timedelta(days=max_age_days)


@dataclasses.dataclass(frozen=True)
class PasswordStep:
    """A right password: the session opened (``token``), or the step still to take
    (``second_step``: "verify" a code, or "enrol" first) before one is opened."""

    user: User
    token: str | None = None
    second_step: str | None = None


def sign_in(
    session: Session,
    acting: Acting,
    username: str,
    password: str,
    *,
    threshold: int,
    lockout: dt.timedelta,
    user_agent: str,
    password_max_age_days: int = 0,
    totp_roles: Collection[Role] = (),
) -> PasswordStep | None:
    """Check the credentials; ``None`` when they are wrong.

    A user enrolled in two-factor, or of a role in ``totp_roles`` (who must enrol first),
    gets no session yet: the second step (:mod:`dispatch.auth.two_factor`) opens it with
    :func:`open_session`. Everyone else is signed in here.
    """
    user = authenticate(session, acting, username, password, threshold=threshold, lockout=lockout)
    if user is None:
        return None
    if user.two_factor is not None:
        return PasswordStep(user, second_step="verify")
    if user.role in totp_roles:
        return PasswordStep(user, second_step="enrol")
    token = open_session(
        session, acting.by(user), user_agent=user_agent, password_max_age_days=password_max_age_days
    )
    return PasswordStep(user, token=token)


def open_session(
    session: Session,
    acting: Acting,
    *,
    user_agent: str,
    password_max_age_days: int = 0,
    second_factor: str = "",
) -> str:
    """Sign the acting user in: a server-side session and ``auth.login``; returns its token.

    An expired password (``password_max_age_days``) marks the account as having to change
    its password, which the app enforces before any other page (the same flag as an
    administrator's reset), and is recorded as ``auth.password_expired``.
    """
    user = acting.actor
    user.last_login_at = acting.at
    token = start_session(session, acting, user_agent=user_agent)
    details = {"second_factor": second_factor} if second_factor else None
    audit.record(
        session, acting, "auth.login", object_type="user", object_id=user.id, details=details
    )
    if not user.must_change_password and password_expired(user, acting.at, password_max_age_days):
        user.must_change_password = True
        audit.record(
            session,
            acting,
            "auth.password_expired",
            object_type="user",
            object_id=user.id,
            details={
                "password_changed_at": user.password_changed_at.isoformat(),
                "max_age_days": password_max_age_days,
            },
        )
    return token


def sign_out(session: Session, acting: Acting, token: str | None) -> None:
    """End the server-side session ``token`` of the acting user."""
    end_session(session, token, now=acting.at, reason="logout")
    user = acting.actor
    audit.record(session, acting, "auth.logout", object_type="user", object_id=user.id)


def start_session(session: Session, acting: Acting, *, user_agent: str) -> str:
    """A server-side session for ``acting.user``; returns its token (fresh every login)."""
    token = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            id=_digest(token),
            user_id=acting.actor.id,
            created_at=acting.at,
            remote_addr=acting.remote_addr[:64],
            user_agent=user_agent[:255],
        )
    )
    session.flush()
    return token


def live_session(session: Session, token: str | None, user_id: int) -> UserSession | None:
    """The session row for ``token`` if it belongs to ``user_id`` and has not ended."""
    if not token:
        return None
    row = session.get(UserSession, _digest(token))
    if row is None or row.user_id != user_id or row.ended_at is not None:
        return None
    return row


def end_session(session: Session, token: str | None, *, now: dt.datetime, reason: str) -> None:
    if not token:
        return
    row = session.get(UserSession, _digest(token))
    if row is not None and row.ended_at is None:
        row.ended_at = now
        row.end_reason = reason


def end_all_sessions(
    session: Session, user: User, *, now: dt.datetime, reason: str, keep_token: str | None = None
) -> None:
    """End every live session of ``user`` except the one holding ``keep_token``."""
    stmt = (
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
    )
    if keep_token:
        stmt = stmt.where(UserSession.id != _digest(keep_token))
    session.execute(stmt)


def set_password(
    session: Session, user: User, new_password: str, *, now: dt.datetime, must_change: bool
) -> None:
    """Apply a new password after the policy check; ends every session of the user.

    A lock from failed logins stays: lifting it is the security officer's decision
    (:func:`unlock`), not a side effect of an administrator's password reset.
    """
    errors = policy_errors(new_password, user.username)
    if errors:
        raise DomainError("；".join(errors), field="new_password")
    user.password_hash = hash_password(new_password)
    user.password_changed_at = now
    user.must_change_password = must_change
    end_all_sessions(session, user, now=now, reason="password_changed")


def lock_note(user: User, at: dt.datetime) -> str:
    """A lock from failed logins as an administrator is told of it ("" when not locked)."""
    if not user.is_locked(at):
        return ""
    assert user.locked_until is not None
    until = user.locked_until.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
    return f"该账户因连续登录失败被锁定至 {until}（北京时间），提前解锁须由安全管理员办理"


def unlock(session: Session, acting: Acting, user: User) -> None:
    """Lift a lock from failed logins before it ends by itself (the security officer)."""
    if not user.is_locked(acting.at):
        raise DomainError(f"用户 {user.username} 当前未被锁定，无需解锁")
    locked_until = user.locked_until
    assert locked_until is not None  # is_locked said so
    user.locked_until = None
    user.failed_logins = 0
    audit.record(
        session,
        acting,
        UNLOCK_ACTION,
        object_type="user",
        object_id=user.id,
        details={"username": user.username, "locked_until": locked_until.isoformat()},
    )


def change_own_password(session: Session, acting: Acting, current: str, new_password: str) -> None:
    """Change the acting user's own password; every session of theirs ends."""
    user = acting.actor
    if not verify_password(user.password_hash, current):
        raise DomainError("当前密码不正确", field="current_password")
    if current == new_password:
        raise DomainError("新密码不能与当前密码相同", field="new_password")
    set_password(session, user, new_password, now=acting.at, must_change=False)
    audit.record(session, acting, "auth.password_change", object_type="user", object_id=user.id)

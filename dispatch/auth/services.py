"""Authentication rules: lockout, server-side sessions, password changes.

Services take the session and the :class:`~dispatch.audit.Acting` (who, when, from where)
or, for session bookkeeping that records nothing in the audit log, the time; they may
flush and never commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dispatch import audit
from dispatch.audit import Acting
from dispatch.auth.passwords import hash_password, needs_rehash, policy_errors, verify_password
from dispatch.errors import DomainError
from models import AuditOutcome, User, UserSession

LOGIN_FAILED_MESSAGE = "用户名或密码错误；连续失败 5 次将锁定账户 15 分钟"


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
    user.last_login_at = now
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def sign_in(
    session: Session,
    acting: Acting,
    username: str,
    password: str,
    *,
    threshold: int,
    lockout: dt.timedelta,
    user_agent: str,
) -> tuple[User, str] | None:
    """Check the credentials and open a server-side session: ``(user, token)`` or ``None``."""
    user = authenticate(session, acting, username, password, threshold=threshold, lockout=lockout)
    if user is None:
        return None
    as_user = acting.by(user)
    token = start_session(session, as_user, user_agent=user_agent)
    audit.record(session, as_user, "auth.login", object_type="user", object_id=user.id)
    return user, token


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
    """Apply a new password after the policy check; ends every session of the user."""
    errors = policy_errors(new_password, user.username)
    if errors:
        raise DomainError("；".join(errors), field="new_password")
    user.password_hash = hash_password(new_password)
    user.password_changed_at = now
    user.must_change_password = must_change
    user.failed_logins = 0
    user.locked_until = None
    end_all_sessions(session, user, now=now, reason="password_changed")


def change_own_password(session: Session, acting: Acting, current: str, new_password: str) -> None:
    """Change the acting user's own password; every session of theirs ends."""
    user = acting.actor
    if not verify_password(user.password_hash, current):
        raise DomainError("当前密码不正确", field="current_password")
    if current == new_password:
        raise DomainError("新密码不能与当前密码相同", field="new_password")
    set_password(session, user, new_password, now=acting.at, must_change=False)
    audit.record(session, acting, "auth.password_change", object_type="user", object_id=user.id)

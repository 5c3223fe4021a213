"""The browser's side of signing in: the state kept between the password step and the
second step (or the enrolment a role requires), and the end of a sign-in.

Between the steps the browser holds, in its signed session, only who passed the password
step, when, and the account's credential stamp: nobody is logged in (Flask-Login knows
nothing of it) until the second step succeeds. The state ends after
:data:`PENDING_MINUTES` by the app clock, with a password change, or when the account is
disabled; the counting of wrong codes is kept in the database, so replaying an old cookie
gives no fresh guesses.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, request, session, url_for
from flask_login import login_user
from werkzeug.wrappers import Response

from dispatch.audit import Acting
from dispatch.auth import services
from dispatch.auth.loader import LAST_SEEN_KEY, SESSION_TOKEN_KEY
from dispatch.auth.totp import SecretBox
from dispatch.clock import now
from dispatch.db import get_session
from dispatch.extensions import limiter
from models import User

# Every form that takes a secret (password, code) counts against the login limit.
login_limit = limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])


def user_agent() -> str:
    """The browser's own description, kept with a session and in the sign-in history."""
    return request.headers.get("User-Agent", "")


PENDING_KEY = "pending_sign_in"
PENDING_MINUTES = 5
# What the enrolment page keeps between showing the QR code and the confirming code, and
# the recovery codes waiting to be shown once: both sealed, so the cookie does not carry
# them readable.
ENROL_KEY = "totp_enrol"
CODES_KEY = "recovery_codes"


def secret_box() -> SecretBox:
    return SecretBox(current_app.config["SETTINGS"].secret_key)


def safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after login (no open redirect)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target:
            return target
    return url_for("home.index")


def begin_login(user: User, token: str, acting: Acting) -> None:
    """Rotate the browser session onto the committed server-side session ``token``."""
    session.clear()
    session.permanent = True
    session[SESSION_TOKEN_KEY] = token
    session[LAST_SEEN_KEY] = acting.at.timestamp()
    login_user(user)


def finish(user: User, token: str, acting: Acting, next_url: str | None) -> Response:
    """Signed in: to the password change the account owes, else where the user was going."""
    begin_login(user, token, acting)
    if user.must_change_password:
        max_age = current_app.config["SETTINGS"].password_max_age_days
        if services.password_expired(user, acting.at, max_age):
            flash(f"您的密码已使用超过 {max_age} 天，已过期：请先修改密码", "warning")
        else:
            flash("首次登录或密码已被重置，请先修改密码", "warning")
        return redirect(url_for("auth.change_password"))
    return redirect(safe_next(next_url))


def begin_second_step(user: User, step: str, acting: Acting, next_url: str | None) -> Response:
    """The password was right; what remains is a code (``"verify"``) or enrolment."""
    session.clear()
    session[PENDING_KEY] = {
        "uid": user.id,
        "stamp": user.credential_stamp,
        "at": acting.at.timestamp(),
        "step": step,
        "next": safe_next(next_url),
    }
    if step == "enrol":
        flash("您的账户须使用两步验证登录：请先绑定验证器应用", "warning")
        return redirect(url_for("auth.totp_enrol"))
    return redirect(url_for("auth.second_step"))


def pending() -> tuple[User, str, str] | None:
    """``(user, step, next)`` of a password step still valid, else ``None``."""
    data: Any = session.get(PENDING_KEY)
    if not isinstance(data, dict):
        return None
    uid, at, step = data.get("uid"), data.get("at"), data.get("step")
    if (
        not isinstance(uid, int)
        or not isinstance(at, int | float)
        or step
        not in (
            "verify",
            "enrol",
        )
    ):
        return None
    if not 0 <= now().timestamp() - at <= PENDING_MINUTES * 60:
        return None
    user = get_session().get(User, uid)
    if user is None or not user.is_active or user.credential_stamp != data.get("stamp"):
        return None
    return user, step, str(data.get("next") or "")


def end_pending() -> None:
    session.pop(PENDING_KEY, None)
    session.pop(ENROL_KEY, None)

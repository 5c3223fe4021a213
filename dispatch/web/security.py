"""Response security headers and the session loader that enforces idle expiry."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, request, session

from dispatch.auth import services
from dispatch.auth.views import LAST_SEEN_KEY, SESSION_TOKEN_KEY
from dispatch.clock import now
from dispatch.db import get_session
from models import User

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def add_security_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.endpoint != "static":
        # Pages show scoped business data: never keep them in shared caches.
        response.headers["Cache-Control"] = "no-store"
    return response


def load_user(user_id: str) -> User | None:
    """Flask-Login loader: credential stamp, live server-side session and idle timeout."""
    uid, _, stamp = user_id.partition(":")
    if not uid.isdigit():
        return None
    db = get_session()
    user = db.get(User, int(uid))
    if user is None or not user.is_active or user.credential_stamp != stamp:
        return None
    token = session.get(SESSION_TOKEN_KEY)
    if services.live_session(db, token, user.id) is None:
        return None
    current = now().timestamp()
    last_seen: Any = session.get(LAST_SEEN_KEY)
    idle_seconds = current_app.config["SETTINGS"].session_idle_minutes * 60
    if not isinstance(last_seen, int | float) or current - last_seen > idle_seconds:
        # Ending the row is session bookkeeping, committed on its own before any view work.
        services.end_session(db, token, now=now(), reason="idle")
        db.commit()
        session.clear()
        return None
    session[LAST_SEEN_KEY] = current
    return user


def init_security(app: Flask) -> None:
    app.after_request(add_security_headers)

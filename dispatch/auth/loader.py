"""Flask-Login's user loader: credential stamp, live server-side session and idle expiry.

It lives with the rest of authentication (not in ``dispatch.web``) so that ``web`` stays
plumbing every feature may import, ``auth`` included, without an import cycle.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, session

from dispatch.auth import services
from dispatch.clock import now
from dispatch.db import get_session
from models import User

# Keys of the signed browser session.
SESSION_TOKEN_KEY = "sid"  # noqa: S105 (a session key name, not a secret)
LAST_SEEN_KEY = "seen"


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
    current = now()
    last_seen: Any = session.get(LAST_SEEN_KEY)
    idle_seconds = current_app.config["SETTINGS"].session_idle_minutes * 60
    if not isinstance(last_seen, int | float) or current.timestamp() - last_seen > idle_seconds:
        # Ending the row is session bookkeeping, committed on its own before any view work
        # (no view runs for this request as this user, so there is no unit of work to join).
        services.end_session(db, token, now=current, reason="idle")
        db.commit()
        session.clear()
        return None
    session[LAST_SEEN_KEY] = current.timestamp()
    return user

"""Two-factor helpers of the tests: enrol a user through the service, compute codes the
way a phone would (pyotp, explicit times) and sign in through both steps."""

from __future__ import annotations

import datetime as dt

import pyotp
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from dispatch.audit import Acting
from dispatch.auth import two_factor
from dispatch.auth.totp import SecretBox
from models import User
from tests.conftest import TEST_SECRET, login, post_form

BOX = SecretBox(TEST_SECRET)


def code_at(secret: str, at: dt.datetime) -> str:
    """What an authenticator app shows at ``at``."""
    return pyotp.TOTP(secret).at(at)


def enrol(db: Session, user: User, at: dt.datetime) -> tuple[str, list[str]]:
    """Enrol ``user`` (committed) with a fresh secret; ``(secret, recovery codes)``.

    The enrolling code is the one of the step before ``at``, so a code shown at ``at`` is
    still fresh for a sign-in at that moment.
    """
    secret = pyotp.random_base32(32)
    codes = two_factor.enrol(
        db, Acting(user, at), secret, code_at(secret, at - dt.timedelta(seconds=30)), BOX
    )
    db.commit()
    return secret, codes


def second_step(client: FlaskClient, code: str):  # type: ignore[no-untyped-def]
    return post_form(client, "/login/two-factor", {"code": code})


def sign_in_with_code(
    client: FlaskClient, username: str, password: str, secret: str, at: dt.datetime
):  # type: ignore[no-untyped-def]
    """Both steps; returns the answer of the second."""
    first = login(client, username, password)
    assert first.status_code == 302 and first.headers["Location"] == "/login/two-factor", (
        first.status_code,
        first.headers.get("Location"),
    )
    return second_step(client, code_at(secret, at))

"""Reading accounts: the user list both the system administrator and the security
officer search (by user name or display name, and role)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from models import Role, User


def users_matching(q: str | None, role: str | None) -> Select[Any]:
    """Every account whose name or display name contains ``q``, of ``role`` if given, in
    id order, with its organisation loaded."""
    stmt = (
        select(User)
        .options(
            selectinload(User.region),
            selectinload(User.enterprise),
            selectinload(User.two_factor),
        )
        .order_by(User.id)
    )
    if q := (q or "").strip():
        stmt = stmt.where(
            or_(
                User.username.icontains(q, autoescape=True),
                User.display_name.icontains(q, autoescape=True),
            )
        )
    if role:
        stmt = stmt.where(User.role == Role(role))
    return stmt

"""Helpers the admin view modules share (the acting user, form errors, list filters)."""

from __future__ import annotations

from typing import Any

from flask import flash, request
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.errors import DomainError
from models import Region, RegionKind, User


def acting_user() -> User:
    """The signed-in admin as a model object (services record it as the actor)."""
    return current_user._get_current_object()  # type: ignore[no-any-return]


def show_error(form: FlaskForm, exc: DomainError, aliases: dict[str, str] | None = None) -> None:
    """Put a service's message on the form field it names, or flash it when it names none.

    ``aliases`` maps a service's field name to the form's, where the form asks for the
    same thing differently (a credit code instead of an enterprise id).
    """
    name = (aliases or {}).get(exc.field or "", exc.field)
    field = getattr(form, name, None) if name else None
    if field is not None and hasattr(field, "errors"):
        # Errors are a tuple until the form has been validated; a fresh list is safe.
        field.errors = [*field.errors, exc.message]
    else:
        flash(exc.message, "danger")


def list_args() -> dict[str, Any]:
    """The current filters, for the pager's links."""
    return {k: v for k, v in request.args.items() if k != "page" and v}


def region_label(region: Region) -> str:
    return f"{region.name}（{region.division_code}，{region.kind.label}级）"


def region_choices(session: Session, *kinds: RegionKind) -> list[tuple[int, str]]:
    """Regions for a select, in division-code order (which follows the tree)."""
    stmt = select(Region).order_by(Region.division_code)
    if kinds:
        stmt = stmt.where(Region.kind.in_(kinds))
    return [(r.id, region_label(r)) for r in session.scalars(stmt)]

"""Each role lands on its own home page; ``/healthz`` reports service status."""

from __future__ import annotations

from flask import current_app, jsonify, render_template
from flask_login import current_user, login_required
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from dispatch.access import visible_enterprises, visible_regions
from dispatch.db import get_session
from models import AuditEvent, Enterprise, Region, RegionKind, Role, User


@login_required
def index():  # type: ignore[no-untyped-def]
    db = get_session()
    user = current_user
    stats: dict[str, int] = {}
    if user.role in (Role.CITY, Role.DISTRICT):
        stats["districts"] = (
            db.scalar(
                select(func.count()).select_from(
                    visible_regions(user).where(Region.kind == RegionKind.DISTRICT).subquery()
                )
            )
            or 0
        )
        stats["enterprises"] = (
            db.scalar(select(func.count()).select_from(visible_enterprises(user).subquery())) or 0
        )
    elif user.role == Role.ADMIN:
        stats["users"] = db.scalar(select(func.count(User.id))) or 0
        stats["enterprises"] = db.scalar(select(func.count(Enterprise.id))) or 0
        stats["regions"] = db.scalar(select(func.count(Region.id))) or 0
    elif user.role == Role.AUDITOR:
        stats["events"] = db.scalar(select(func.count(AuditEvent.id))) or 0
    return render_template(f"home/{user.role.value}.html", stats=stats)


def healthz():  # type: ignore[no-untyped-def]
    status = {"status": "ok", "database": "ok", "version": current_app.config["APP_VERSION"]}
    code = 200
    try:
        get_session().execute(text("SELECT 1"))
    except SQLAlchemyError:
        status.update(status="error", database="error")
        code = 503
    return jsonify(status), code

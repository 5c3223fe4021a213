"""Jinja globals and filters shared by every template."""

from __future__ import annotations

from typing import Any

from flask import Flask

from dispatch.access import Permission, has_permission
from dispatch.clock import CHINA_TZ
from dispatch.core.accounting import POLLUTANT_LABELS, format_t
from models import PlanStatus


def _has_permission(user: Any, permission: str) -> bool:
    return has_permission(user, Permission(permission))


def init_templating(app: Flask) -> None:
    app.jinja_env.globals.update(
        has_permission=_has_permission,
        format_t=format_t,
        pollutant_label=lambda p: POLLUTANT_LABELS.get(p, p),
        china_tz=CHINA_TZ,
        plan_status_label=lambda s: (
            PlanStatus(s).label if s in PlanStatus._value2member_map_ else s
        ),
    )

"""Jinja globals and filters shared by every template."""

from __future__ import annotations

from typing import Any

from flask import Flask

from dispatch.access import Permission, has_permission
from dispatch.clock import CHINA_TZ
from dispatch.core import pollutants
from dispatch.core.accounting import format_t
from models import PlanStatus


def _has_permission(user: Any, permission: str) -> bool:
    return has_permission(user, Permission(permission))


def _pollutant_label(code: str) -> str:
    """The short label of a pollutant code ("NH3-N"); anything else shown as given."""
    pollutant = pollutants.BY_CODE.get(code)
    return pollutant.label if pollutant is not None else code


def init_templating(app: Flask) -> None:
    app.jinja_env.globals.update(
        has_permission=_has_permission,
        format_t=format_t,
        # The pollutants in their fixed order, for totals and headers (``p.header_zh``).
        pollutants=pollutants.POLLUTANTS,
        pollutant_label=_pollutant_label,
        china_tz=CHINA_TZ,
        plan_status_label=lambda s: (
            PlanStatus(s).label if s in PlanStatus._value2member_map_ else s
        ),
    )

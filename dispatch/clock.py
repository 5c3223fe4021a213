"""The app's notion of "now", replaceable in tests to move time deterministically."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import current_app

# Business dates (deadlines, plan dates, "today") are Beijing dates; storage is UTC.
from dispatch.core.beijing import CHINA_TZ

__all__ = ["CHINA_TZ", "now", "system_now", "today"]


def system_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def now() -> dt.datetime:
    """Current UTC time as the running app sees it (tests may install a fake clock)."""
    clock: Callable[[], dt.datetime] = current_app.extensions.get("clock", system_now)
    return clock()


def today() -> dt.date:
    """Today's date in Beijing as the running app sees it."""
    return now().astimezone(CHINA_TZ).date()

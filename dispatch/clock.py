"""The app's notion of "now", replaceable in tests to move time deterministically."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import current_app


def system_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def now() -> dt.datetime:
    """Current UTC time as the running app sees it (tests may install a fake clock)."""
    clock: Callable[[], dt.datetime] = current_app.extensions.get("clock", system_now)
    return clock()

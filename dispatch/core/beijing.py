"""Beijing time: business dates and deadlines are Beijing's, storage is UTC."""

from __future__ import annotations

import datetime as dt

CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


def local_date(instant: dt.datetime) -> dt.date:
    """The Beijing calendar date of an aware instant."""
    return instant.astimezone(CHINA_TZ).date()


def end_of_day(day: dt.date) -> dt.datetime:
    """23:59 Beijing time on ``day``, as a UTC instant (how deadlines are given)."""
    return dt.datetime(day.year, day.month, day.day, 23, 59, tzinfo=CHINA_TZ).astimezone(dt.UTC)

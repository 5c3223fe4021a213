"""When the demo's history happens, anchored on the clock's date, and running it in order.

The demo city keeps one cadence: the city opens month M's round on the 22nd of M at 10:00
(Beijing time), with the default deadlines (the 2nd and the 5th of M+1), and closes it on
the 8th of M+1 at 09:30, three days after the district deadline. Seeded on a given day,
the round open now is always last month's, its reports still coming in: from the 6th on,
when its default deadlines have passed, the city extended them (on the afternoon of the
5th) to three and six days after the seeding day, and has not opened this month's round
yet. The rounds before it are closed: those of the year, or at least :data:`MIN_CLOSED` of
them, reaching back into the previous year in January to March. The current year's plan
list is filed and approved in December of the year before, so it is complete on the first
of January; the platform goes live (organisations, accounts, last year's projects) on the
first of the month before the first round.

:class:`Timeline` runs the seeding steps in the order of their instants, so history rows,
audit events (whose hash chain follows insertion order) and timestamps agree.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import heapq
import itertools
from collections.abc import Callable

from dispatch.core.beijing import CHINA_TZ, end_of_day, local_date
from dispatch.rounds.services import default_deadlines

OPEN_DAY = 22
CLOSE_DAY = 8  # of the next month, three days after the district deadline
EXTENSION_DAYS = (3, 6)  # the extended deadlines, in days after the seeding day
MIN_CLOSED = 3
OFFICE_HOURS = (dt.time(9, 0), dt.time(17, 30))


def beijing(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """``hour``:``minute`` Beijing time on ``day``, as a UTC instant."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=CHINA_TZ).astimezone(
        dt.UTC
    )


def at_work(day: dt.date, minutes: int) -> dt.datetime:
    """``minutes`` after 09:00 Beijing time on ``day``, wrapped to stay before 17:00."""
    minutes %= 480
    return beijing(day, 9 + minutes // 60, minutes % 60)


@dataclasses.dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def shift(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def day(self, n: int) -> dt.date:
        return dt.date(self.year, self.month, n)

    @property
    def next(self) -> Month:
        return self.shift(1)


@dataclasses.dataclass(frozen=True)
class Calendar:
    """The demo's dates for one seeding instant ``now``."""

    now: dt.datetime
    open_month: Month
    first_month: Month

    @property
    def today(self) -> dt.date:
        return local_date(self.now)

    @property
    def year(self) -> int:
        """The plan year of the current plan list."""
        return self.today.year

    @property
    def months(self) -> list[Month]:
        """Every round's month, oldest first; the last one is open."""
        months, month = [], self.first_month
        while month <= self.open_month:
            months.append(month)
            month = month.next
        return months

    @property
    def go_live(self) -> dt.datetime:
        return beijing(self.first_month.shift(-1).day(1), 9)

    @property
    def plan_list_from(self) -> dt.date:
        """The day districts start filing the current year's plan list."""
        return dt.date(self.year - 1, 12, 2)

    def opened_at(self, month: Month) -> dt.datetime:
        return beijing(month.day(OPEN_DAY), 10)

    def closed_at(self, month: Month) -> dt.datetime:
        return beijing(month.next.day(CLOSE_DAY), 9, 30)

    @property
    def extension(self) -> tuple[dt.datetime, tuple[dt.datetime, dt.datetime]] | None:
        """When and to what the city extended the open round's deadlines, if it had to.

        The defaults stand until the district deadline's day is over; from the next day
        on, the city is seen to have extended both on that day's afternoon.
        """
        month = self.open_month
        district = default_deadlines(month.year, month.month)[1]
        if self.today <= local_date(district):
            return None
        enterprise_days, district_days = EXTENSION_DAYS
        deadlines = (
            end_of_day(self.today + dt.timedelta(days=enterprise_days)),
            end_of_day(self.today + dt.timedelta(days=district_days)),
        )
        return beijing(local_date(district), 16), deadlines

    @property
    def open_deadlines(self) -> tuple[dt.datetime, dt.datetime]:
        """The open round's deadlines as they stand at ``now``."""
        extension = self.extension
        if extension is not None:
            return extension[1]
        return default_deadlines(self.open_month.year, self.open_month.month)

    def reporting_day(self, month: Month, offset: int) -> dt.date:
        """Day ``offset`` of ``month``'s reporting: 0 is the 1st of the next month."""
        return month.next.day(1) + dt.timedelta(days=offset)


def calendar_for(now: dt.datetime) -> Calendar:
    today = local_date(now)
    this_month = Month(today.year, today.month)
    open_month = this_month.shift(-1)
    first = min(Month(today.year, 1), open_month.shift(-MIN_CLOSED))
    return Calendar(now=now, open_month=open_month, first_month=first)


def office_instant(start: dt.datetime, end: dt.datetime, fraction: float) -> dt.datetime:
    """The instant at ``fraction`` (0–1) of the office hours between ``start`` and ``end``.

    People file in office hours; when the window holds none, plain time is used.
    """
    spans: list[tuple[dt.datetime, dt.datetime]] = []
    day = local_date(start)
    while day <= local_date(end):
        opens = beijing(day, OFFICE_HOURS[0].hour, OFFICE_HOURS[0].minute)
        closes = beijing(day, OFFICE_HOURS[1].hour, OFFICE_HOURS[1].minute)
        low, high = max(opens, start), min(closes, end)
        if low < high:
            spans.append((low, high))
        day += dt.timedelta(days=1)
    total = sum((high - low for low, high in spans), dt.timedelta())
    if not total:
        return start + (end - start) * fraction
    left = total * fraction
    for low, high in spans:
        if left <= high - low:
            return (low + left).replace(microsecond=0)
        left -= high - low
    return spans[-1][1]


Step = Callable[[dt.datetime], None]


class Timeline:
    """Seeding steps run in the order of their instants (ties in the order scheduled).

    A step may schedule later steps; nothing may be scheduled at or after ``now`` (the
    demo's history lies in the past) or before the step that is running.
    """

    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self.current: dt.datetime | None = None
        self._queue: list[tuple[dt.datetime, int, Step]] = []
        self._order = itertools.count()

    def at(self, when: dt.datetime, step: Step) -> None:
        if when >= self.now:
            raise ValueError(f"demo step at {when.isoformat()} is not in the past")
        if self.current is not None and when < self.current:
            raise ValueError(f"demo step at {when.isoformat()} is before the running one")
        heapq.heappush(self._queue, (when, next(self._order), step))

    def run(self) -> None:
        while self._queue:
            when, _order, step = heapq.heappop(self._queue)
            self.current = when
            step(when)

"""The demo's calendar and schedules hold on every day of the year (pure, no database)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from dispatch.core.beijing import local_date
from dispatch.demo.project_data import PROJECTS, REFERENCE_YEAR, in_year
from dispatch.demo.schedule import invested, progress_on
from dispatch.demo.timeline import (
    MIN_CLOSED,
    Month,
    Timeline,
    at_work,
    beijing,
    calendar_for,
    office_instant,
)
from dispatch.rounds.services import default_deadlines

DAYS = [dt.date(2027, 1, 1) + dt.timedelta(days=n) for n in range(365 + 31)]


@pytest.mark.parametrize("hour", [0, 9, 23])
def test_every_day_has_one_open_round_after_closed_ones(hour: int) -> None:
    for day in DAYS:
        now = beijing(day, hour, 30)
        cal = calendar_for(now)
        months = cal.months
        open_month = months[-1]
        assert open_month == cal.open_month
        this_month = Month(day.year, day.month)
        assert open_month == this_month.shift(-1)  # always last month's
        assert cal.opened_at(open_month) < now
        closed = months[:-1]
        assert len(closed) >= MIN_CLOSED
        # Every earlier month of this year is there, and nothing after the open month.
        assert closed[0] <= Month(day.year, 1)
        assert all(cal.closed_at(m) <= cal.opened_at(m.next) < now for m in closed)
        # The platform went live before anything, the plan list was filed in December.
        assert cal.go_live < beijing(cal.plan_list_from, 9) < now
        assert cal.go_live < cal.opened_at(months[0])
        assert cal.year == day.year


def test_the_open_round_takes_reports_today() -> None:
    """Its default deadlines stand until the 5th; from the 6th on they are extended."""
    for day in DAYS:
        now = beijing(day, 12)
        cal = calendar_for(now)
        month = cal.open_month
        extension = cal.extension
        assert (extension is not None) == (day.day > 5), day
        if extension is None:
            assert cal.open_deadlines == default_deadlines(month.year, month.month)
        else:
            when, deadlines = extension
            assert cal.opened_at(month) < when < now
            assert deadlines == cal.open_deadlines
        enterprise, district = cal.open_deadlines
        assert now < district and enterprise <= district
        assert extension is None or now < enterprise


def test_the_close_follows_the_district_deadline() -> None:
    cal = calendar_for(beijing(dt.date(2026, 11, 22), 12))
    for month in cal.months:
        enterprise, district = default_deadlines(month.year, month.month)
        assert cal.opened_at(month) < enterprise < district < cal.closed_at(month)
        assert cal.reporting_day(month, 4) == local_date(district)


def test_office_instants_stay_in_office_hours_and_in_order() -> None:
    start = beijing(dt.date(2026, 11, 8), 10)
    end = beijing(dt.date(2026, 11, 22), 12, 50)
    instants = [office_instant(start, end, n / 50) for n in range(51)]
    assert instants == sorted(instants)
    assert instants[0] == start and instants[-1] <= end
    for at in instants:
        local = at.astimezone(dt.timezone(dt.timedelta(hours=8))).time()
        assert dt.time(9) <= local <= dt.time(17, 30)
    assert at_work(dt.date(2026, 11, 9), 480 + 15) == beijing(dt.date(2026, 11, 9), 9, 15)


def test_the_timeline_runs_in_time_order_and_only_in_the_past() -> None:
    now = beijing(dt.date(2026, 11, 22), 12)
    timeline = Timeline(now)
    ran: list[str] = []
    early, late = now - dt.timedelta(days=2), now - dt.timedelta(days=1)

    def first(at: dt.datetime) -> None:
        ran.append("first")
        timeline.at(at + dt.timedelta(hours=1), lambda _at: ran.append("scheduled by first"))
        with pytest.raises(ValueError, match="before the running one"):
            timeline.at(at - dt.timedelta(hours=1), lambda _at: None)

    timeline.at(late, lambda _at: ran.append("later"))
    timeline.at(early, first)
    with pytest.raises(ValueError, match="not in the past"):
        timeline.at(now, lambda _at: None)
    timeline.run()
    assert ran == ["first", "scheduled by first", "later"]


@pytest.mark.parametrize("year", [2025, 2028])  # 2028 is a leap year
def test_every_project_moves_forward_day_by_day(year: int) -> None:
    for spec in (in_year(s, year) for s in PROJECTS):
        assert spec.year - year == next(s for s in PROJECTS if s.name == spec.name).year - (
            REFERENCE_YEAR
        )
        day, last = spec.start - dt.timedelta(days=90), None
        while day <= spec.end + dt.timedelta(days=60):
            now = progress_on(spec, day)
            if last is not None:
                assert now.status.rank >= last.status.rank, (spec.name, day)
                assert now.percent >= last.percent, (spec.name, day)
                assert invested(spec, now.percent) >= invested(spec, last.percent)
                for field in ("actual_start", "actual_completion", "stable_operation_from"):
                    before = getattr(last, field)
                    assert before is None or getattr(now, field) == before, (spec.name, field)
            dates = [now.actual_start, now.actual_completion, now.stable_operation_from]
            known = [d for d in dates if d is not None]
            assert known == sorted(known) and all(d <= day for d in known)
            last, day = now, day + dt.timedelta(days=1)
        if spec.progress == "track":
            assert last is not None and last.percent == 100
        if spec.progress == "late":
            assert last is not None and last.actual_completion is None


def test_the_table_names_no_year_and_no_leap_day() -> None:
    for spec in PROJECTS:
        dates = [spec.start, spec.end, *(v for v in (spec.change or {}).values())]
        assert all((d.month, d.day) != (2, 29) for d in dates if isinstance(d, dt.date))
        texts = (spec.name, spec.reason, spec.first_return, spec.address)
        assert not any(str(y) in text for text, y in itertools.product(texts, range(2000, 2100)))

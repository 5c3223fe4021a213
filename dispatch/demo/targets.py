"""The demo's reduction targets (减排目标), chosen around what the demo confirmed.

The city sets, through dispatch.reductions.targets (so each value has its history row and
the audit log its event), the targets of the city and every district for last year, this
year and the five-year periods holding them. Set after the demo's last confirmation
(dispatch.demo.accounting), they are chosen so that the dashboards show both sides:

- of the districts with confirmed credits in a year, taken by division code, the first,
  third… are ahead (a target of 85 % of what they reached, on the pollutants they reached)
  and the others behind (140 % of it);
- the other districts' targets are half of the expected annual reductions of their plan
  list for that year (none reached yet);
- a five-year target is five times the larger of a district's yearly targets and half of
  its plan lists' expected reductions over the period;
- the city's target of each pollutant is the sum of its districts'. Shortly after, the
  city raises its own five-year targets by a tenth (a change, old and new, in the history).

Values have two significant figures, rounded away from the side they must stay on.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.audit import Acting
from dispatch.core.pollutants import POLLUTANTS
from dispatch.reductions import targets
from dispatch.reductions.periods import Period, five_year_period
from dispatch.reductions.queries import credits_by_district
from models import PlanStatus, Project, Region, User

__all__ = ["DemoTargets", "nice"]

AHEAD, BEHIND = Decimal("0.85"), Decimal("1.4")  # target / credited
UNREACHED = Decimal("0.5")  # target / the plan list's expected reductions
CITY_RAISE = Decimal("1.1")
POLLUTANT_CODES = tuple(p.code for p in POLLUTANTS)

Values = dict[tuple[int, str], Decimal]


def nice(value: Decimal, *, up: bool) -> Decimal:
    """``value`` (> 0) rounded to two significant figures, up or down."""
    step = Decimal(1).scaleb(value.adjusted() - 1)
    rounded = value.quantize(step, rounding=ROUND_CEILING if up else ROUND_FLOOR)
    return rounded.quantize(Decimal(1)) if step >= 1 else rounded


class DemoTargets:
    """Sets the demo city's targets for ``year - 1``, ``year`` and their five-year periods."""

    def __init__(
        self, session: Session, city_user: User, city: Region, districts: list[Region], year: int
    ) -> None:
        self.session, self.city_user, self.city = session, city_user, city
        self.districts = sorted(districts, key=lambda r: r.division_code)
        self.years = [year - 1, year]
        self.periods = sorted({five_year_period(y) for y in self.years}, key=lambda p: p.year_from)
        self.changed = 0

    @property
    def regions(self) -> list[Region]:
        return [self.city, *self.districts]

    def _expected(self, years: range) -> dict[int, dict[str, Decimal]]:
        """District id → pollutant → the plan lists' expected annual reductions."""
        stmt = select(Project).where(
            Project.district_id.in_([r.id for r in self.districts]),
            Project.plan_year.in_(list(years)),
            Project.plan_status.in_((PlanStatus.APPROVED, PlanStatus.CLOSED)),
        )
        found: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for project in self.session.scalars(stmt):
            for code in POLLUTANT_CODES:
                found[project.district_id][code] += project.expected(code) or 0
        return found

    def year_values(self, year: int) -> Values:
        """The districts' targets of ``year`` (see the module docstring)."""
        credited = credits_by_district(self.session, self.city_user, Period(year, year))
        expected = self._expected(range(year, year + 1))
        reached = [d for d in self.districts if any(credited.get(d.id, {}).values())]
        values: Values = {}
        for district in self.districts:
            sums = credited.get(district.id, {})
            ahead = district in reached and reached.index(district) % 2 == 0
            for code in POLLUTANT_CODES:
                got = sums.get(code, Decimal(0))
                planned = expected.get(district.id, {}).get(code, Decimal(0))
                if got > 0:
                    values[(district.id, code)] = nice(
                        got * (AHEAD if ahead else BEHIND), up=not ahead
                    )
                elif planned > 0 and not ahead:
                    values[(district.id, code)] = nice(planned * UNREACHED, up=True)
        return values

    def _with_city(self, values: Values) -> Values:
        for code in POLLUTANT_CODES:
            total = sum((v for (_r, c), v in values.items() if c == code), Decimal(0))
            if total > 0:
                values[(self.city.id, code)] = total
        return values

    def _set(self, period: Period, values: Values, at: dt.datetime) -> None:
        seen = targets.last_change(self.session, self.regions, period)
        acting = Acting(self.city_user, at)
        self.changed += targets.set_targets(
            self.session, acting, self.regions, period, values, seen=seen
        )

    def set_all(self, at: dt.datetime) -> None:
        by_year = {y: self.year_values(y) for y in self.years}
        for year in self.years:
            self._set(Period(year, year), self._with_city(dict(by_year[year])), at)
        for period in self.periods:
            expected = self._expected(period.years)
            values: Values = {}
            for district in self.districts:
                for code in POLLUTANT_CODES:
                    yearly = max(
                        by_year[y].get((district.id, code), Decimal(0)) for y in self.years
                    )
                    planned = expected.get(district.id, {}).get(code, Decimal(0))
                    base = max(yearly, planned * UNREACHED)
                    if base > 0:
                        values[(district.id, code)] = nice(base * 5, up=True)
            self._set(period, self._with_city(values), at)

    def raise_city(self, at: dt.datetime) -> None:
        for period in self.periods:
            found = targets.targets_of(self.session, [self.city], period)
            values = {key: nice(t.tonnes * CITY_RAISE, up=True) for key, t in found.items()}
            if values:
                self._set(period, values, at)

"""Region totals equal the sums of the current confirmed credits, for both credit rules,
and the percentages of target are right (expected values computed here, independently)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest

from dispatch.audit import Acting
from dispatch.reductions import queries
from dispatch.reductions.periods import Period
from dispatch.reductions.targets import set_targets
from tests.projects.helpers import NOW
from tests.reductions.states import ACTUAL, confirm, enter, stable_project, with_rule

Y2025 = Period(2025, 2025)
# (district, stable from, gas flow, hours, confirmed?): NOx = V × 100 mg/Nm³ × H × 10⁻⁹.
PROJECTS = [
    ("district_a", dt.date(2025, 3, 15), "500000", "7920", True),
    ("district_a", dt.date(2025, 1, 1), "200000", "6000", True),
    ("district_a", dt.date(2024, 7, 9), "100000", "8000", True),
    ("district_a", dt.date(2025, 6, 30), "300000", "5000", False),  # a draft: not counted
    ("district_b", dt.date(2025, 12, 10), "400000", "8000", True),
    ("district_b", dt.date(2025, 8, 1), "250000", "7200", True),
]


def months(stable: dt.date, year: int, rule: str) -> int:
    """The year's months, written out from accounting.md's words."""
    if rule == "full_year":
        return 12 if year >= stable.year else 0
    first = dt.date(stable.year + (stable.month == 12), stable.month % 12 + 1, 1)
    if year < first.year:
        return 0
    return 12 if year > first.year else 12 - first.month + 1


def expected_credit(stable: dt.date, flow: str, hours: str, rule: str) -> Decimal:
    capacity = Decimal(flow) * 100 * Decimal(hours) / Decimal(10**9)
    return (capacity * months(stable, 2025, rule) / 12).quantize(Decimal("0.000001"))


@pytest.mark.parametrize("rule", ["months_after_stable", "full_year"])
def test_district_and_city_totals_and_percentages(app, db, world, rule):
    catalog = with_rule(rule)
    expected = {"district_a": Decimal(0), "district_b": Decimal(0)}
    with app.app_context():
        for district, stable, flow, hours, confirmed in PROJECTS:
            project = stable_project(db, world, stable_from=stable, district=district)
            params = ACTUAL | {"gas_flow": flow, "hours": hours}
            year = 2025
            if months(stable, 2025, rule) == 0:
                year = 2026  # nothing to credit in 2025: confirmed for 2026, not counted
            enter(db, world, project, year, params, actor=district, catalog=catalog)
            if confirmed:
                confirm(db, world, project, year, catalog=catalog)
                if year == 2025:
                    expected[district] += expected_credit(stable, flow, hours, rule)
        # A corrected project: only its current version counts.
        corrected = stable_project(db, world, stable_from=dt.date(2025, 3, 15))
        enter(db, world, corrected, catalog=catalog)
        confirm(db, world, corrected, catalog=catalog)
        enter(db, world, corrected, params=ACTUAL | {"hours": "4000"}, reason="更正",
              catalog=catalog)  # fmt: skip
        confirm(db, world, corrected, catalog=catalog)
        expected["district_a"] += expected_credit(dt.date(2025, 3, 15), "500000", "4000", rule)
        city = Acting(world.users["city"], NOW)
        regions = [world.city, world.district_a, world.district_b]
        targets = {world.city.id: Decimal("1500"), world.district_a.id: Decimal("900"),
                   world.district_b.id: Decimal("300")}  # fmt: skip
        set_targets(db, city, regions, Y2025, {(r, "NOx"): t for r, t in targets.items()}, seen=0)
        db.commit()
        rows = {r.region.id: r for r in queries.progress(db, world.users["city"], Y2025)}

    total = expected["district_a"] + expected["district_b"]
    credited = {world.city.id: total, world.district_a.id: expected["district_a"],
                world.district_b.id: expected["district_b"]}  # fmt: skip
    assert set(rows) == set(credited)
    for region_id, value in credited.items():
        cell = {c.pollutant: c for c in rows[region_id].cells}["NOx"]
        assert cell.credited == value
        assert cell.target == targets[region_id]
        share = (value / targets[region_id] * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
        assert cell.percent == share
        # The other pollutants: nothing confirmed, no target.
        assert {c.credited for c in rows[region_id].cells if c.pollutant != "NOx"} == {0}
    assert rows[world.city.id].cells[0].percent is None


def test_a_district_sees_only_its_own_totals(app, db, world):
    with app.app_context():
        for district in ("district_a", "district_b"):
            project = stable_project(db, world, district=district)
            enter(db, world, project, actor=district)
            confirm(db, world, project)
        rows = queries.progress(db, world.users["district_b"], Y2025)
        other = queries.progress(db, world.users["other_city"], Y2025)
        none = queries.credits_total(db, world.users["enterprise_b"], Y2025)
    assert [r.region.id for r in rows] == [world.district_b.id]
    assert {c.pollutant: c.credited for c in rows[0].cells}["NOx"] == Decimal("297")
    assert [r.region.id for r in other] == [world.other_city.id, world.other_district.id]
    assert all(c.credited == 0 for r in other for c in r.cells)
    assert all(v == 0 for v in none.values())

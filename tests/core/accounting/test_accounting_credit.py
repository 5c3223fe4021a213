"""The year's credit from the stable-operation date (accounting.md)."""

from datetime import date
from decimal import Decimal

import pytest

from dispatch.core.accounting import counting_start, credit_for_year, credit_months


@pytest.mark.parametrize(
    ("stable_from", "year", "months"),
    [
        # The three dated examples of accounting.md.
        (date(2025, 3, 15), 2025, 9),
        (date(2025, 12, 10), 2025, 0),
        (date(2025, 12, 10), 2026, 12),
        (date(2025, 1, 1), 2025, 11),
        # Leap day: counted from 1 March.
        (date(2024, 2, 29), 2024, 10),
        # On the 1st of a month: still counted from the next month.
        (date(2025, 6, 1), 2025, 6),
        # On the last day of a month.
        (date(2025, 1, 31), 2025, 11),
        (date(2025, 11, 30), 2025, 1),
        (date(2025, 12, 31), 2025, 0),
        # A stable date in a later year credits nothing; earlier years credit 12.
        (date(2026, 5, 20), 2025, 0),
        (date(2023, 5, 20), 2025, 12),
    ],
)
def test_credit_months(stable_from, year, months):
    assert credit_months(stable_from, year) == months


def test_counting_starts_on_the_first_of_the_next_month():
    assert counting_start(date(2025, 3, 15)) == date(2025, 4, 1)
    assert counting_start(date(2025, 12, 10)) == date(2026, 1, 1)
    assert counting_start(date(2024, 2, 29)) == date(2024, 3, 1)


def test_credit_is_e_times_months_over_12_with_6_decimals():
    reductions = {"NOx": Decimal("396.000000"), "VOCs": Decimal("1.000000")}
    credit = credit_for_year(reductions, date(2025, 3, 15), 2025)
    assert credit == {"NOx": Decimal("297.000000"), "VOCs": Decimal("0.750000")}
    # 1 × 11 / 12 = 0.91666… → 0.916667 (half-up)
    assert credit_for_year({"COD": Decimal(1)}, date(2025, 1, 1), 2025) == {
        "COD": Decimal("0.916667")
    }
    assert credit_for_year(reductions, date(2026, 1, 5), 2025) == {
        "NOx": Decimal("0.000000"),
        "VOCs": Decimal("0.000000"),
    }


def test_every_year_is_between_0_and_12_and_sums_to_whole_years():
    stable = date(2024, 7, 9)
    months = [credit_months(stable, year) for year in range(2022, 2028)]
    assert months == [0, 0, 5, 12, 12, 12]

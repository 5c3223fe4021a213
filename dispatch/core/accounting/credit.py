"""The year's credit (当年减排量) from the stable-operation date (accounting.md).

Counting starts on the first day of the month after stable operation begins; the credit
in year Y is E × months(Y) / 12, with months(Y) the whole months from that day to the
end of Y, between 0 and 12.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from dispatch.core.accounting.numbers import quantize_stored


def counting_start(stable_from: date) -> date:
    """First day of the month after `stable_from` (even when it is itself a 1st)."""
    if stable_from.month == 12:
        return date(stable_from.year + 1, 1, 1)
    return date(stable_from.year, stable_from.month + 1, 1)


def credit_months(stable_from: date, year: int) -> int:
    """Whole months of `year` credited: 0 before counting starts, 12 in later years."""
    start = counting_start(stable_from)
    if year < start.year:
        return 0
    if year > start.year:
        return 12
    return 13 - start.month


def credit_for_year(
    reductions: Mapping[str, Decimal], stable_from: date, year: int
) -> dict[str, Decimal]:
    """Credit per pollutant in `year`, t, stored with 6 decimals."""
    months = credit_months(stable_from, year)
    return {p: quantize_stored(Decimal(e) * months / 12) for p, e in reductions.items()}

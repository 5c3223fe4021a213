"""The year's credit (当年减排量) from the stable-operation date (accounting.md).

The rule is data: the catalog names it (``credit_rule`` in ``_coefficients.yaml``) and
every confirmed result stores the name of the rule it used.

- ``months_after_stable`` (the default): counting starts on the first day of the month
  after stable operation begins; the credit in year Y is E × months(Y) / 12, with
  months(Y) the whole months from that day to the end of Y, between 0 and 12.
- ``full_year``: the whole annual capacity in every year from the one in which stable
  operation begins (12 months), nothing before it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from dispatch.core.accounting.numbers import quantize_stored
from dispatch.core.catalog import CREDIT_RULES, DEFAULT_CREDIT_RULE, FULL_YEAR

CREDIT_RULE_NAMES_ZH = {
    "months_after_stable": "稳定运行次月起按月折算",
    "full_year": "稳定运行当年全年计入",
}


def counting_start(stable_from: date) -> date:
    """First day of the month after `stable_from` (even when it is itself a 1st)."""
    if stable_from.month == 12:
        return date(stable_from.year + 1, 1, 1)
    return date(stable_from.year, stable_from.month + 1, 1)


def credit_months(stable_from: date, year: int, rule: str = DEFAULT_CREDIT_RULE) -> int:
    """Whole months of `year` credited under `rule`: 0 before counting starts, 12 later."""
    if rule not in CREDIT_RULES:
        raise ValueError(f"未知的当年减排量计算规则 {rule!r}")
    if rule == FULL_YEAR:
        return 12 if year >= stable_from.year else 0
    start = counting_start(stable_from)
    if year < start.year:
        return 0
    if year > start.year:
        return 12
    return 13 - start.month


def credit_for_year(
    reductions: Mapping[str, Decimal],
    stable_from: date,
    year: int,
    rule: str = DEFAULT_CREDIT_RULE,
) -> dict[str, Decimal]:
    """Credit per pollutant in `year` under `rule`, t, stored with 6 decimals."""
    months = credit_months(stable_from, year, rule)
    return {p: quantize_stored(Decimal(e) * months / 12) for p, e in reductions.items()}

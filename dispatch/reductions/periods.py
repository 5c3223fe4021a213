"""Target periods: a year ("2025") or a five-year plan period ("2021-2025").

A five-year period starts in a year ending in 1 or 6 (十四五 2021–2025, 十五五
2026–2030), as the national plans do; the table stores it as ``year_from``/``year_to``.
"""

from __future__ import annotations

import dataclasses
import re

from dispatch.errors import DomainError

_PERIOD = re.compile(r"^(?P<start>\d{4})(?:-(?P<end>\d{4}))?$")
FIRST_YEAR, LAST_YEAR = 2000, 2100
BAD_PERIOD = "目标期间应为年份（如 2025）或五年规划期（如 2021-2025）"


@dataclasses.dataclass(frozen=True)
class Period:
    year_from: int
    year_to: int

    @property
    def is_five_years(self) -> bool:
        return self.year_to != self.year_from

    @property
    def key(self) -> str:
        return str(self.year_from) if not self.is_five_years else f"{self.year_from}-{self.year_to}"

    @property
    def label(self) -> str:
        if self.is_five_years:
            return f"{self.year_from}—{self.year_to}年（五年规划期）"
        return f"{self.year_from}年"

    @property
    def years(self) -> range:
        return range(self.year_from, self.year_to + 1)


def parse_period(text: str | None) -> Period:
    """A period from its key; DomainError (field ``period``) for anything else."""
    match = _PERIOD.match((text or "").strip())
    if match is None:
        raise DomainError(BAD_PERIOD, field="period")
    start = int(match["start"])
    end = int(match["end"]) if match["end"] else start
    if not FIRST_YEAR <= start <= LAST_YEAR:
        raise DomainError(BAD_PERIOD, field="period")
    if end != start and (end != start + 4 or start % 5 != 1):
        raise DomainError(BAD_PERIOD, field="period")
    return Period(start, end)


def five_year_period(year: int) -> Period:
    """The five-year plan period containing ``year`` (2023 → 2021–2025)."""
    start = year - (year - 1) % 5
    return Period(start, start + 4)


def choices_around(year: int) -> list[Period]:
    """The periods a page offers: the years of the current five-year period and it."""
    period = five_year_period(year)
    return [Period(y, y) for y in period.years] + [period]

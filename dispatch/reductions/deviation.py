"""Planned against confirmed reductions of one project (accounting.md: "Reports show
both and the deviation").

*Planned* is the annual capacity the engine computed from the plan's parameters when the
project was saved (the ``expected_*`` columns the plan list shows and sums); *confirmed*
is the annual capacity of a current confirmation, from the actual parameters. Both are
t/a, so they compare like for like; the year's credit is shown beside them, not compared
(the plan has no stable-operation month to prorate with).
"""

from __future__ import annotations

import dataclasses
from decimal import ROUND_HALF_UP, Decimal

from dispatch.core.pollutants import CODES
from models import Project, ReductionConfirmation

PERCENT = Decimal("0.1")


@dataclasses.dataclass(frozen=True)
class Comparison:
    """One pollutant of one confirmed year: planned and confirmed capacity, the credit."""

    pollutant: str
    planned: Decimal | None
    confirmed: Decimal | None
    credit: Decimal | None

    @property
    def deviation(self) -> Decimal | None:
        """Confirmed − planned, t/a (None when either is missing)."""
        if self.planned is None or self.confirmed is None:
            return None
        return self.confirmed - self.planned

    @property
    def percent(self) -> Decimal | None:
        """The deviation as % of the planned capacity, one decimal (None without a plan)."""
        deviation = self.deviation
        if deviation is None or self.planned is None or self.planned == 0:
            return None
        return (deviation * 100 / self.planned).quantize(PERCENT, rounding=ROUND_HALF_UP)


def planned(project: Project) -> dict[str, Decimal]:
    """Pollutant → the plan's expected annual capacity (only the method's pollutants)."""
    return {code: v for code in CODES if (v := project.expected(code)) is not None}


def compare(project: Project, confirmation: ReductionConfirmation) -> list[Comparison]:
    """Every pollutant planned or confirmed, in the catalog's order."""
    plan = planned(project)
    confirmed = set(confirmation.pollutants)
    return [
        Comparison(
            code,
            plan.get(code),
            confirmation.capacity(code) if code in confirmed else None,
            confirmation.credit(code) if code in confirmed else None,
        )
        for code in CODES
        if code in plan or code in confirmed
    ]


def signed(value: Decimal, places: Decimal = Decimal("0.0001")) -> str:
    """A deviation as shown: explicit sign, half-up ("+12.0000", "-3.5000", "0.0000")."""
    shown = value.quantize(places, rounding=ROUND_HALF_UP)
    if shown.is_zero():
        return f"{shown.copy_abs():f}"
    return f"+{shown:f}" if shown > 0 else f"{shown:f}"


def signed_percent(value: Decimal) -> str:
    """A deviation rate as shown, one decimal with its sign ("+12.5%")."""
    return signed(value, PERCENT) + "%"

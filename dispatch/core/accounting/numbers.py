"""Decimal helpers: reading numbers from forms, Excel or JSON, rounding, display.

Results are stored with 6 decimals and shown with 4, rounding half-up at display only
(accounting.md). A float is accepted only at the edge and converted through str(), so
the digits a user typed are the digits computed with, never a binary approximation.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from dispatch.core import pollutants

STORED = Decimal("0.000001")
SHOWN = Decimal("0.0001")

# The short labels written into formulas and messages ("NH3-N").
POLLUTANT_LABELS = MappingProxyType({p.code: p.label for p in pollutants.POLLUTANTS})


def to_decimal(value: Any) -> Decimal:
    """Parse a finite number; raise ValueError for text, bool, NaN or infinity."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int | float | str):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(value) from None
    else:
        raise ValueError(value)
    if not number.is_finite():
        raise ValueError(value)
    return number


def quantize_stored(value: Decimal) -> Decimal:
    """Round to the stored precision (6 decimals), half-up; never returns -0."""
    result = value.quantize(STORED, rounding=ROUND_HALF_UP)
    return result.copy_abs() if result.is_zero() else result


def format_t(value: Decimal) -> str:
    """A tonnage as shown to people: 4 decimals, half-up (1606 -> '1606.0000')."""
    result = Decimal(value).quantize(SHOWN, rounding=ROUND_HALF_UP)
    return f"{result.copy_abs() if result.is_zero() else result:f}"


def plain(value: Any) -> str:
    """A number as written in a formula: positional notation, digits kept as given."""
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)

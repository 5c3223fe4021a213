"""Field-by-field checking of raw input (form posts, grid rows, workbook cells).

A :class:`Checker` knows the Chinese label of each field, parses each value with the
shared hygiene of :mod:`dispatch.core.inputs` and collects every problem by field instead
of stopping at the first, so a form shows all its errors at once and an import lists every
bad cell. The plan list and the monthly reports validate through it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from dispatch.core import inputs


class Errors(dict[str, list[str]]):
    """field → messages, in the order found."""

    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)


def as_text(value: Any) -> str:
    """A value as stripped text (a whole-number float from a workbook cell loses its .0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def number_text(value: Any) -> str:
    """A cell's number as positional text (an Excel float 1e-05 becomes 0.00001)."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
        # Non-finite or absurd magnitudes stay as written: parse_decimal refuses them.
        if number.is_finite() and -40 < number.adjusted() < 40:
            return f"{number:f}"
        return str(value)
    return as_text(value)


class Checker:
    """Parses raw values field by field into :attr:`errors`; a failed field gives None/''."""

    def __init__(self, labels: Mapping[str, str], errors: Errors | None = None):
        self.labels = labels
        self.errors = Errors() if errors is None else errors

    def add(self, field: str, message: str) -> None:
        self.errors.add(field, message)

    def text(
        self,
        field: str,
        value: Any,
        *,
        max_length: int,
        required: bool = False,
        multiline: bool = False,
        identifier: bool = False,
    ) -> str:
        label = self.labels[field]
        try:
            text = inputs.clean_text(
                as_text(value),
                label,
                max_length=max_length,
                multiline=multiline,
                identifier=identifier,
            )
        except inputs.InputError as exc:
            self.add(field, exc.message)
            return ""
        if required and not text:
            self.add(field, f"{label}不能为空")
        return text

    def decimal(
        self,
        field: str,
        value: Any,
        digits: tuple[int, int],
        *,
        required: bool = True,
        minimum: Decimal | None = None,
        maximum: Decimal | None = None,
    ) -> Decimal | None:
        """A decimal of at most ``digits`` = (significant digits, places)."""
        text = number_text(value)
        label = self.labels[field]
        if not text:
            if required:
                self.add(field, f"{label}不能为空")
            return None
        try:
            return inputs.parse_decimal(
                text,
                label,
                max_digits=digits[0],
                places=digits[1],
                minimum=minimum,
                maximum=maximum,
            )
        except inputs.InputError as exc:
            self.add(field, exc.message)
            return None

    def date(
        self, field: str, value: Any, window: tuple[dt.date, dt.date], *, required: bool = True
    ) -> dt.date | None:
        label = self.labels[field]
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(field, f"{label}不能为空")
            return None
        try:
            return inputs.parse_date(value, label, earliest=window[0], latest=window[1])
        except inputs.InputError as exc:
            self.add(field, exc.message)
            return None

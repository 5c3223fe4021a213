"""Form fields that apply the shared input hygiene (``dispatch.core.inputs``).

Every text, number, id, date and phone input of every form is one of these, so a rule
(control characters, look-alike names, Unicode digits, huge numbers, impossible dates) is
enforced in one place. A refusal becomes a Chinese message on the field that names it;
what the user typed is kept for re-display (cut to a sane length), never lost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from wtforms import Field, StringField, TextAreaField
from wtforms.validators import StopValidation

from dispatch.core import inputs

# What is kept for re-display after a refusal (a 1 MB paste is not sent back whole).
_REDISPLAY_CHARS = 4000


def _label(field: Field) -> str:
    return str(field.label.text)


class _Checked:
    """Mixin: run ``check(raw)`` before the validators; its InputError is the field's error."""

    required_message: str | None = None

    def _check(self, raw: str) -> Any:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def pre_validate(self, form: Any) -> None:
        raw = self.data if isinstance(self.data, str) else ("" if self.data is None else self.data)
        if isinstance(raw, str) and not raw.strip():
            self.data = self._empty()
            if self.required_message:
                raise StopValidation(self.required_message)
            return
        try:
            self.data = self._check(raw)
        except inputs.InputError as exc:
            if isinstance(raw, str):
                self.data = raw[:_REDISPLAY_CHARS]
            raise StopValidation(exc.message) from exc

    def _empty(self) -> Any:
        return ""


class CleanText(_Checked, StringField):
    """One line of text: NFC, no control or direction characters, at most ``max_length``.

    ``identifier`` for names, codes and user names (also refuses invisible characters).
    """

    def __init__(
        self,
        label: str,
        validators: Any = None,
        *,
        max_length: int,
        required: str | None = None,
        identifier: bool = False,
        **kwargs: Any,
    ):
        super().__init__(label, validators, **kwargs)
        self.max_length, self.identifier, self.required_message = max_length, identifier, required
        self.render_kw = {"maxlength": max_length, **(self.render_kw or {})}

    def _check(self, raw: str) -> str:
        return inputs.clean_text(
            raw, _label(self), max_length=self.max_length, identifier=self.identifier
        )


class CleanTextArea(_Checked, TextAreaField):
    """Multi-line text: as :class:`CleanText`, with newlines and tabs allowed."""

    def __init__(
        self,
        label: str,
        validators: Any = None,
        *,
        max_length: int,
        required: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(label, validators, **kwargs)
        self.max_length, self.required_message = max_length, required
        self.render_kw = {"maxlength": max_length, **(self.render_kw or {})}

    def _check(self, raw: str) -> str:
        return inputs.clean_text(raw, _label(self), max_length=self.max_length, multiline=True)


class IntegerText(_Checked, StringField):
    """An integer typed in ASCII digits within ``[minimum, maximum]``; None when empty."""

    def __init__(
        self,
        label: str,
        validators: Any = None,
        *,
        minimum: int | None = None,
        maximum: int | None = None,
        required: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(label, validators, **kwargs)
        self.minimum, self.maximum, self.required_message = minimum, maximum, required

    def _check(self, raw: str) -> int:
        return inputs.parse_int(raw, _label(self), minimum=self.minimum, maximum=self.maximum)

    def _empty(self) -> None:
        return None

    def _value(self) -> str:
        return "" if self.data is None else str(self.data)


class DecimalText(_Checked, StringField):
    """A finite decimal with bounded digits; None when empty."""

    def __init__(
        self,
        label: str,
        validators: Any = None,
        *,
        max_digits: int = 14,
        places: int = 2,
        minimum: Decimal | None = None,
        maximum: Decimal | None = None,
        required: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(label, validators, **kwargs)
        self.limits = {
            "max_digits": max_digits,
            "places": places,
            "minimum": minimum,
            "maximum": maximum,
        }
        self.required_message = required

    def _check(self, raw: str) -> Decimal:
        return inputs.parse_decimal(raw, _label(self), **self.limits)

    def _empty(self) -> None:
        return None

    def _value(self) -> str:
        return (
            ""
            if self.data is None
            else (f"{self.data:f}" if isinstance(self.data, Decimal) else str(self.data))
        )


class DateText(_Checked, StringField):
    """A ``YYYY-MM-DD`` date inside a window given as fixed dates or as callables of the
    form (so a window can depend on another field, e.g. the plan year); None when empty."""

    def __init__(
        self,
        label: str,
        validators: Any = None,
        *,
        earliest: dt.date | Callable[[Any], dt.date | None] | None = dt.date(2000, 1, 1),
        latest: dt.date | Callable[[Any], dt.date | None] | None = dt.date(2100, 12, 31),
        required: str | None = None,
        **kwargs: Any,
    ):
        kwargs.setdefault("render_kw", {"type": "date"})
        super().__init__(label, validators, **kwargs)
        self.earliest, self.latest, self.required_message = earliest, latest, required
        self._form: Any = None

    def pre_validate(self, form: Any) -> None:
        self._form = form
        super().pre_validate(form)

    def _bound(self, bound: Any) -> dt.date | None:
        return bound(self._form) if callable(bound) else bound

    def _check(self, raw: str) -> dt.date:
        return inputs.parse_date(
            raw, _label(self), earliest=self._bound(self.earliest), latest=self._bound(self.latest)
        )

    def _empty(self) -> None:
        return None

    def _value(self) -> str:
        return self.data.isoformat() if isinstance(self.data, dt.date) else (self.data or "")


class PhoneText(_Checked, StringField):
    """A mainland mobile number, a landline with area code and extension, or a 400/800 line."""

    def __init__(self, label: str = "联系电话", validators: Any = None, **kwargs: Any):
        super().__init__(label, validators, **kwargs)
        self.render_kw = {"maxlength": 32, **(self.render_kw or {})}

    def _check(self, raw: str) -> str:
        return inputs.check_phone(raw, _label(self))

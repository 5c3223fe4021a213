"""Form fields that apply the shared input hygiene (``dispatch.core.inputs``).

Every text, number, id, date and phone input of every form is one of these, so a rule
(control characters, look-alike names, Unicode digits, huge numbers, impossible dates) is
enforced in one place. A refusal becomes a Chinese message on the field that names it;
what the user typed is kept for re-display (cut to a sane length), never lost.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from wtforms import Field, HiddenField, StringField, TextAreaField
from wtforms.validators import StopValidation, ValidationError

from dispatch.core import inputs
from dispatch.core.beijing import CHINA_TZ

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
        earliest: dt.date | Callable[[Any], dt.date | None] | None = inputs.EARLIEST_DATE,
        latest: dt.date | Callable[[Any], dt.date | None] | None = inputs.LATEST_DATE,
        required: str | None = None,
        format_message: str | None = None,
        **kwargs: Any,
    ):
        kwargs.setdefault("render_kw", {"type": "date"})
        super().__init__(label, validators, **kwargs)
        self.earliest, self.latest, self.required_message = earliest, latest, required
        # Replaces the message for text that is no date at all (a window refusal keeps its own).
        self.format_message = format_message
        self._form: Any = None

    def pre_validate(self, form: Any) -> None:
        self._form = form
        super().pre_validate(form)

    def _bound(self, bound: Any) -> dt.date | None:
        return bound(self._form) if callable(bound) else bound

    def _check(self, raw: str) -> dt.date:
        try:
            return inputs.parse_date(
                raw,
                _label(self),
                earliest=self._bound(self.earliest),
                latest=self._bound(self.latest),
            )
        except inputs.InputError as exc:
            if self.format_message and exc.kind == "format":
                raise inputs.InputError(self.format_message) from exc
            raise

    def _empty(self) -> None:
        return None

    def _value(self) -> str:
        return self.data.isoformat() if isinstance(self.data, dt.date) else (self.data or "")


class MonthText(_Checked, StringField):
    """A calendar month typed as ``YYYY-MM`` (``<input type="month">``), kept as the first
    day of the month, inside the product's date window; None when empty."""

    def __init__(self, label: str, validators: Any = None, **kwargs: Any):
        self.required_message = kwargs.pop("required", None)
        kwargs.setdefault("render_kw", {"type": "month", "placeholder": "YYYY-MM"})
        super().__init__(label, validators, **kwargs)

    def _check(self, raw: str) -> dt.date:
        text = str(raw).strip()
        if not re.fullmatch(r"[0-9]{4}-[0-9]{1,2}", text):
            raise inputs.InputError(f"{_label(self)}格式应为 YYYY-MM，“{inputs.shown(text)}”无效")
        return inputs.parse_date(
            f"{text}-01",
            _label(self),
            earliest=inputs.EARLIEST_DATE,
            latest=inputs.LATEST_DATE.replace(day=1),
        )

    def _empty(self) -> None:
        return None

    def _value(self) -> str:
        if isinstance(self.data, dt.date):
            return f"{self.data.year:04d}-{self.data.month:02d}"
        return self.data or ""


class BeijingDateTime(_Checked, StringField):
    """A Beijing wall-clock time typed as ``YYYY-MM-DDTHH:MM`` (``<input
    type="datetime-local">``; seconds and a space for the ``T`` accepted), kept as an aware
    UTC instant; None when empty. Shown again in Beijing time."""

    def __init__(self, label: str, validators: Any = None, **kwargs: Any):
        self.required_message = kwargs.pop("required", None)
        kwargs.setdefault("render_kw", {"type": "datetime-local"})
        super().__init__(label, validators, **kwargs)

    def _check(self, raw: str) -> dt.datetime:
        text = str(raw).strip()
        found = re.fullmatch(
            r"([0-9]{4}-[0-9]{1,2}-[0-9]{1,2})[T ]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?", text
        )
        if found is None:
            raise inputs.InputError(
                f"{_label(self)}格式应为 YYYY-MM-DD HH:MM，“{inputs.shown(text)}”无效"
            )
        day = inputs.parse_date(
            found[1], _label(self), earliest=inputs.EARLIEST_DATE, latest=inputs.LATEST_DATE
        )
        hour, minute, second = int(found[2]), int(found[3]), int(found[4] or 0)
        if hour > 23 or minute > 59 or second > 59:
            raise inputs.InputError(f"{_label(self)}不是有效时间：“{inputs.shown(text)}”")
        local = dt.datetime.combine(day, dt.time(hour, minute, second), tzinfo=CHINA_TZ)
        return local.astimezone(dt.UTC)

    def _empty(self) -> None:
        return None

    def _value(self) -> str:
        if isinstance(self.data, dt.datetime):
            return self.data.astimezone(CHINA_TZ).strftime("%Y-%m-%dT%H:%M")
        return self.data or ""


class PhoneText(_Checked, StringField):
    """A mainland mobile number, a landline with area code and extension, or a 400/800 line."""

    def __init__(self, label: str = "联系电话", validators: Any = None, **kwargs: Any):
        super().__init__(label, validators, **kwargs)
        self.render_kw = {"maxlength": 32, **(self.render_kw or {})}

    def _check(self, raw: str) -> str:
        return inputs.check_phone(raw, _label(self))


class UsernameText(CleanText):
    """A user name: lower-case ASCII letters, digits and ``. _ -`` (no look-alikes)."""

    def __init__(self, label: str = "用户名", validators: Any = None, **kwargs: Any):
        kwargs.setdefault("max_length", inputs.USERNAME_MAX)
        super().__init__(label, validators, identifier=True, **kwargs)

    def _check(self, raw: str) -> str:
        return inputs.check_username(raw, _label(self))


MISSING_VERSION = "页面缺少版本信息，无法确认您看到的是最新内容，请刷新页面后重试"
BAD_VERSION = "页面版本信息无效，请刷新页面后重试"


class VersionField(_Checked, HiddenField):
    """The version of the object the page showed (optimistic locking), always required.

    A missing, empty, negative or malformed version is refused with a message, never
    taken as "no check": a stale write must not slip through a tampered form.
    """

    required_message = MISSING_VERSION

    def _check(self, raw: Any) -> int:
        try:
            return inputs.parse_int(raw, _label(self), minimum=1, maximum=inputs.DB_INT_MAX)
        except inputs.InputError as exc:
            raise inputs.InputError(BAD_VERSION) from exc

    def _empty(self) -> None:
        return None

    def _value(self) -> str:
        return "" if self.data is None else str(self.data)


class ChoiceOf:
    """Validator: a non-empty select value must be one of the field's choices.

    For selects whose choices are the caller's scope (districts, enterprises): a tampered,
    garbage or out-of-scope value is the field's ``message``, never silently "nothing".
    """

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form: Any, field: Field) -> None:
        if field.data in (None, ""):
            return
        values = {str(choice.value) for choice in field.iter_choices()}  # type: ignore[attr-defined]
        if str(field.data) not in values:
            raise ValidationError(self.message)

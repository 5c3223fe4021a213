"""WTForms forms; they never touch the database session (lookups come in via constructors)."""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms import SelectChoice


class Form(FlaskForm):
    """Base of every form: WTForms' own messages (not a number, too long…) in Chinese."""

    class Meta:
        locales = ("zh",)


def choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """``(value, label)`` pairs as WTForms 3.3 select choices."""
    return [SelectChoice(value, label) for value, label in pairs]

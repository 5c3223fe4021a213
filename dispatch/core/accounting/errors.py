"""Validation errors of the accounting engine.

Each error names the parameter (a key, or `list[index].field` inside a list parameter),
a stable code that imports and APIs can match on, and a Chinese message that names the
field and the rule, ready to show next to the form field.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

# Stable error codes; the messages may be reworded, these may not.
REQUIRED = "required"
NOT_A_NUMBER = "not_a_number"
NOT_AN_INTEGER = "not_an_integer"
OUT_OF_RANGE = "out_of_range"
AFTER_ABOVE_BEFORE = "after_above_before"
AFTER_BELOW_BEFORE = "after_below_before"
NEGATIVE_RESULT = "negative_result"
UNKNOWN_PARAM = "unknown_param"
UNKNOWN_METHOD = "unknown_method"
BAD_CHOICE = "bad_choice"
BAD_TEXT = "bad_text"
NOT_A_LIST = "not_a_list"
EMPTY_LIST = "empty_list"
MISSING_COEFFICIENT = "missing_coefficient"

CODES = (
    REQUIRED, NOT_A_NUMBER, NOT_AN_INTEGER, OUT_OF_RANGE, AFTER_ABOVE_BEFORE,
    AFTER_BELOW_BEFORE, NEGATIVE_RESULT, UNKNOWN_PARAM, UNKNOWN_METHOD, BAD_CHOICE,
    BAD_TEXT, NOT_A_LIST, EMPTY_LIST, MISSING_COEFFICIENT,
)  # fmt: skip


@dataclass(frozen=True)
class ParamError:
    param: str
    code: str
    message: str

    def to_json(self) -> dict[str, str]:
        return asdict(self)


class AccountingValidationError(Exception):
    """The inputs cannot be accounted; `.errors` says which and why."""

    def __init__(self, errors: list[ParamError]):
        super().__init__("；".join(error.message for error in errors))
        self.errors = list(errors)

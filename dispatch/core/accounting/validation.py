"""Check raw parameter values against a method's definitions from the catalog.

Raw values come from forms, Excel cells, JSON or the command line, so they may be
strings, ints, Decimals or (from Excel) floats. Everything is checked against the
definition (kind, range, required, choices) and the method's cross-parameter rules;
problems are reported, never silently fixed.

Hostile input is refused here, before any arithmetic, through the shared rules of
:mod:`dispatch.core.inputs`: typed numbers are ASCII digits with at most
``INTEGER_DIGITS`` digits before the point and ``PLACES`` after (no exponent, NaN or
Infinity, so ``1e999999999`` never reaches the decimal context); every number is below
10¹⁵ whatever the catalog says, and within the parameter's own ``min``/``max`` where the
catalog gives them; text parameters are clean text of at most ``TEXT_MAX`` characters;
a list parameter has at most ``LIST_MAX_ROWS`` lines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from dispatch.core import inputs
from dispatch.core.accounting import errors as E
from dispatch.core.accounting.errors import ParamError
from dispatch.core.accounting.numbers import plain, to_decimal
from dispatch.core.catalog import MethodDef, ParamCheck, ParamDef

# No real quantity comes near this; the cap keeps every product within the engine's
# decimal precision whatever a province writes (or omits) as a maximum.
INTEGER_DIGITS = 15
LARGEST = Decimal(10) ** INTEGER_DIGITS
# Decimals a typed number may carry (coefficients such as 0.00035 need a few).
PLACES = 8
# Significant digits of a number that arrives already parsed (an Excel float has 17).
MAX_SIGNIFICANT = INTEGER_DIGITS + PLACES + 10
# A text parameter (an A4 material name) and the lines of a list parameter (A4 materials,
# A6 fleet lines): generous for any real project, small enough to store and export.
TEXT_MAX = 100
LIST_MAX_ROWS = 200


def number_limits(param: ParamDef) -> dict[str, int]:
    """Digits a typed value of ``param`` may have: ``PLACES`` decimals, and before the point
    one digit more than the larger bound where the catalog bounds both ends (so a value a
    little out of range still gets the range message), else ``INTEGER_DIGITS``."""
    digits = INTEGER_DIGITS
    if param.min is not None and param.max is not None:
        widest = max(len(str(int(abs(bound)))) for bound in (param.min, param.max))
        digits = min(INTEGER_DIGITS, widest + 1)
    return {"max_digits": digits + PLACES, "places": PLACES}


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def range_text(param: ParamDef) -> str:
    """The rule in words, e.g. "应在 1 至 8784 之间" or "应大于 0"."""
    low, high = param.min, param.max
    if low is not None and high is not None:
        if param.min_inclusive and param.max_inclusive:
            return f"应在 {plain(low)} 至 {plain(high)} 之间"
        low_word = "不小于" if param.min_inclusive else "大于"
        high_word = "不大于" if param.max_inclusive else "小于"
        return f"应{low_word} {plain(low)} 且{high_word} {plain(high)}"
    if low is not None:
        return f"应{'不小于' if param.min_inclusive else '大于'} {plain(low)}"
    if high is not None:
        return f"应{'不大于' if param.max_inclusive else '小于'} {plain(high)}"
    return ""


def _in_range(param: ParamDef, number: Decimal) -> bool:
    if param.min is not None and (
        number < param.min or (number == param.min and not param.min_inclusive)
    ):
        return False
    return not (
        param.max is not None
        and (number > param.max or (number == param.max and not param.max_inclusive))
    )


def _default(param: ParamDef) -> Any:
    if param.kind == "integer":
        return int(param.default)
    if param.kind == "decimal":
        return to_decimal(param.default)
    return param.default


def _number(param: ParamDef, raw: Any, name: str, path: str, errors: list) -> Decimal | None:
    """A finite number below 10¹⁵ with bounded digits, or None after recording an error."""
    if isinstance(raw, str):
        try:
            return inputs.parse_decimal(raw, name, **number_limits(param))
        except inputs.InputError as exc:
            if exc.kind == "format":
                errors.append(ParamError(path, E.NOT_A_NUMBER, exc.message))
            elif exc.kind == "range" and range_text(param):
                # Too many digits for the catalog's range: the range says what would do.
                errors.append(ParamError(path, E.OUT_OF_RANGE, f"{name}{range_text(param)}"))
            else:
                errors.append(ParamError(path, E.OUT_OF_RANGE, exc.message))
            return None
    try:
        number = to_decimal(raw)
    except ValueError:
        errors.append(ParamError(path, E.NOT_A_NUMBER, f"{name}应为数字"))
        return None
    # adjusted() reads the exponent without arithmetic, so 1E+999999999 cannot overflow here.
    if not number.is_zero() and number.adjusted() >= INTEGER_DIGITS:
        errors.append(ParamError(path, E.OUT_OF_RANGE, f"{name}数值过大，应小于 10¹⁵"))
        return None
    if len(number.as_tuple().digits) > MAX_SIGNIFICANT:
        errors.append(ParamError(path, E.OUT_OF_RANGE, f"{name}位数过多"))
        return None
    return number


def parse_value(param: ParamDef, raw: Any, path: str, prefix: str, errors: list) -> Any:
    """One scalar value → Decimal / int / str, or None after recording an error."""
    name = prefix + param.label_with_unit
    if param.kind in ("decimal", "integer"):
        number = _number(param, raw, name, path, errors)
        if number is None:
            return None
        if param.kind == "integer" and number != number.to_integral_value():
            errors.append(ParamError(path, E.NOT_AN_INTEGER, f"{name}应为整数"))
            return None
        if not _in_range(param, number):
            errors.append(ParamError(path, E.OUT_OF_RANGE, f"{name}{range_text(param)}"))
            return None
        return int(number) if param.kind == "integer" else number
    if param.kind == "choice":
        text = str(raw).strip()
        for value, label in param.choices:
            # Excel sheets carry the Chinese label (国三), forms the value (china3).
            if text in (value, label):
                return value
        labels = "、".join(label for _value, label in param.choices)
        errors.append(ParamError(path, E.BAD_CHOICE, f"{name}应为以下之一：{labels}"))
        return None
    if param.kind == "text":
        if not isinstance(raw, str | int | Decimal) or isinstance(raw, bool):
            errors.append(ParamError(path, E.BAD_TEXT, f"{name}应为文本"))
            return None
        try:
            return inputs.clean_text(raw, name, max_length=TEXT_MAX, identifier=True)
        except inputs.InputError as exc:
            errors.append(ParamError(path, E.BAD_TEXT, exc.message))
            return None
    raise AssertionError(param.kind)


def _parse_param(param: ParamDef, raw: Any, path: str, prefix: str, errors: list) -> Any:
    name = prefix + param.label_with_unit
    if param.kind == "list":
        return _parse_list(param, raw, path, errors)
    if _blank(raw):
        if param.default is not None:
            return _default(param)
        if param.required and param.coefficient is None:
            errors.append(ParamError(path, E.REQUIRED, f"请填写{name}"))
        # A coefficient-backed parameter left blank takes the table's value later.
        return None
    return parse_value(param, raw, path, prefix, errors)


def _parse_list(param: ParamDef, raw: Any, path: str, errors: list) -> list | None:
    if _blank(raw) or (isinstance(raw, Sequence) and not isinstance(raw, str) and not raw):
        if param.required:
            errors.append(ParamError(path, E.EMPTY_LIST, f"请至少填写一行{param.label_zh}"))
        return [] if not param.required else None
    if isinstance(raw, str) or not isinstance(raw, Sequence):
        errors.append(ParamError(path, E.NOT_A_LIST, f"{param.label_zh}应为明细表（多行）"))
        return None
    if len(raw) > LIST_MAX_ROWS:
        message = f"{param.label_zh}最多 {LIST_MAX_ROWS} 行，当前 {len(raw)} 行"
        errors.append(ParamError(path, E.OUT_OF_RANGE, message))
        return None
    rows = []
    for index, row in enumerate(raw):
        where, prefix = f"{path}[{index}]", f"{param.label_zh}第{index + 1}行："
        if not isinstance(row, Mapping):
            errors.append(ParamError(where, E.NOT_A_LIST, f"{prefix}应为一行字段"))
            continue
        known = {f.key for f in param.fields}
        for key in row:
            if key not in known:
                errors.append(
                    ParamError(
                        f"{where}.{key}", E.UNKNOWN_PARAM, f"{prefix}未知字段 {inputs.shown(key)}"
                    )
                )
        rows.append(
            {
                f.key: _parse_param(f, row.get(f.key), f"{where}.{f.key}", prefix, errors)
                for f in param.fields
            }
        )
    return rows


def _check(check: ParamCheck, values: Mapping, lookup, path: str, prefix: str) -> ParamError | None:
    value, than = values.get(check.param), values.get(check.than)
    if value is None or than is None:
        return None  # already reported as missing or invalid
    first, second = lookup(check.param), lookup(check.than)
    if check.rule == "not_above" and value > than:
        message = f"{prefix}{first.label_with_unit}不能高于{second.label_zh}"
        return ParamError(f"{path}{check.param}", E.AFTER_ABOVE_BEFORE, message)
    if check.rule == "not_below" and value < than:
        message = f"{prefix}{first.label_with_unit}不能低于{second.label_zh}"
        return ParamError(f"{path}{check.param}", E.AFTER_BELOW_BEFORE, message)
    return None


def normalise(method: MethodDef, params: Mapping[str, Any]) -> tuple[dict, list[ParamError]]:
    """Parsed values by key (None where blank and optional) and the errors found."""
    errors: list[ParamError] = []
    if not isinstance(params, Mapping):
        return {}, [ParamError("params", E.NOT_A_LIST, "参数应为“键: 值”的集合")]
    known = {p.key for p in method.params}
    for key in params:
        if key not in known:
            message = f"核算方法“{method.name_zh}”没有参数 {inputs.shown(key)}"
            errors.append(ParamError(str(key), E.UNKNOWN_PARAM, message))
    values = {p.key: _parse_param(p, params.get(p.key), p.key, "", errors) for p in method.params}
    for check in method.checks:
        if check.list is None:
            error = _check(check, values, method.param, "", "")
            errors.extend([error] if error else [])
            continue
        owner = method.param(check.list)
        for index, row in enumerate(values.get(check.list) or ()):
            prefix = f"{owner.label_zh}第{index + 1}行："
            error = _check(check, row, owner.column, f"{check.list}[{index}].", prefix)
            errors.extend([error] if error else [])
    return values, errors


def to_json_value(value: Any) -> Any:
    """Inputs as stored with a result: Decimals as strings, lists as lists of dicts."""
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, list):
        return [{k: to_json_value(v) for k, v in row.items() if v is not None} for row in value]
    return value

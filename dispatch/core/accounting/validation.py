"""Check raw parameter values against a method's definitions from the catalog.

Raw values come from forms, Excel cells, JSON or the command line, so they may be
strings, ints, Decimals or (from Excel) floats. Everything is checked against the
definition (kind, range, required, choices) and the method's cross-parameter rules;
problems are reported, never silently fixed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from dispatch.core.accounting import errors as E
from dispatch.core.accounting.errors import ParamError
from dispatch.core.accounting.numbers import plain, to_decimal
from dispatch.core.catalog import MethodDef, ParamCheck, ParamDef

# No real quantity comes near this; the cap keeps every product within the engine's
# decimal precision whatever a province writes (or omits) as a maximum.
LARGEST = Decimal(10) ** 15


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


def parse_value(param: ParamDef, raw: Any, path: str, prefix: str, errors: list) -> Any:
    """One scalar value → Decimal / int / str, or None after recording an error."""
    name = prefix + param.label_with_unit
    if param.kind in ("decimal", "integer"):
        try:
            number = to_decimal(raw)
        except ValueError:
            errors.append(ParamError(path, E.NOT_A_NUMBER, f"{name}应为数字，而不是“{raw}”"))
            return None
        if abs(number) >= LARGEST:
            errors.append(ParamError(path, E.OUT_OF_RANGE, f"{name}数值过大，应小于 10¹⁵"))
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
        return str(raw).strip()
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
                    ParamError(f"{where}.{key}", E.UNKNOWN_PARAM, f"{prefix}未知字段 {key}")
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
            errors.append(
                ParamError(str(key), E.UNKNOWN_PARAM, f"核算方法“{method.name_zh}”没有参数 {key}")
            )
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

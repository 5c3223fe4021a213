"""Primitive readers of the catalog schema: strict YAML, typed fields, collected errors.

Split from ``catalog_schema`` (which holds the per-file readers and the cross-file checks)
to keep each module readable; nothing here knows what a method or a type is.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

# Keys of parameters, coefficients and methods: lower-case identifiers.
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class SchemaError(Exception):
    """The catalog directory is invalid; `.errors` lists every problem found."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys (PyYAML keeps the last silently)."""

    def construct_mapping(self, node, deep=False):
        seen: set[Any] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"重复的键 {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep)


class Ctx:
    """Where we are (file) and the shared list of problems."""

    def __init__(self, file: str, errors: list[str]):
        self.file = file
        self.errors = errors

    def err(self, path: str, message: str) -> None:
        self.errors.append(f"{self.file}: {path}: {message}" if path else f"{self.file}: {message}")


def join_path(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def field_mapping(
    ctx: Ctx, node: Any, path: str, required: tuple = (), optional: tuple | None = None
) -> dict | None:
    """Check that node is a mapping with these keys; optional=None allows any other key."""
    if not isinstance(node, dict):
        ctx.err(path, "应为映射（键: 值）")
        return None
    for key in node if optional is not None else ():
        if key not in required and key not in optional:
            ctx.err(join_path(path, str(key)), f"未知的键 {key!r}")
    for key in required:
        if key not in node:
            ctx.err(join_path(path, key), "缺少必填的键")
    return node


def field_text(ctx, node, key, path, *, required=True, pattern=None, default="") -> str | None:
    if key not in node or node[key] is None:
        return None if required else default
    value = node[key]
    if not isinstance(value, str) or (required and not value.strip()):
        ctx.err(join_path(path, key), "应为非空文本")
        return None
    if pattern is not None and not pattern.match(value):
        ctx.err(join_path(path, key), f"格式不正确：{value!r}")
        return None
    return value


def field_choice(ctx, node, key, path, allowed: tuple, *, default=None) -> str | None:
    if key not in node:
        return default
    value = node[key]
    if value not in allowed:
        ctx.err(join_path(path, key), f"应为 {' / '.join(allowed)} 之一，而不是 {value!r}")
        return None
    return value


def field_bool(ctx, node, key, path, default: bool) -> bool:
    value = node.get(key, default)
    if not isinstance(value, bool):
        ctx.err(join_path(path, key), "应为 true 或 false")
        return default
    return value


def field_int(ctx, node, key, path, *, default=None, minimum=None) -> int | None:
    value = node.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        ctx.err(join_path(path, key), "应为整数")
        return None
    if minimum is not None and value < minimum:
        ctx.err(join_path(path, key), f"应不小于 {minimum}")
        return None
    return value


def field_decimal(ctx, value: Any, path: str) -> Decimal | None:
    # Numbers may be written bare (36, 1.8) or quoted ("1.8"); str() keeps the digits as
    # written, so no binary-float noise enters a stored coefficient.
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        ctx.err(path, "应为数字")
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        ctx.err(path, f"应为数字，而不是 {value!r}")
        return None
    if not number.is_finite():
        ctx.err(path, "应为有限的数字")
        return None
    return number


def field_list(ctx, node, key, path, *, required=True) -> list | None:
    if key not in node:
        return [] if not required else None
    value = node[key]
    if not isinstance(value, list):
        ctx.err(join_path(path, key), "应为列表")
        return None
    return value


def field_codes(ctx, node, key, path, allowed: tuple | None = None, pattern=None) -> tuple:
    values = field_list(ctx, node, key, path)
    if not values:
        if values is not None:
            ctx.err(join_path(path, key), "至少需要一项")
        return ()
    result = []
    for index, value in enumerate(values):
        where = join_path(join_path(path, key), index)
        if not isinstance(value, str) or (allowed is not None and value not in allowed):
            hint = f"，应为 {' / '.join(allowed)} 之一" if allowed else ""
            ctx.err(where, f"无效的值 {value!r}{hint}")
        elif pattern is not None and not pattern.match(value):
            ctx.err(where, f"格式不正确：{value!r}")
        elif value in result:
            ctx.err(where, f"重复的值 {value!r}")
        else:
            result.append(value)
    return tuple(result)


# --- files -------------------------------------------------------------------------


def read_yaml(path: Path, errors: list[str]) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_StrictLoader)  # noqa: S506 - SafeLoader subclass
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        errors.append(f"{path.name}: YAML 无法解析：{exc}")
    except OSError as exc:
        errors.append(f"{path.name}: 无法读取：{exc}")
    return None

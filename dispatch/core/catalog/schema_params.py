"""Schema of a method's parameters and their checks in evidence_specs/_methods.yaml (part
of :mod:`dispatch.core.catalog.schema`): kinds, choices, list tables with their own fields,
and the cross-parameter checks."""

from __future__ import annotations

from typing import Any

from dispatch.core.catalog.fields import (
    KEY,
    Ctx,
    field_bool,
    field_choice,
    field_decimal,
    field_list,
    field_mapping,
    field_text,
    join_path,
)

KINDS = ("decimal", "integer", "choice", "list", "text")
CHECK_RULES = ("not_above", "not_below")


def read_param(ctx: Ctx, node: Any, path: str, *, nested: bool) -> dict | None:
    keys = (
        "unit", "min", "max", "min_inclusive", "max_inclusive", "required", "default",
        "help_zh", "choices", "fields", "coefficient",
    )  # fmt: skip
    node = field_mapping(ctx, node, path, ("key", "label_zh", "kind"), keys)
    if node is None:
        return None
    # A list's rows are flat: a list inside a list is not supported.
    kinds = tuple(k for k in KINDS if k != "list") if nested else KINDS
    kind = field_choice(ctx, node, "kind", path, kinds)
    param = {
        "key": field_text(ctx, node, "key", path, pattern=KEY),
        "label_zh": field_text(ctx, node, "label_zh", path),
        "unit": field_text(ctx, node, "unit", path, required=False),
        "kind": kind,
        "min_inclusive": field_bool(ctx, node, "min_inclusive", path, True),
        "max_inclusive": field_bool(ctx, node, "max_inclusive", path, True),
        "required": field_bool(ctx, node, "required", path, True),
        "help_zh": field_text(ctx, node, "help_zh", path, required=False),
        "coefficient": field_text(ctx, node, "coefficient", path, required=False, default=None),
        "min": None, "max": None, "default": None, "choices": (), "fields": (),
    }  # fmt: skip
    numeric = kind in ("decimal", "integer")
    for bound in ("min", "max", "default"):
        if bound in node and node[bound] is not None:
            if bound != "default" and not numeric:
                ctx.err(join_path(path, bound), f"只有数值参数可以设置范围（kind 为 {kind}）")
            elif numeric:
                param[bound] = field_decimal(ctx, node[bound], join_path(path, bound))
                if kind == "integer" and param[bound] is not None and param[bound] % 1:
                    ctx.err(join_path(path, bound), "整数参数的取值应为整数")
            else:
                param[bound] = node[bound]
    if param["min"] is not None and param["max"] is not None and param["min"] > param["max"]:
        ctx.err(join_path(path, "max"), "上限小于下限")
    if param["coefficient"] is not None and not numeric:
        ctx.err(join_path(path, "coefficient"), "只有数值参数可以引用系数")
    if kind == "choice":
        param["choices"] = param_choices(ctx, node, path)
        values = [value for value, _label in param["choices"]]
        if param["default"] is not None and param["default"] not in values:
            ctx.err(join_path(path, "default"), f"默认值 {param['default']!r} 不在选项中")
    elif "choices" in node:
        ctx.err(join_path(path, "choices"), "只有 choice 参数可以有选项")
    if kind == "list":
        param["fields"] = read_params(ctx, node, "fields", path, nested=True)
    elif "fields" in node:
        ctx.err(join_path(path, "fields"), "只有 list 参数可以有字段")
    return param


def param_choices(ctx: Ctx, node: dict, path: str) -> tuple:
    raw = field_list(ctx, node, "choices", path)
    if not raw:
        if raw is not None:
            ctx.err(join_path(path, "choices"), "至少需要一个选项")
        return ()
    choices: list[tuple[str, str]] = []
    for index, choice in enumerate(raw):
        where = join_path(join_path(path, "choices"), index)
        choice = field_mapping(ctx, choice, where, ("value", "label_zh"), ())
        if choice is None:
            continue
        value, label = (
            field_text(ctx, choice, "value", where),
            field_text(ctx, choice, "label_zh", where),
        )
        if value in [v for v, _l in choices]:
            ctx.err(join_path(where, "value"), f"重复的选项 {value!r}")
        elif value and label:
            choices.append((value, label))
    return tuple(choices)


def read_params(ctx: Ctx, node: dict, key: str, path: str, *, nested: bool = False) -> tuple:
    raw = field_list(ctx, node, key, path)
    if not raw:
        if raw is not None:
            ctx.err(join_path(path, key), "至少需要一个参数")
        return ()
    params: list[dict] = []
    for index, item in enumerate(raw):
        param = read_param(ctx, item, join_path(join_path(path, key), index), nested=nested)
        if param is None:
            continue
        if param["key"] in [p["key"] for p in params]:
            ctx.err(
                join_path(join_path(join_path(path, key), index), "key"),
                f"重复的参数 {param['key']!r}",
            )
        else:
            params.append(param)
    return tuple(params)


def read_checks(ctx: Ctx, node: dict, path: str, params: tuple) -> tuple:
    checks = []
    by_key = {p["key"]: p for p in params}
    for index, raw in enumerate(field_list(ctx, node, "checks", path, required=False) or ()):
        where = join_path(join_path(path, "checks"), index)
        raw = field_mapping(ctx, raw, where, ("rule", "param", "than"), ("list",))
        if raw is None:
            continue
        check = {
            "rule": field_choice(ctx, raw, "rule", where, CHECK_RULES),
            "param": field_text(ctx, raw, "param", where),
            "than": field_text(ctx, raw, "than", where),
            "list": field_text(ctx, raw, "list", where, required=False, default=None),
        }
        scope = by_key
        if check["list"] is not None:
            owner = by_key.get(check["list"])
            if owner is None or owner["kind"] != "list":
                ctx.err(join_path(where, "list"), f"未定义的明细表参数 {check['list']!r}")
                continue
            scope = {f["key"]: f for f in owner["fields"]}
        for side in ("param", "than"):
            target = scope.get(check[side])
            if target is None or target["kind"] not in ("decimal", "integer"):
                ctx.err(join_path(where, side), f"未定义的数值参数 {check[side]!r}")
                break
        else:
            checks.append(check)
    return tuple(checks)

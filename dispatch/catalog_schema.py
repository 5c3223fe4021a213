"""Schema of the evidence_specs/ catalog: reads the YAML files and checks every key.

Hand-written rather than a JSON-schema library for two reasons: every message must name
the file and the key path in words a provincial editor understands, and most rules cross
files (a type naming a method, a condition naming a method of that type, a parameter
naming a coefficient). All problems are collected, not just the first, so one run of
`dispatch catalog check` lists everything to fix.

The output is plain, normalised Python data; `dispatch.catalog` turns it into frozen
objects. This module knows nothing about those objects, which keeps the import one-way.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

COMMON_FILE = "_common_items.yaml"
METHODS_FILE = "_methods.yaml"
COEFFICIENTS_FILE = "_coefficients.yaml"
SHARED_FILES = (COMMON_FILE, METHODS_FILE, COEFFICIENTS_FILE)

STAGES = ("plan", "construction", "completion", "operation")
POLLUTANTS = ("COD", "NH3N", "NOx", "VOCs")
MEDIUM_POLLUTANTS = {"water": ("COD", "NH3N"), "air": ("NOx", "VOCs")}
KINDS = ("decimal", "integer", "choice", "list", "text")
REQUIREMENTS = ("required", "optional", "conditional")
CHECK_RULES = ("not_above", "not_below")
WHEN_KEYS = ("method",)
VEHICLE_COLUMNS = ("annual_km", "nox_factor", "voc_factor")

# Type codes end up inside project codes ("370102-2025-W1-003"), so no hyphen.
TYPE_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")
ITEM_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,15}$")
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
FORMAT = re.compile(r"^[a-z0-9]{1,8}$")


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


class _Ctx:
    """Where we are (file) and the shared list of problems."""

    def __init__(self, file: str, errors: list[str]):
        self.file = file
        self.errors = errors

    def err(self, path: str, message: str) -> None:
        self.errors.append(f"{self.file}: {path}: {message}" if path else f"{self.file}: {message}")


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _mapping(
    ctx: _Ctx, node: Any, path: str, required: tuple = (), optional: tuple | None = None
) -> dict | None:
    """Check that node is a mapping with these keys; optional=None allows any other key."""
    if not isinstance(node, dict):
        ctx.err(path, "应为映射（键: 值）")
        return None
    for key in node if optional is not None else ():
        if key not in required and key not in optional:
            ctx.err(_join(path, str(key)), f"未知的键 {key!r}")
    for key in required:
        if key not in node:
            ctx.err(_join(path, key), "缺少必填的键")
    return node


def _text(ctx, node, key, path, *, required=True, pattern=None, default="") -> str | None:
    if key not in node or node[key] is None:
        return None if required else default
    value = node[key]
    if not isinstance(value, str) or (required and not value.strip()):
        ctx.err(_join(path, key), "应为非空文本")
        return None
    if pattern is not None and not pattern.match(value):
        ctx.err(_join(path, key), f"格式不正确：{value!r}")
        return None
    return value


def _choice(ctx, node, key, path, allowed: tuple, *, default=None) -> str | None:
    if key not in node:
        return default
    value = node[key]
    if value not in allowed:
        ctx.err(_join(path, key), f"应为 {' / '.join(allowed)} 之一，而不是 {value!r}")
        return None
    return value


def _bool(ctx, node, key, path, default: bool) -> bool:
    value = node.get(key, default)
    if not isinstance(value, bool):
        ctx.err(_join(path, key), "应为 true 或 false")
        return default
    return value


def _int(ctx, node, key, path, *, default=None, minimum=None) -> int | None:
    value = node.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        ctx.err(_join(path, key), "应为整数")
        return None
    if minimum is not None and value < minimum:
        ctx.err(_join(path, key), f"应不小于 {minimum}")
        return None
    return value


def _decimal(ctx, value: Any, path: str) -> Decimal | None:
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


def _list(ctx, node, key, path, *, required=True) -> list | None:
    if key not in node:
        return [] if not required else None
    value = node[key]
    if not isinstance(value, list):
        ctx.err(_join(path, key), "应为列表")
        return None
    return value


def _codes(ctx, node, key, path, allowed: tuple | None = None, pattern=None) -> tuple:
    values = _list(ctx, node, key, path)
    if not values:
        if values is not None:
            ctx.err(_join(path, key), "至少需要一项")
        return ()
    result = []
    for index, value in enumerate(values):
        where = _join(_join(path, key), index)
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


def _param(ctx: _Ctx, node: Any, path: str, *, nested: bool) -> dict | None:
    keys = (
        "unit", "min", "max", "min_inclusive", "max_inclusive", "required", "default",
        "help_zh", "choices", "fields", "coefficient",
    )  # fmt: skip
    node = _mapping(ctx, node, path, ("key", "label_zh", "kind"), keys)
    if node is None:
        return None
    # A list's rows are flat: a list inside a list is not supported.
    kinds = tuple(k for k in KINDS if k != "list") if nested else KINDS
    kind = _choice(ctx, node, "kind", path, kinds)
    param = {
        "key": _text(ctx, node, "key", path, pattern=KEY),
        "label_zh": _text(ctx, node, "label_zh", path),
        "unit": _text(ctx, node, "unit", path, required=False),
        "kind": kind,
        "min_inclusive": _bool(ctx, node, "min_inclusive", path, True),
        "max_inclusive": _bool(ctx, node, "max_inclusive", path, True),
        "required": _bool(ctx, node, "required", path, True),
        "help_zh": _text(ctx, node, "help_zh", path, required=False),
        "coefficient": _text(ctx, node, "coefficient", path, required=False, default=None),
        "min": None, "max": None, "default": None, "choices": (), "fields": (),
    }  # fmt: skip
    numeric = kind in ("decimal", "integer")
    for bound in ("min", "max", "default"):
        if bound in node and node[bound] is not None:
            if bound != "default" and not numeric:
                ctx.err(_join(path, bound), f"只有数值参数可以设置范围（kind 为 {kind}）")
            elif numeric:
                param[bound] = _decimal(ctx, node[bound], _join(path, bound))
                if kind == "integer" and param[bound] is not None and param[bound] % 1:
                    ctx.err(_join(path, bound), "整数参数的取值应为整数")
            else:
                param[bound] = node[bound]
    if param["min"] is not None and param["max"] is not None and param["min"] > param["max"]:
        ctx.err(_join(path, "max"), "上限小于下限")
    if param["coefficient"] is not None and not numeric:
        ctx.err(_join(path, "coefficient"), "只有数值参数可以引用系数")
    if kind == "choice":
        param["choices"] = _param_choices(ctx, node, path)
        values = [value for value, _label in param["choices"]]
        if param["default"] is not None and param["default"] not in values:
            ctx.err(_join(path, "default"), f"默认值 {param['default']!r} 不在选项中")
    elif "choices" in node:
        ctx.err(_join(path, "choices"), "只有 choice 参数可以有选项")
    if kind == "list":
        param["fields"] = _params(ctx, node, "fields", path, nested=True)
    elif "fields" in node:
        ctx.err(_join(path, "fields"), "只有 list 参数可以有字段")
    return param


def _param_choices(ctx: _Ctx, node: dict, path: str) -> tuple:
    raw = _list(ctx, node, "choices", path)
    if not raw:
        if raw is not None:
            ctx.err(_join(path, "choices"), "至少需要一个选项")
        return ()
    choices: list[tuple[str, str]] = []
    for index, choice in enumerate(raw):
        where = _join(_join(path, "choices"), index)
        choice = _mapping(ctx, choice, where, ("value", "label_zh"), ())
        if choice is None:
            continue
        value, label = _text(ctx, choice, "value", where), _text(ctx, choice, "label_zh", where)
        if value in [v for v, _l in choices]:
            ctx.err(_join(where, "value"), f"重复的选项 {value!r}")
        elif value and label:
            choices.append((value, label))
    return tuple(choices)


def _params(ctx: _Ctx, node: dict, key: str, path: str, *, nested: bool = False) -> tuple:
    raw = _list(ctx, node, key, path)
    if not raw:
        if raw is not None:
            ctx.err(_join(path, key), "至少需要一个参数")
        return ()
    params: list[dict] = []
    for index, item in enumerate(raw):
        param = _param(ctx, item, _join(_join(path, key), index), nested=nested)
        if param is None:
            continue
        if param["key"] in [p["key"] for p in params]:
            ctx.err(_join(_join(_join(path, key), index), "key"), f"重复的参数 {param['key']!r}")
        else:
            params.append(param)
    return tuple(params)


def _checks(ctx: _Ctx, node: dict, path: str, params: tuple) -> tuple:
    checks = []
    by_key = {p["key"]: p for p in params}
    for index, raw in enumerate(_list(ctx, node, "checks", path, required=False) or ()):
        where = _join(_join(path, "checks"), index)
        raw = _mapping(ctx, raw, where, ("rule", "param", "than"), ("list",))
        if raw is None:
            continue
        check = {
            "rule": _choice(ctx, raw, "rule", where, CHECK_RULES),
            "param": _text(ctx, raw, "param", where),
            "than": _text(ctx, raw, "than", where),
            "list": _text(ctx, raw, "list", where, required=False, default=None),
        }
        scope = by_key
        if check["list"] is not None:
            owner = by_key.get(check["list"])
            if owner is None or owner["kind"] != "list":
                ctx.err(_join(where, "list"), f"未定义的明细表参数 {check['list']!r}")
                continue
            scope = {f["key"]: f for f in owner["fields"]}
        for side in ("param", "than"):
            target = scope.get(check[side])
            if target is None or target["kind"] not in ("decimal", "integer"):
                ctx.err(_join(where, side), f"未定义的数值参数 {check[side]!r}")
                break
        else:
            checks.append(check)
    return tuple(checks)


def read_methods(path: Path, errors: list[str]) -> dict[str, dict]:
    ctx = _Ctx(path.name, errors)
    root = _mapping(ctx, read_yaml(path, errors), "", ("methods",), ())
    if root is None or _mapping(ctx, root.get("methods"), "methods") is None:
        return {}
    methods: dict[str, dict] = {}
    for key, node in root["methods"].items():
        where = _join("methods", str(key))
        if not isinstance(key, str) or not KEY.match(key):
            ctx.err(where, f"方法键格式不正确：{key!r}")
            continue
        node = _mapping(
            ctx, node, where, ("name_zh", "medium", "pollutants", "params"),
            ("name_en", "formula", "checks"),
        )  # fmt: skip
        if node is None:
            continue
        params = _params(ctx, node, "params", where)
        methods[key] = {
            "key": key,
            "name_zh": _text(ctx, node, "name_zh", where),
            "name_en": _text(ctx, node, "name_en", where, required=False),
            "medium": _choice(ctx, node, "medium", where, tuple(MEDIUM_POLLUTANTS)),
            "pollutants": _codes(ctx, node, "pollutants", where, POLLUTANTS),
            "formula": _text(ctx, node, "formula", where, required=False),
            "params": params,
            "checks": _checks(ctx, node, where, params),
        }
    return methods


def read_coefficients(path: Path, errors: list[str]) -> dict:
    ctx = _Ctx(path.name, errors)
    result: dict = {"example": True, "note_zh": "", "factors": {}, "pig_equivalents": {}}
    result["vehicle_factors"] = {}
    root = _mapping(
        ctx, read_yaml(path, errors), "", ("factors",),
        ("example", "note_zh", "pig_equivalents", "vehicle_factors"),
    )  # fmt: skip
    if root is None:
        return result
    result["example"] = _bool(ctx, root, "example", "", True)
    result["note_zh"] = _text(ctx, root, "note_zh", "", required=False)
    for key, node in (_mapping(ctx, root.get("factors"), "factors") or {}).items():
        where = _join("factors", str(key))
        node = _mapping(ctx, node, where, ("label_zh", "unit", "value"), ("example", "source"))
        if node is None or not KEY.match(str(key)):
            if node is not None:
                ctx.err(where, f"系数键格式不正确：{key!r}")
            continue
        value = _decimal(ctx, node["value"], _join(where, "value"))
        if value is not None and value < 0:
            ctx.err(_join(where, "value"), "系数不能为负")
        result["factors"][key] = {
            "key": key,
            "label_zh": _text(ctx, node, "label_zh", where),
            "unit": _text(ctx, node, "unit", where, required=False),
            "value": value,
            "example": _bool(ctx, node, "example", where, result["example"]),
            "source": _text(ctx, node, "source", where, required=False),
        }
    species = _mapping(ctx, root.get("pig_equivalents", {}), "pig_equivalents") or {}
    for key, node in species.items():
        where = _join("pig_equivalents", str(key))
        node = _mapping(ctx, node, where, ("label_zh", "heads", "pig_equivalents"), ())
        if node is not None:
            result["pig_equivalents"][key] = {
                "species": key,
                "label_zh": _text(ctx, node, "label_zh", where),
                "heads": _int(ctx, node, "heads", where, minimum=1),
                "pig_equivalents": _int(ctx, node, "pig_equivalents", where, minimum=1),
            }
    for index, node in enumerate(_list(ctx, root, "vehicle_factors", "", required=False) or ()):
        where = _join("vehicle_factors", index)
        node = _mapping(ctx, node, where, ("category", "standard"), (*VEHICLE_COLUMNS, "example"))
        if node is None:
            continue
        line = {
            "category": _text(ctx, node, "category", where),
            "standard": _text(ctx, node, "standard", where),
            "example": _bool(ctx, node, "example", where, result["example"]),
        }
        for column in VEHICLE_COLUMNS:
            if column in node:
                line[column] = _decimal(ctx, node[column], _join(where, column))
        pair = (line["category"], line["standard"])
        if pair in result["vehicle_factors"]:
            ctx.err(where, f"重复的车型和排放标准 {pair[0]} / {pair[1]}")
        result["vehicle_factors"][pair] = line
    return result


def _item(ctx: _Ctx, node: Any, path: str, defaults: dict) -> dict | None:
    node = _mapping(
        ctx, node, path, ("code", "name_zh", "stage", "requirement", "min_files"),
        ("name_en", "condition", "when", "formats", "max_file_mb", "reviewer_checks"),
    )  # fmt: skip
    if node is None:
        return None
    item = {
        "code": _text(ctx, node, "code", path, pattern=ITEM_CODE),
        "name_zh": _text(ctx, node, "name_zh", path),
        "name_en": _text(ctx, node, "name_en", path, required=False),
        "stage": _choice(ctx, node, "stage", path, STAGES),
        "requirement": _choice(ctx, node, "requirement", path, REQUIREMENTS),
        "condition": _text(ctx, node, "condition", path, required=False, default=None),
        "min_files": _int(ctx, node, "min_files", path, minimum=1),
        "max_file_mb": _int(ctx, node, "max_file_mb", path, minimum=1)
        or defaults.get("max_file_mb", 200),
        "reviewer_checks": _text(ctx, node, "reviewer_checks", path, required=False),
        "formats": defaults.get("formats", ()),
        "when": None,
    }
    if "formats" in node:
        item["formats"] = _codes(ctx, node, "formats", path, pattern=FORMAT)
    if item["requirement"] == "conditional" and not item["condition"]:
        ctx.err(_join(path, "condition"), "conditional 条目必须用文字写明条件")
    if "when" in node:
        when = _mapping(ctx, node["when"], _join(path, "when"), (), WHEN_KEYS)
        if when is not None:
            methods = when.get("method")
            if methods is None:
                ctx.err(_join(path, "when"), "条件不能为空")
            else:
                methods = [methods] if isinstance(methods, str) else methods
                item["when"] = {"method": _codes(ctx, {"method": methods}, "method", path)}
    return item


def _items(ctx: _Ctx, node: dict, key: str, path: str, defaults: dict) -> list[dict]:
    items = []
    for index, raw in enumerate(_list(ctx, node, key, path, required=False) or ()):
        item = _item(ctx, raw, _join(_join(path, key), index), defaults)
        if item is not None:
            item["path"] = _join(_join(path, key), index)
            items.append(item)
    return items


def read_common(path: Path, errors: list[str]) -> tuple[dict, list[dict]]:
    ctx = _Ctx(path.name, errors)
    root = _mapping(ctx, read_yaml(path, errors), "", ("items",), ("defaults",))
    if root is None:
        return {}, []
    defaults: dict = {"formats": ("pdf", "jpg", "png", "xlsx", "docx", "ofd"), "max_file_mb": 200}
    raw = _mapping(ctx, root.get("defaults", {}), "defaults", (), ("formats", "max_file_mb"))
    if raw:
        if "formats" in raw:
            defaults["formats"] = _codes(ctx, raw, "formats", "defaults", pattern=FORMAT)
        defaults["max_file_mb"] = _int(ctx, raw, "max_file_mb", "defaults", default=200, minimum=1)
    return defaults, _items(ctx, root, "items", "", defaults)


def read_type(path: Path, errors: list[str], defaults: dict) -> dict | None:
    ctx = _Ctx(path.name, errors)
    node = _mapping(
        ctx, read_yaml(path, errors), "",
        ("code", "order", "name_zh", "medium", "pollutants", "methods"),
        ("name_en", "evidence_items"),
    )  # fmt: skip
    if node is None:
        return None
    medium = _choice(ctx, node, "medium", "", tuple(MEDIUM_POLLUTANTS))
    pollutants = _codes(ctx, node, "pollutants", "", POLLUTANTS)
    if medium is not None:
        for index, pollutant in enumerate(pollutants):
            if pollutant not in MEDIUM_POLLUTANTS[medium]:
                ctx.err(f"pollutants[{index}]", f"{pollutant} 不属于介质 {medium}")
    return {
        "file": path.name,
        "code": _text(ctx, node, "code", "", pattern=TYPE_CODE),
        "order": _int(ctx, node, "order", ""),
        "name_zh": _text(ctx, node, "name_zh", ""),
        "name_en": _text(ctx, node, "name_en", "", required=False),
        "medium": medium,
        "pollutants": pollutants,
        "methods": _codes(ctx, node, "methods", "", pattern=KEY),
        "items": _items(ctx, node, "evidence_items", "", defaults),
    }


# --- the whole directory --------------------------------------------------------------


def read_catalog(directory: Path) -> dict:
    """Read and check a catalog directory; raise SchemaError listing every problem."""
    errors: list[str] = []
    if not directory.is_dir():
        raise SchemaError([f"{directory}: 目录不存在"])
    files = sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml"))
    for path in files:
        if path.name.startswith("_") and path.name not in SHARED_FILES:
            errors.append(f"{path.name}: 未知的共用文件（只允许 {', '.join(SHARED_FILES)}）")
    for name in SHARED_FILES:
        if not (directory / name).is_file():
            errors.append(f"{name}: 缺少必需的文件")
    if errors:
        raise SchemaError(errors)

    defaults, common = read_common(directory / COMMON_FILE, errors)
    methods = read_methods(directory / METHODS_FILE, errors)
    coefficients = read_coefficients(directory / COEFFICIENTS_FILE, errors)
    types = []
    for path in files:
        if not path.name.startswith("_"):
            parsed = read_type(path, errors, defaults)
            if parsed is not None:
                types.append(parsed)
    if not types:
        errors.append(f"{directory}: 没有任何工程类型文件")
    _cross_check(errors, common, methods, coefficients, types)
    if errors:
        raise SchemaError(errors)
    types.sort(key=lambda t: (t["order"], t["code"]))
    return {"common": common, "methods": methods, "coefficients": coefficients, "types": types}


def _cross_check(errors, common, methods, coefficients, types) -> None:
    """Rules that span files: references between types, methods and coefficients."""
    ctx = _Ctx(METHODS_FILE, errors)
    for key, method in methods.items():
        for index, param in enumerate(method["params"]):
            where = f"methods.{key}.params[{index}]"
            for sub, field in [(None, param), *enumerate(param["fields"])]:
                path = where if sub is None else f"{where}.fields[{sub}]"
                ref = field["coefficient"]
                if ref is None:
                    continue
                column = ref.removeprefix("vehicle_factors.")
                if ref.startswith("vehicle_factors."):
                    if column not in VEHICLE_COLUMNS:
                        ctx.err(f"{path}.coefficient", f"未知的车辆系数列 {column!r}")
                elif ref not in coefficients["factors"]:
                    ctx.err(f"{path}.coefficient", f"{COEFFICIENTS_FILE} 中没有系数 {ref!r}")
    seen_codes: dict[str, str] = {}
    seen_orders: dict[int, str] = {}
    for parsed in types:
        ctx = _Ctx(parsed["file"], errors)
        code = parsed["code"]
        if code in seen_codes:
            ctx.err("code", f"工程类型代码 {code!r} 与 {seen_codes[code]} 重复")
        seen_codes.setdefault(code, parsed["file"])
        if parsed["order"] in seen_orders:
            ctx.err("order", f"排序号 {parsed['order']} 与 {seen_orders[parsed['order']]} 重复")
        seen_orders.setdefault(parsed["order"], parsed["file"])
        for index, key in enumerate(parsed["methods"]):
            method = methods.get(key)
            if method is None:
                ctx.err(f"methods[{index}]", f"未定义的核算方法 {key!r}（见 {METHODS_FILE}）")
                continue
            if method["medium"] != parsed["medium"]:
                ctx.err(f"methods[{index}]", f"核算方法 {key!r} 的介质与本类型不一致")
            extra = set(method["pollutants"]) - set(parsed["pollutants"])
            if extra:
                ctx.err(
                    f"methods[{index}]",
                    f"核算方法 {key!r} 计算的污染物 {sorted(extra)} 不在本类型中",
                )
        item_codes: set[str] = {item["code"] for item in common}
        for item in parsed["items"]:
            if item["code"] in item_codes:
                ctx.err(f"{item['path']}.code", f"条目编号 {item['code']!r} 重复（含公共条目）")
            item_codes.add(item["code"])
            for method_key in (item["when"] or {}).get("method", ()):
                if method_key not in methods:
                    ctx.err(
                        f"{item['path']}.when.method", f"条件引用了未定义的核算方法 {method_key!r}"
                    )
                elif method_key not in parsed["methods"]:
                    ctx.err(
                        f"{item['path']}.when.method",
                        f"条件引用的核算方法 {method_key!r} 不在本类型的 methods 中",
                    )
    for item in common:
        if item["when"] is not None:
            _Ctx(COMMON_FILE, errors).err(f"{item['path']}.when", "公共条目不能按核算方法设条件")

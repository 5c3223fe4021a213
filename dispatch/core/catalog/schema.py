"""Schema of the evidence_specs/ catalog: reads the YAML files and checks every key.

Hand-written rather than a JSON-schema library for two reasons: every message must name
the file and the key path in words a provincial editor understands, and most rules cross
files (a type naming a method, a condition naming a method of that type, a parameter
naming a coefficient). All problems are collected, not just the first, so one run of
`dispatch catalog check` lists everything to fix.

The output is plain, normalised Python data; `dispatch.core.catalog` turns it into frozen
objects. This module knows nothing about those objects, which keeps the import one-way.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from dispatch.core import pollutants
from dispatch.core.catalog.coefficients import VEHICLE_COLUMNS, read_coefficients
from dispatch.core.catalog.fields import (
    KEY,
    Ctx,
    SchemaError,
    field_choice,
    field_codes,
    field_int,
    field_list,
    field_mapping,
    field_text,
    join_path,
    read_yaml,
)
from dispatch.core.catalog.schema_params import read_checks, read_params

COMMON_FILE = "_common_items.yaml"
METHODS_FILE = "_methods.yaml"
COEFFICIENTS_FILE = "_coefficients.yaml"
SHARED_FILES = (COMMON_FILE, METHODS_FILE, COEFFICIENTS_FILE)

STAGES = ("plan", "construction", "completion", "operation")
POLLUTANTS = pollutants.CODES  # the codes a YAML file may name, per medium below
MEDIUM_POLLUTANTS = pollutants.MEDIUM_CODES
REQUIREMENTS = ("required", "optional", "conditional")
FILLERS = ("user", "system")  # system: the calculation sheet the confirmation files
WHEN_KEYS = ("method",)

# Type codes end up inside project codes ("370102-2025-W1-003"), so no hyphen.
TYPE_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")
ITEM_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,15}$")
FORMAT = re.compile(r"^[a-z0-9]{1,8}$")


def read_methods(path: Path, errors: list[str]) -> dict[str, dict]:
    ctx = Ctx(path.name, errors)
    root = field_mapping(ctx, read_yaml(path, errors), "", ("methods",), ())
    if root is None or field_mapping(ctx, root.get("methods"), "methods") is None:
        return {}
    methods: dict[str, dict] = {}
    for key, node in root["methods"].items():
        where = join_path("methods", str(key))
        if not isinstance(key, str) or not KEY.match(key):
            ctx.err(where, f"方法键格式不正确：{key!r}")
            continue
        node = field_mapping(
            ctx, node, where, ("name_zh", "medium", "pollutants", "params"),
            ("name_en", "formula", "checks"),
        )  # fmt: skip
        if node is None:
            continue
        params = read_params(ctx, node, "params", where)
        methods[key] = {
            "key": key,
            "name_zh": field_text(ctx, node, "name_zh", where),
            "name_en": field_text(ctx, node, "name_en", where, required=False),
            "medium": field_choice(ctx, node, "medium", where, tuple(MEDIUM_POLLUTANTS)),
            "pollutants": field_codes(ctx, node, "pollutants", where, POLLUTANTS),
            "formula": field_text(ctx, node, "formula", where, required=False),
            "params": params,
            "checks": read_checks(ctx, node, where, params),
        }
    return methods


def _item(ctx: Ctx, node: Any, path: str, defaults: dict) -> dict | None:
    node = field_mapping(
        ctx, node, path, ("code", "name_zh", "stage", "requirement", "min_files"),
        ("name_en", "condition", "when", "formats", "max_file_mb", "reviewer_checks",
         "filled_by"),
    )  # fmt: skip
    if node is None:
        return None
    item = {
        "code": field_text(ctx, node, "code", path, pattern=ITEM_CODE),
        "name_zh": field_text(ctx, node, "name_zh", path),
        "name_en": field_text(ctx, node, "name_en", path, required=False),
        "stage": field_choice(ctx, node, "stage", path, STAGES),
        "requirement": field_choice(ctx, node, "requirement", path, REQUIREMENTS),
        "condition": field_text(ctx, node, "condition", path, required=False, default=None),
        "min_files": field_int(ctx, node, "min_files", path, minimum=1),
        "max_file_mb": field_int(ctx, node, "max_file_mb", path, minimum=1)
        or defaults.get("max_file_mb", 200),
        "reviewer_checks": field_text(ctx, node, "reviewer_checks", path, required=False),
        "filled_by": field_choice(ctx, node, "filled_by", path, FILLERS, default="user"),
        "formats": defaults.get("formats", ()),
        "when": None,
    }
    if "formats" in node:
        item["formats"] = field_codes(ctx, node, "formats", path, pattern=FORMAT)
    if item["requirement"] == "conditional" and not item["condition"]:
        ctx.err(join_path(path, "condition"), "conditional 条目必须用文字写明条件")
    if item["filled_by"] == "system" and item["stage"] != "operation":
        ctx.err(join_path(path, "filled_by"), "系统生成的条目（削减量计算书）只能属于运行阶段")
    if "when" in node:
        when = field_mapping(ctx, node["when"], join_path(path, "when"), (), WHEN_KEYS)
        if when is not None:
            methods = when.get("method")
            if methods is None:
                ctx.err(join_path(path, "when"), "条件不能为空")
            else:
                methods = [methods] if isinstance(methods, str) else methods
                item["when"] = {"method": field_codes(ctx, {"method": methods}, "method", path)}
    return item


def _items(ctx: Ctx, node: dict, key: str, path: str, defaults: dict) -> list[dict]:
    items = []
    for index, raw in enumerate(field_list(ctx, node, key, path, required=False) or ()):
        item = _item(ctx, raw, join_path(join_path(path, key), index), defaults)
        if item is not None:
            item["path"] = join_path(join_path(path, key), index)
            items.append(item)
    return items


def read_common(path: Path, errors: list[str]) -> tuple[dict, list[dict]]:
    ctx = Ctx(path.name, errors)
    root = field_mapping(ctx, read_yaml(path, errors), "", ("items",), ("defaults",))
    if root is None:
        return {}, []
    defaults: dict = {"formats": ("pdf", "jpg", "png", "xlsx", "docx", "ofd"), "max_file_mb": 200}
    raw = field_mapping(ctx, root.get("defaults", {}), "defaults", (), ("formats", "max_file_mb"))
    if raw:
        if "formats" in raw:
            defaults["formats"] = field_codes(ctx, raw, "formats", "defaults", pattern=FORMAT)
        defaults["max_file_mb"] = field_int(
            ctx, raw, "max_file_mb", "defaults", default=200, minimum=1
        )
    return defaults, _items(ctx, root, "items", "", defaults)


def read_type(path: Path, errors: list[str], defaults: dict) -> dict | None:
    ctx = Ctx(path.name, errors)
    node = field_mapping(
        ctx, read_yaml(path, errors), "",
        ("code", "order", "name_zh", "medium", "pollutants", "methods"),
        ("name_en", "evidence_items"),
    )  # fmt: skip
    if node is None:
        return None
    medium = field_choice(ctx, node, "medium", "", tuple(MEDIUM_POLLUTANTS))
    pollutants = field_codes(ctx, node, "pollutants", "", POLLUTANTS)
    if medium is not None:
        for index, pollutant in enumerate(pollutants):
            if pollutant not in MEDIUM_POLLUTANTS[medium]:
                ctx.err(f"pollutants[{index}]", f"{pollutant} 不属于介质 {medium}")
    return {
        "file": path.name,
        "code": field_text(ctx, node, "code", "", pattern=TYPE_CODE),
        "order": field_int(ctx, node, "order", ""),
        "name_zh": field_text(ctx, node, "name_zh", ""),
        "name_en": field_text(ctx, node, "name_en", "", required=False),
        "medium": medium,
        "pollutants": pollutants,
        "methods": field_codes(ctx, node, "methods", "", pattern=KEY),
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
    ctx = Ctx(METHODS_FILE, errors)
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
        ctx = Ctx(parsed["file"], errors)
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
        system = [i["code"] for i in (*common, *parsed["items"]) if i["filled_by"] == "system"]
        if len(system) > 1:
            ctx.err("evidence_items", f"系统生成的条目至多一个，现有 {'、'.join(system)}")
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
            Ctx(COMMON_FILE, errors).err(f"{item['path']}.when", "公共条目不能按核算方法设条件")

"""Reader of ``_coefficients.yaml``: factors, pig-equivalent ratios, vehicle factor table.

Split from ``catalog_schema`` to keep modules small; the cross-file checks there use
``VEHICLE_COLUMNS`` from here.
"""

from __future__ import annotations

from pathlib import Path

from dispatch.core.catalog.fields import (
    KEY,
    Ctx,
    field_bool,
    field_choice,
    field_decimal,
    field_int,
    field_list,
    field_mapping,
    field_text,
    join_path,
    read_yaml,
)

VEHICLE_COLUMNS = ("annual_km", "nox_factor", "voc_factor")
# The year's credit rule (accounting.md, dispatch.core.accounting.credit): data, so a
# province that credits the whole capacity in the first year changes one line.
MONTHS_AFTER_STABLE = "months_after_stable"
FULL_YEAR = "full_year"
CREDIT_RULES = (MONTHS_AFTER_STABLE, FULL_YEAR)
DEFAULT_CREDIT_RULE = MONTHS_AFTER_STABLE


def read_coefficients(path: Path, errors: list[str]) -> dict:
    ctx = Ctx(path.name, errors)
    result: dict = {"example": True, "note_zh": "", "factors": {}, "pig_equivalents": {}}
    result["vehicle_factors"] = {}
    result["credit_rule"] = DEFAULT_CREDIT_RULE
    root = field_mapping(
        ctx, read_yaml(path, errors), "", ("factors",),
        ("example", "note_zh", "pig_equivalents", "vehicle_factors", "credit_rule"),
    )  # fmt: skip
    if root is None:
        return result
    if "credit_rule" in root:
        result["credit_rule"] = field_choice(ctx, root, "credit_rule", "", CREDIT_RULES)
    result["example"] = field_bool(ctx, root, "example", "", True)
    result["note_zh"] = field_text(ctx, root, "note_zh", "", required=False)
    for key, node in (field_mapping(ctx, root.get("factors"), "factors") or {}).items():
        where = join_path("factors", str(key))
        node = field_mapping(ctx, node, where, ("label_zh", "unit", "value"), ("example", "source"))
        if node is None or not KEY.match(str(key)):
            if node is not None:
                ctx.err(where, f"系数键格式不正确：{key!r}")
            continue
        value = field_decimal(ctx, node["value"], join_path(where, "value"))
        if value is not None and value < 0:
            ctx.err(join_path(where, "value"), "系数不能为负")
        result["factors"][key] = {
            "key": key,
            "label_zh": field_text(ctx, node, "label_zh", where),
            "unit": field_text(ctx, node, "unit", where, required=False),
            "value": value,
            "example": field_bool(ctx, node, "example", where, result["example"]),
            "source": field_text(ctx, node, "source", where, required=False),
        }
    species = field_mapping(ctx, root.get("pig_equivalents", {}), "pig_equivalents") or {}
    for key, node in species.items():
        where = join_path("pig_equivalents", str(key))
        node = field_mapping(ctx, node, where, ("label_zh", "heads", "pig_equivalents"), ())
        if node is not None:
            result["pig_equivalents"][key] = {
                "species": key,
                "label_zh": field_text(ctx, node, "label_zh", where),
                "heads": field_int(ctx, node, "heads", where, minimum=1),
                "pig_equivalents": field_int(ctx, node, "pig_equivalents", where, minimum=1),
            }
    for index, node in enumerate(
        field_list(ctx, root, "vehicle_factors", "", required=False) or ()
    ):
        where = join_path("vehicle_factors", index)
        node = field_mapping(
            ctx, node, where, ("category", "standard"), (*VEHICLE_COLUMNS, "example")
        )
        if node is None:
            continue
        line = {
            "category": field_text(ctx, node, "category", where),
            "standard": field_text(ctx, node, "standard", where),
            "example": field_bool(ctx, node, "example", where, result["example"]),
        }
        for column in VEHICLE_COLUMNS:
            if column in node:
                line[column] = field_decimal(ctx, node[column], join_path(where, column))
        pair = (line["category"], line["standard"])
        if pair in result["vehicle_factors"]:
            ctx.err(where, f"重复的车型和排放标准 {pair[0]} / {pair[1]}")
        result["vehicle_factors"][pair] = line
    return result

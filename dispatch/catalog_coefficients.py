"""Reader of ``_coefficients.yaml``: factors, pig-equivalent ratios, vehicle factor table.

Split from ``catalog_schema`` to keep modules small; the cross-file checks there use
``VEHICLE_COLUMNS`` from here.
"""

from __future__ import annotations

from pathlib import Path

from dispatch.catalog_fields import (
    KEY,
    _bool,
    _Ctx,
    _decimal,
    _int,
    _join,
    _list,
    _mapping,
    _text,
    read_yaml,
)

VEHICLE_COLUMNS = ("annual_km", "nox_factor", "voc_factor")


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

"""What an admin edit changed, for its audit event: apply new values and keep
``{field: [old, new]}`` in a JSON-safe form."""

from __future__ import annotations

from models import RegionKind, Role


def apply_changes(obj: object, values: dict[str, object]) -> dict[str, list[object]]:
    """Apply ``values`` to ``obj`` and return ``{field: [old, new]}`` for those that differ."""
    changed: dict[str, list[object]] = {}
    for key, new in values.items():
        old = getattr(obj, key)
        if old != new:
            changed[key] = [old, new]
            setattr(obj, key, new)
    return changed


def plain(value: object) -> object:
    """Audit details are JSON: enums by value, everything else as is."""
    return value.value if isinstance(value, RegionKind | Role) else value


def jsonable(changed: dict[str, list[object]]) -> dict[str, list[object]]:
    return {key: [plain(v) for v in pair] for key, pair in changed.items()}

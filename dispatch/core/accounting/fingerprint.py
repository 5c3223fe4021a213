"""The fingerprint of the accounting tables a result was computed with.

A SHA-256 over the canonical form of the catalog's accounting part: every method
definition (parameters, units, ranges, checks, formula text) and the coefficient table
(factors, pig-equivalent ratios, vehicle factors, the credit rule). Evidence items and
type names do not change a number, so editing them does not change the fingerprint.

The canonical form is JSON with sorted keys, Decimals as their exact digits, tuples as
lists and mappings keyed by text, so the same YAML gives the same fingerprint on every
machine and Python version. A confirmation stores it; `dispatch account verify` compares
it with today's to report that the catalog changed since (drift is reported, not an
error: the stored inputs and coefficients still reproduce the stored result).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from dispatch.core.catalog import Catalog


def _canonical(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {_key(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, Decimal):
        return f"{value:f}"
    return value


def _key(key: Any) -> str:
    # Vehicle factors are keyed by (category, standard).
    return "/".join(key) if isinstance(key, tuple) else str(key)


def accounting_tables(catalog: Catalog) -> dict[str, Any]:
    """The canonical data the fingerprint is taken over."""
    return {
        "methods": _canonical(catalog.methods),
        "coefficients": _canonical(catalog.coefficients),
    }


def catalog_fingerprint(catalog: Catalog) -> str:
    """SHA-256 (hex) of :func:`accounting_tables`."""
    text = json.dumps(
        accounting_tables(catalog), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()

"""Realistic sample parameters for every accounting method (demo data, tests, forms).

    sample_params("plant_new")                 # the accounting.md worked example 1
    sample_params("plant_new", Decimal("1.5")) # the same plant, 1.5 × the inflow
    sample_for_type("A2")                      # DEFAULT_METHOD["A2"] → fuel_elimination

Keys are the canonical parameter keys of evidence_specs/_methods.yaml; values are strings
(as a form or an import would send them), list parameters are lists of dicts. Where
accounting.md has a worked example the sample is that example, so its reductions are
known (see tests/projects/test_samples.py). Every sample computes without errors and with
positive reductions for every pollutant of its method.
"""

from __future__ import annotations

import copy
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

__all__ = [
    "DEFAULT_METHOD",
    "SAMPLE_PARAMS",
    "SCALED_PARAMS",
    "sample_for_type",
    "sample_params",
]

SAMPLE_PARAMS: dict[str, dict[str, Any]] = {
    # accounting.md example 1: COD 1606.0000, NH3-N 171.5500 t/a
    "plant_new": {
        "inflow": "20000",
        "design_capacity": "2.5",
        "cod_in": "250",
        "cod_out": "30",
        "nh3n_in": "25",
        "nh3n_out": "1.5",
        "days": "365",
    },
    # accounting.md example 8: COD 365.0000, NH3-N 63.8750 t/a
    "plant_upgrade": {
        "inflow": "50000",
        "cod_out_before": "50",
        "cod_out_after": "30",
        "nh3n_out_before": "5",
        "nh3n_out_after": "1.5",
        "days": "365",
    },
    # COD 730.0000, NH3-N 83.2200 t/a
    "network": {
        "inflow_increase": "8000",
        "pipe_length_km": "12.5",
        "cod_in": "280",
        "cod_out": "30",
        "nh3n_in": "30",
        "nh3n_out": "1.5",
        "days": "365",
    },
    # COD 128.7000, NH3-N 12.8700 t/a
    "industrial_treatment": {
        "flow_before": "1500",
        "flow_after": "1200",
        "cod_before": "300",
        "cod_after": "50",
        "nh3n_before": "30",
        "nh3n_after": "5",
        "days": "330",
    },
    # COD 24.0000, NH3-N 2.4000 t/a
    "closure": {
        "flow_before": "400",
        "cod_before": "200",
        "nh3n_before": "20",
        "days": "300",
    },
    # COD 15.8400, NH3-N 2.1120 t/a
    "reuse": {
        "reuse_flow": "800",
        "cod_out": "60",
        "nh3n_out": "8",
        "days": "330",
    },
    # accounting.md example 5: COD 126.0000, NH3-N 6.3000 t/a
    "livestock": {
        "species": "pig",
        "head_count": "10000",
        "cod_coefficient": "36",
        "nh3n_coefficient": "1.8",
        "removal_before": "60",
        "removal_after": "95",
    },
    # COD 38.3250, NH3-N 3.0660 t/a
    "rural_sewage": {
        "population": "5000",
        "cod_per_capita": "40",
        "nh3n_per_capita": "4",
        "collection_rate": "70",
        "cod_removal": "75",
        "nh3n_removal": "60",
        "days": "365",
    },
    # accounting.md example 2: NOx 396.0000 t/a
    "flue_gas": {
        "gas_flow": "500000",
        "nox_before": "150",
        "nox_after": "50",
        "hours": "7920",
    },
    # a 20 t/h coal-fired boiler replaced by gas: NOx 28 − 7.92 = 20.0800 t/a
    "fuel_elimination": {
        "fuel_use": "8000",
        "nox_factor": "3.5",
        "nox_removal": "0",
        "substitute_gas": "450",
        "gas_nox_factor": "17.6",
    },
    # accounting.md example 3: VOCs 60.0000 t/a
    "voc_substitution": {
        "materials": [
            {
                "name": "溶剂型涂料替代为水性涂料",
                "use_before": "120",
                "voc_before": "60",
                "use_after": "120",
                "voc_after": "10",
            }
        ],
    },
    # accounting.md example 4: VOCs 49.2000 t/a
    "voc_treatment": {
        "voc_generated": "80",
        "capture_before": "30",
        "removal_before": "50",
        "capture_after": "90",
        "removal_after": "85",
    },
    # accounting.md example 6: NOx 80.0000, VOCs 5.0000 t/a
    "vehicle_retirement": {
        "fleet": [
            {
                "category": "heavy_diesel_truck",
                "standard": "china3",
                "count": "200",
                "annual_km": "50000",
                "nox_factor": "8.0",
                "voc_factor": "0.5",
            }
        ],
    },
    # accounting.md example 7: NOx 11.2500, VOCs 30.0000 t/a
    "coal_substitution": {
        "households": "3000",
        "coal_per_household": "2.5",
        "nox_factor": "1.5",
        "voc_factor": "4.0",
        "gas_per_household": "0",
        "gas_nox_factor": "17.6",
    },
}

# The default method of each engineering type (the first one a form would offer).
DEFAULT_METHOD: dict[str, str] = {
    "W1": "plant_new",
    "W2": "plant_upgrade",
    "W3": "network",
    "W4": "industrial_treatment",
    "W5": "plant_new",
    "W6": "livestock",
    "W7": "rural_sewage",
    "A1": "flue_gas",
    "A2": "fuel_elimination",
    "A3": "flue_gas",
    "A4": "voc_substitution",
    "A5": "voc_treatment",
    "A6": "vehicle_retirement",
    "A7": "coal_substitution",
}

# The volume or activity parameters that `scale` multiplies, per method. Parameters that
# must move together (before and after flows, fuel and substitute gas) scale together so
# the reductions stay positive; "list.column" scales that column in every row.
SCALED_PARAMS: dict[str, tuple[str, ...]] = {
    "plant_new": ("inflow", "design_capacity"),
    "plant_upgrade": ("inflow",),
    "network": ("inflow_increase", "pipe_length_km"),
    "industrial_treatment": ("flow_before", "flow_after"),
    "closure": ("flow_before",),
    "reuse": ("reuse_flow",),
    "livestock": ("head_count",),
    "rural_sewage": ("population",),
    "flue_gas": ("gas_flow",),
    "fuel_elimination": ("fuel_use", "substitute_gas"),
    "voc_substitution": ("materials.use_before", "materials.use_after"),
    "voc_treatment": ("voc_generated",),
    "vehicle_retirement": ("fleet.count",),
    "coal_substitution": ("households",),
}

# Integer parameters: scaled values are rounded half-up to whole numbers (at least 1).
_INTEGER_KEYS = frozenset({"head_count", "population", "count", "households"})
_CENT = Decimal("0.01")


def _scaled(key: str, value: str, factor: Decimal) -> str:
    product = Decimal(value) * factor
    if key in _INTEGER_KEYS:
        return str(max(1, int(product.to_integral_value(rounding=ROUND_HALF_UP))))
    text = format(product.quantize(_CENT, rounding=ROUND_HALF_UP), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def sample_params(method: str, scale: Decimal | int | str = 1) -> dict[str, Any]:
    """A fresh copy of the method's sample with its volume/activity scaled by `scale`.

    Concentrations, rates and factors are left alone, so the reductions scale (nearly,
    after rounding to cents or whole heads) linearly. Raises KeyError for an unknown
    method and ValueError for a scale that is not positive.
    """
    params = copy.deepcopy(SAMPLE_PARAMS[method])
    factor = Decimal(str(scale))
    if not factor > 0:
        raise ValueError(f"scale must be positive, not {scale!r}")
    if factor == 1:
        return params
    for path in SCALED_PARAMS[method]:
        if "." in path:
            list_key, column = path.split(".", 1)
            for row in params[list_key]:
                row[column] = _scaled(column, row[column], factor)
        elif path in params:
            params[path] = _scaled(path, params[path], factor)
    return params


def sample_for_type(
    type_code: str, method: str | None = None, scale: Decimal | int | str = 1
) -> tuple[str, dict[str, Any]]:
    """(method, params) for an engineering type: its default method unless given."""
    chosen = method or DEFAULT_METHOD[type_code]
    return chosen, sample_params(chosen, scale)

"""The sample parameter sets compute, with positive reductions, for every method and type."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dispatch.core.accounting import compute
from dispatch.core.catalog import get_catalog
from dispatch.projects.samples import (
    DEFAULT_METHOD,
    SAMPLE_PARAMS,
    SCALED_PARAMS,
    sample_for_type,
    sample_params,
)

CATALOG = get_catalog()
TYPE_METHODS = [(t.code, m) for t in CATALOG.types for m in t.methods]


def test_every_catalog_method_has_a_sample() -> None:
    assert set(SAMPLE_PARAMS) == set(CATALOG.methods)
    assert set(SCALED_PARAMS) == set(CATALOG.methods)
    assert len(SAMPLE_PARAMS) == 14


def test_every_type_has_an_allowed_default_method() -> None:
    assert set(DEFAULT_METHOD) == {t.code for t in CATALOG.types}
    for engineering_type in CATALOG.types:
        assert DEFAULT_METHOD[engineering_type.code] in engineering_type.methods


@pytest.mark.parametrize("method", sorted(SAMPLE_PARAMS))
def test_sample_keys_are_canonical(method: str) -> None:
    definition = CATALOG.method(method)
    keys = {p.key for p in definition.params}
    assert set(SAMPLE_PARAMS[method]) <= keys
    for param in definition.params:
        if param.kind == "list":
            columns = {f.key for f in param.fields}
            for row in SAMPLE_PARAMS[method][param.key]:
                assert set(row) <= columns
        elif param.key in SAMPLE_PARAMS[method]:
            assert isinstance(SAMPLE_PARAMS[method][param.key], str)


@pytest.mark.parametrize("scale", [1, Decimal("0.35"), Decimal("1.5"), 3, "0.8"])
@pytest.mark.parametrize(("type_code", "method"), TYPE_METHODS)
def test_samples_compute_positive(type_code: str, method: str, scale) -> None:
    chosen, params = sample_for_type(type_code, method, scale)
    assert chosen == method
    result = compute(method, params)
    assert set(result.reductions) == set(CATALOG.method(method).pollutants)
    assert all(value > 0 for value in result.reductions.values()), result.reductions


WORKED = {
    "plant_new": {"COD": "1606", "NH3N": "171.55"},
    "flue_gas": {"NOx": "396"},
    "voc_substitution": {"VOCs": "60"},
    "voc_treatment": {"VOCs": "49.2"},
    "livestock": {"COD": "126", "NH3N": "6.3"},
    "vehicle_retirement": {"NOx": "80", "VOCs": "5"},
    "coal_substitution": {"NOx": "11.25", "VOCs": "30"},
    "plant_upgrade": {"COD": "365", "NH3N": "63.875"},
    "fuel_elimination": {"NOx": "20.08"},
    "network": {"COD": "730", "NH3N": "83.22"},
    "industrial_treatment": {"COD": "128.7", "NH3N": "12.87"},
    "closure": {"COD": "24", "NH3N": "2.4"},
    "reuse": {"COD": "15.84", "NH3N": "2.112"},
    "rural_sewage": {"COD": "38.325", "NH3N": "3.066"},
}


@pytest.mark.parametrize("method", sorted(WORKED))
def test_unscaled_samples_give_documented_results(method: str) -> None:
    result = compute(method, sample_params(method))
    assert result.reductions == {p: Decimal(v) for p, v in WORKED[method].items()}


def test_scale_multiplies_the_activity_only() -> None:
    doubled = sample_params("plant_new", 2)
    assert doubled["inflow"] == "40000"
    assert doubled["design_capacity"] == "5"
    assert doubled["cod_in"] == "250"
    result = compute("plant_new", doubled)
    assert result.reductions["COD"] == Decimal("3212")
    fleet = sample_params("vehicle_retirement", Decimal("0.333"))["fleet"]
    assert fleet[0]["count"] == "67"
    assert sample_params("livestock", Decimal("0.00001"))["head_count"] == "1"


def test_sample_params_returns_fresh_copies() -> None:
    first = sample_params("voc_substitution")
    first["materials"][0]["use_before"] = "1"
    assert SAMPLE_PARAMS["voc_substitution"]["materials"][0]["use_before"] == "120"
    assert sample_params("voc_substitution")["materials"][0]["use_before"] == "120"


@pytest.mark.parametrize("scale", [0, -1, "0"])
def test_scale_must_be_positive(scale) -> None:
    with pytest.raises(ValueError, match="positive"):
        sample_params("flue_gas", scale)

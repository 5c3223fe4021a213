"""Property tests for every method, with inputs drawn from the catalog's own definitions.

- Scaling the volume or activity by k scales every reduction by k.
- Exchanging a before/after pair that makes a reduction negative is a validation error.
- Any input drawn from the declared ranges computes or raises only the domain's error.
"""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dispatch.core.accounting import AccountingValidationError, compute
from dispatch.core.catalog import ParamDef, get_catalog

CATALOG = get_catalog()
METHODS = sorted(CATALOG.methods)
CAP = Decimal(10**6)  # upper end for parameters the catalog leaves unbounded
SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)

# The volume or activity of each method: multiplying it by k multiplies E by k.
ACTIVITY = {
    "plant_new": ["inflow"],
    "plant_upgrade": ["inflow"],
    "network": ["inflow_increase"],
    "industrial_treatment": ["flow_before", "flow_after"],
    "closure": ["flow_before"],
    "reuse": ["reuse_flow"],
    "livestock": ["head_count"],
    "rural_sewage": ["population"],
    "flue_gas": ["gas_flow"],
    "fuel_elimination": ["fuel_use", "substitute_gas"],
    "voc_substitution": ["materials[].use_before", "materials[].use_after"],
    "voc_treatment": ["voc_generated"],
    "vehicle_retirement": ["fleet[].count"],
    "coal_substitution": ["households"],
}
# Before/after pairs whose exchange turns the pollutant's reduction negative.
SWAPS = {
    "plant_new": ([("cod_in", "cod_out")], "COD"),
    "plant_upgrade": ([("cod_out_before", "cod_out_after")], "COD"),
    "network": ([("nh3n_in", "nh3n_out")], "NH3N"),
    "industrial_treatment": ([("flow_before", "flow_after"), ("cod_before", "cod_after")], "COD"),
    "livestock": ([("removal_before", "removal_after")], "NH3N"),
    "flue_gas": ([("nox_before", "nox_after")], "NOx"),
    "voc_substitution": (
        [("materials[].use_before", "materials[].use_after"),
         ("materials[].voc_before", "materials[].voc_after")],
        "VOCs",
    ),
    "voc_treatment": (
        [("capture_before", "capture_after"), ("removal_before", "removal_after")], "VOCs"
    ),
}  # fmt: skip
DOMAIN_CODES = {"after_above_before", "after_below_before", "negative_result"}


def test_the_property_tables_cover_every_method():
    assert set(ACTIVITY) == set(METHODS)


def value_of(param: ParamDef):
    if param.kind == "decimal":
        low, high = param.min if param.min is not None else -CAP, param.max or CAP
        numbers = st.decimals(low, high, places=3, allow_nan=False, allow_infinity=False)
        if not param.min_inclusive:
            numbers = numbers.filter(lambda d: d != low)
        # Forms send text, imports may send Decimals; both must work.
        return numbers.flatmap(lambda d: st.sampled_from([d, str(d)]))
    if param.kind == "integer":
        low = int(param.min) if param.min is not None else 0
        return st.integers(low, int(param.max or CAP))
    if param.kind == "choice":
        return st.sampled_from([value for value, _label in param.choices])
    if param.kind == "text":
        return st.text(min_size=1, max_size=8).filter(str.strip)
    row = st.fixed_dictionaries({f.key: value_of(f) for f in param.fields if _needed(f)}).map(
        lambda r: {k: v for k, v in r.items() if v is not None}
    )
    optional = {f.key: st.none() | value_of(f) for f in param.fields if not _needed(f)}
    rows = st.tuples(row, st.fixed_dictionaries(optional)).map(
        lambda pair: {**pair[0], **{k: v for k, v in pair[1].items() if v is not None}}
    )
    return st.lists(rows, min_size=1, max_size=3)


def _needed(param: ParamDef) -> bool:
    return param.required and param.default is None and param.coefficient is None


@st.composite
def params_for(draw, method_key: str) -> dict:
    params = {}
    for param in CATALOG.method(method_key).params:
        value = draw(value_of(param) if _needed(param) else st.none() | value_of(param))
        if value is not None:
            params[param.key] = value
    return params


def _get(params: dict, path: str) -> list[tuple[dict, str]]:
    """(container, key) pairs a path refers to: "x" or "rows[].x" (every row)."""
    if "[]." in path:
        head, key = path.split("[].")
        return [(row, key) for row in params[head]]
    return [(params, path)]


def ordered(method_key: str, params: dict) -> dict:
    """Make the data-declared before/after checks hold, so most draws are valid."""
    for check in CATALOG.method(method_key).checks:
        prefix = f"{check.list}[]." if check.list else ""
        for (row, a), (_same, b) in zip(
            _get(params, prefix + check.param), _get(params, prefix + check.than), strict=True
        ):
            low, high = sorted([Decimal(str(row[a])), Decimal(str(row[b]))])
            row[a], row[b] = (low, high) if check.rule == "not_above" else (high, low)
    return params


def computed(method_key: str, params: dict):
    try:
        return compute(method_key, params)
    except AccountingValidationError:
        assume(False)


@pytest.mark.parametrize("method_key", METHODS)
@SETTINGS
@given(data=st.data(), k=st.integers(2, 20))
def test_scaling_the_activity_scales_every_reduction(method_key, data, k):
    params = ordered(method_key, data.draw(params_for(method_key)))
    base = computed(method_key, params)
    for path in ACTIVITY[method_key]:
        for row, key in _get(params, path):
            if key in row:
                row[key] = Decimal(str(row[key])) * k
    scaled = compute(method_key, params)
    for pollutant, value in base.reductions.items():
        # Both sides are rounded to 6 decimals, so allow k + 1 half-units of rounding.
        assert abs(scaled.reductions[pollutant] - k * value) <= Decimal("0.000001") * (k + 1)


@pytest.mark.parametrize("method_key", sorted(SWAPS))
@SETTINGS
@given(data=st.data())
def test_exchanging_before_and_after_is_a_validation_error(method_key, data):
    pairs, pollutant = SWAPS[method_key]
    params = ordered(method_key, data.draw(params_for(method_key)))
    base = computed(method_key, params)
    assume(base.reductions[pollutant] > Decimal("0.00001"))
    for first, second in pairs:
        for (row, a), (_same, b) in zip(_get(params, first), _get(params, second), strict=True):
            # A zero "after" value becomes a zero "before" value, which the range check
            # refuses before the domain rules run; such draws test the range check instead.
            assume(Decimal(str(row[b])) > 0)
            row[a], row[b] = row[b], row[a]
    with pytest.raises(AccountingValidationError) as caught:
        compute(method_key, params)
    codes = {error.code for error in caught.value.errors}
    assert codes and codes <= DOMAIN_CODES | {"out_of_range"}, caught.value.errors
    assert codes & DOMAIN_CODES


@pytest.mark.parametrize("method_key", METHODS)
@SETTINGS
@given(data=st.data())
def test_any_declared_input_computes_or_fails_with_a_domain_error(method_key, data):
    params = data.draw(params_for(method_key))
    try:
        result = compute(method_key, params)
    except AccountingValidationError as exc:
        assert exc.errors
        assert all(error.message and error.code and error.param for error in exc.errors)
        return
    assert set(result.reductions) == set(CATALOG.method(method_key).pollutants)
    for value in result.reductions.values():
        assert value >= 0
        assert value.as_tuple().exponent == -6
    assert result.formula

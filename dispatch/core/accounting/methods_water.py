"""Formulas of the water methods (COD and NH3-N), as in accounting.md.

Water: E[t/a] = Q[m³/d] × ΔC[mg/L] × D[d/a] × 10⁻⁶, since 1 m³ × 1 mg/L = 1 g.
Each formula records its substituted form so an auditor can redo the arithmetic.
"""

from __future__ import annotations

from decimal import Decimal

from dispatch.core.accounting.engine import Calc, implements
from dispatch.core.accounting.numbers import plain as n

WATER = ("COD", "NH3N")
MICRO = Decimal("1e-6")
MILLI = Decimal("1e-3")
# (pollutant, key prefix) pairs: COD → cod_in / cod_out etc.
PAIRS = (("COD", "cod"), ("NH3N", "nh3n"))


def _concentration_difference(calc: Calc, flow_key: str, before: str, after: str) -> None:
    """E_p = Q × (C_before − C_after) × D × 10⁻⁶ for both pollutants."""
    flow, days = calc.v(flow_key), calc.v("days")
    for pollutant, prefix in PAIRS:
        high, low = calc.v(f"{prefix}_{before}"), calc.v(f"{prefix}_{after}")
        value = flow * (high - low) * days * MICRO
        text = f"{n(flow)} m³/d × ({n(high)} − {n(low)}) mg/L × {n(days)} d × 10⁻⁶"
        involved = (flow_key, f"{prefix}_{before}", f"{prefix}_{after}", "days")
        calc.result(pollutant, value, text, involved)


@implements(
    "plant_new",
    WATER,
    ("inflow", "design_capacity", "cod_in", "cod_out", "nh3n_in", "nh3n_out", "days"),
)
def plant_new(calc: Calc) -> None:
    _concentration_difference(calc, "inflow", "in", "out")
    inflow, capacity = calc.v("inflow"), calc.v("design_capacity")
    # Design capacity is in 万m³/d; an inflow far above it usually means a unit mistake.
    if capacity is not None and inflow > Decimal("1.5") * capacity * 10**4:
        calc.warn(
            f"实际进水量 {n(inflow)} m³/d 超过设计处理规模 {n(capacity)} 万m³/d 的 1.5 倍"
            f"（{n(Decimal('1.5') * capacity * 10**4)} m³/d），请核实单位和数值"
        )


@implements(
    "plant_upgrade",
    WATER,
    ("inflow", "cod_out_before", "cod_out_after", "nh3n_out_before", "nh3n_out_after", "days"),
)
def plant_upgrade(calc: Calc) -> None:
    _concentration_difference(calc, "inflow", "out_before", "out_after")


@implements(
    "network",
    WATER,
    ("inflow_increase", "pipe_length_km", "cod_in", "cod_out", "nh3n_in", "nh3n_out", "days"),
)
def network(calc: Calc) -> None:
    _concentration_difference(calc, "inflow_increase", "in", "out")


@implements(
    "industrial_treatment",
    WATER,
    ("flow_before", "flow_after", "cod_before", "cod_after", "nh3n_before", "nh3n_after", "days"),
)
def industrial_treatment(calc: Calc) -> None:
    q_before, q_after, days = calc.v("flow_before"), calc.v("flow_after"), calc.v("days")
    for pollutant, prefix in PAIRS:
        c_before, c_after = calc.v(f"{prefix}_before"), calc.v(f"{prefix}_after")
        value = (q_before * c_before - q_after * c_after) * days * MICRO
        text = (
            f"({n(q_before)} m³/d × {n(c_before)} mg/L − {n(q_after)} m³/d × {n(c_after)} mg/L)"
            f" × {n(days)} d × 10⁻⁶"
        )
        involved = ("flow_after", "flow_before", f"{prefix}_before", f"{prefix}_after", "days")
        calc.result(pollutant, value, text, involved)


def _load(calc: Calc, flow_key: str, suffix: str) -> None:
    """E_p = Q × C_p × D × 10⁻⁶: the whole discharge disappears."""
    flow, days = calc.v(flow_key), calc.v("days")
    for pollutant, prefix in PAIRS:
        concentration = calc.v(f"{prefix}_{suffix}")
        value = flow * concentration * days * MICRO
        text = f"{n(flow)} m³/d × {n(concentration)} mg/L × {n(days)} d × 10⁻⁶"
        calc.result(pollutant, value, text, (flow_key, f"{prefix}_{suffix}", "days"))


@implements("closure", WATER, ("flow_before", "cod_before", "nh3n_before", "days"))
def closure(calc: Calc) -> None:
    _load(calc, "flow_before", "before")


@implements("reuse", WATER, ("reuse_flow", "cod_out", "nh3n_out", "days"))
def reuse(calc: Calc) -> None:
    _load(calc, "reuse_flow", "out")


@implements(
    "livestock",
    WATER,
    ("species", "head_count", "cod_coefficient", "nh3n_coefficient", "removal_before",
     "removal_after"),
)  # fmt: skip
def livestock(calc: Calc) -> None:
    species, heads = calc.v("species"), calc.v("head_count")
    ratio = calc.table.pig_equivalents[species]
    calc.coefficients["pig_equivalent"] = {
        "species": species,
        "heads": ratio.heads,
        "pig_equivalents": ratio.pig_equivalents,
        "source": "table",
    }
    # Kept as the fraction heads × pe / per_heads so 1/30 and 1/60 are never rounded.
    pe = Decimal(heads) * ratio.pig_equivalents / ratio.heads
    calc.note(
        f"猪当量 PE = {heads} {ratio.label_zh} × {ratio.pig_equivalents} / {ratio.heads}"
        f" = {n(pe.normalize())} 头猪当量"
    )
    before, after = calc.v("removal_before"), calc.v("removal_after")
    for pollutant, prefix in PAIRS:
        coefficient = calc.coef(f"{prefix}_coefficient")
        value = Decimal(heads) * ratio.pig_equivalents * coefficient * (after - before)
        value = value / (ratio.heads * 100) * MILLI
        text = (
            f"{n(pe.normalize())} 头猪当量 × {n(coefficient)} kg/(头猪当量·a)"
            f" × ({n(after)}% − {n(before)}%) × 10⁻³"
        )
        involved = ("removal_after", "removal_before", "head_count", f"{prefix}_coefficient")
        calc.result(pollutant, value, text, involved)


@implements(
    "rural_sewage",
    WATER,
    ("population", "cod_per_capita", "nh3n_per_capita", "collection_rate", "cod_removal",
     "nh3n_removal", "days"),
)  # fmt: skip
def rural_sewage(calc: Calc) -> None:
    people, collection, days = calc.v("population"), calc.v("collection_rate"), calc.v("days")
    for pollutant, prefix in PAIRS:
        per_capita = calc.coef(f"{prefix}_per_capita")
        removal = calc.v(f"{prefix}_removal")
        value = people * per_capita * collection * removal * days / 10**4 * MICRO
        text = (
            f"{people} 人 × {n(per_capita)} g/(人·d) × {n(collection)}% × {n(removal)}%"
            f" × {n(days)} d × 10⁻⁶"
        )
        involved = ("population", f"{prefix}_per_capita", "collection_rate", f"{prefix}_removal")
        calc.result(pollutant, value, text, involved)

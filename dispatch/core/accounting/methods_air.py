"""Formulas of the air methods (NOx and VOCs), as in accounting.md.

Gas: E[t/a] = V[Nm³/h] × ΔC[mg/Nm³] × H[h/a] × 10⁻⁹. Factor methods: activity × factor
with kg → t (10⁻³) or g → t (10⁻⁶). Each formula records its substituted form.
"""

from __future__ import annotations

from decimal import Decimal

from dispatch.core.accounting.engine import Calc, implements
from dispatch.core.accounting.numbers import format_t, quantize_stored
from dispatch.core.accounting.numbers import plain as n

NANO = Decimal("1e-9")
MICRO = Decimal("1e-6")
MILLI = Decimal("1e-3")


@implements("flue_gas", ("NOx",), ("gas_flow", "nox_before", "nox_after", "hours"))
def flue_gas(calc: Calc) -> None:
    flow, before, after, hours = (
        calc.v(k) for k in ("gas_flow", "nox_before", "nox_after", "hours")
    )
    value = flow * (before - after) * hours * NANO
    text = f"{n(flow)} Nm³/h × ({n(before)} − {n(after)}) mg/Nm³ × {n(hours)} h × 10⁻⁹"
    calc.result("NOx", value, text, ("nox_after", "nox_before", "gas_flow", "hours"))


@implements(
    "fuel_elimination",
    ("NOx",),
    ("fuel_use", "nox_factor", "nox_removal", "substitute_gas", "gas_nox_factor"),
)
def fuel_elimination(calc: Calc) -> None:
    fuel, factor, removal = calc.v("fuel_use"), calc.v("nox_factor"), calc.v("nox_removal")
    gas = calc.v("substitute_gas")
    # Eliminated emission minus what the substitute gas now emits (none for electricity).
    value = fuel * factor * (100 - removal) / 100 * MILLI
    text = f"{n(fuel)} t/a × {n(factor)} kg/t × (1 − {n(removal)}%) × 10⁻³"
    if gas:
        gas_factor = calc.coef("gas_nox_factor")
        value -= gas * gas_factor * MILLI
        text += f" − {n(gas)} 万m³/a × {n(gas_factor)} kg/万m³ × 10⁻³"
    involved = ("substitute_gas", "gas_nox_factor", "fuel_use", "nox_factor", "nox_removal")
    calc.result("NOx", value, text, involved)


@implements(
    "voc_substitution",
    ("VOCs",),
    ("materials", "materials[].name", "materials[].use_before", "materials[].voc_before",
     "materials[].use_after", "materials[].voc_after"),
)  # fmt: skip
def voc_substitution(calc: Calc) -> None:
    total = Decimal(0)
    parts, involved = [], []
    for index, row in enumerate(calc.v("materials")):
        m_b, w_b, m_a, w_a = (
            row[k] for k in ("use_before", "voc_before", "use_after", "voc_after")
        )
        value = (m_b * w_b - m_a * w_a) / 100
        total += value
        shown = format_t(quantize_stored(value))
        calc.note(
            f"{row['name']}：{n(m_b)} t/a × {n(w_b)}% − {n(m_a)} t/a × {n(w_a)}% = {shown} t/a"
        )
        parts.append(shown)
        involved += [f"materials[{index}].use_after", f"materials[{index}].use_before"]
    calc.result("VOCs", total, " + ".join(parts) if len(parts) > 1 else None, involved)


@implements(
    "voc_treatment",
    ("VOCs",),
    ("voc_generated", "capture_before", "removal_before", "capture_after", "removal_after"),
)
def voc_treatment(calc: Calc) -> None:
    generated = calc.v("voc_generated")
    c_b, r_b, c_a, r_a = (
        calc.v(k) for k in ("capture_before", "removal_before", "capture_after", "removal_after")
    )
    value = generated * (c_a * r_a - c_b * r_b) / 10**4
    text = f"{n(generated)} t/a × ({n(c_a)}% × {n(r_a)}% − {n(c_b)}% × {n(r_b)}%)"
    involved = ("capture_after", "removal_after", "capture_before", "removal_before")
    calc.result("VOCs", value, text, involved)


@implements(
    "vehicle_retirement",
    ("NOx", "VOCs"),
    ("fleet", "fleet[].category", "fleet[].standard", "fleet[].count", "fleet[].annual_km",
     "fleet[].nox_factor", "fleet[].voc_factor"),
)  # fmt: skip
def vehicle_retirement(calc: Calc) -> None:
    fleet_param = calc.method.param("fleet")
    labels = {key: dict(fleet_param.column(key).choices) for key in ("category", "standard")}
    totals = {"NOx": Decimal(0), "VOCs": Decimal(0)}
    parts: dict[str, list[str]] = {"NOx": [], "VOCs": []}
    for index, row in enumerate(calc.v("fleet")):
        km = calc.row_coef("fleet", index, row, "annual_km")
        name = f"{labels['category'][row['category']]}（{labels['standard'][row['standard']]}）"
        for pollutant, key in (("NOx", "nox_factor"), ("VOCs", "voc_factor")):
            factor = calc.row_coef("fleet", index, row, key)
            value = row["count"] * km * factor * MICRO
            totals[pollutant] += value
            shown = format_t(quantize_stored(value))
            parts[pollutant].append(shown)
            calc.note(
                f"{pollutant}：{name} {row['count']} 辆 × {n(km)} km/a × {n(factor)} g/km"
                f" × 10⁻⁶ = {shown} t/a"
            )
    for pollutant, total in totals.items():
        expression = " + ".join(parts[pollutant]) if len(parts[pollutant]) > 1 else None
        calc.result(pollutant, total, expression, ("fleet",))


@implements(
    "coal_substitution",
    ("NOx", "VOCs"),
    ("households", "coal_per_household", "nox_factor", "voc_factor", "gas_per_household",
     "gas_nox_factor"),
)  # fmt: skip
def coal_substitution(calc: Calc) -> None:
    households, coal = calc.v("households"), calc.v("coal_per_household")
    gas = calc.v("gas_per_household")
    nox, voc = calc.coef("nox_factor"), calc.coef("voc_factor")
    value = households * coal * nox * MILLI
    text = f"{households} 户 × {n(coal)} t/a × {n(nox)} kg/t × 10⁻³"
    if gas:  # electric heating (gas 0) emits nothing on site
        gas_nox = calc.coef("gas_nox_factor")
        # Gas is metered in m³ but its factor is per 万m³, hence the 10⁻⁴.
        value -= households * gas * Decimal("1e-4") * gas_nox * MILLI
        text += f" − {households} 户 × {n(gas)} m³/a × 10⁻⁴ × {n(gas_nox)} kg/万m³ × 10⁻³"
    involved = (
        "gas_per_household",
        "gas_nox_factor",
        "households",
        "coal_per_household",
        "nox_factor",
    )
    calc.result("NOx", value, text, involved)
    value = households * coal * voc * MILLI
    text = f"{households} 户 × {n(coal)} t/a × {n(voc)} kg/t × 10⁻³"
    calc.result("VOCs", value, text, ("households", "coal_per_household", "voc_factor"))

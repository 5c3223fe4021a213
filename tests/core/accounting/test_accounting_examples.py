"""The eight worked examples of accounting.md, through the Python API and the CLI."""

import json
from datetime import date

import pytest
from click.testing import CliRunner

from dispatch.cli.account import account_cli
from dispatch.core.accounting import compute, credit_for_year, format_t

# (method, params, expected t/a shown with 4 decimals)
EXAMPLES = [
    (
        "plant_new",
        {"inflow": "20000", "cod_in": "250", "cod_out": "30", "nh3n_in": "25",
         "nh3n_out": "1.5", "days": "365"},
        {"COD": "1606.0000", "NH3N": "171.5500"},
    ),
    (
        "flue_gas",
        {"gas_flow": "500000", "nox_before": "150", "nox_after": "50", "hours": "7920"},
        {"NOx": "396.0000"},
    ),
    (
        "voc_substitution",
        {"materials": [{"name": "溶剂型涂料", "use_before": "120", "voc_before": "60",
                        "use_after": "120", "voc_after": "10"}]},
        {"VOCs": "60.0000"},
    ),
    (
        "voc_treatment",
        {"voc_generated": "80", "capture_before": "30", "capture_after": "90",
         "removal_before": "50", "removal_after": "85"},
        {"VOCs": "49.2000"},
    ),
    (
        "livestock",
        {"species": "pig", "head_count": "10000", "cod_coefficient": "36",
         "nh3n_coefficient": "1.8", "removal_before": "60", "removal_after": "95"},
        {"COD": "126.0000", "NH3N": "6.3000"},
    ),
    (
        "vehicle_retirement",
        {"fleet": [{"category": "heavy_diesel_truck", "standard": "china3", "count": "200",
                    "annual_km": "50000", "nox_factor": "8.0", "voc_factor": "0.5"}]},
        {"NOx": "80.0000", "VOCs": "5.0000"},
    ),
    (
        "coal_substitution",
        {"households": "3000", "coal_per_household": "2.5", "nox_factor": "1.5",
         "voc_factor": "4.0", "gas_per_household": "0"},
        {"NOx": "11.2500", "VOCs": "30.0000"},
    ),
    (
        "plant_upgrade",
        {"inflow": "50000", "cod_out_before": "50", "cod_out_after": "30",
         "nh3n_out_before": "5", "nh3n_out_after": "1.5", "days": "365"},
        {"COD": "365.0000", "NH3N": "63.8750"},
    ),
]  # fmt: skip
IDS = [f"example{i + 1}-{method}" for i, (method, _p, _e) in enumerate(EXAMPLES)]


@pytest.mark.parametrize(("method", "params", "expected"), EXAMPLES, ids=IDS)
def test_worked_example_through_the_api(method, params, expected):
    result = compute(method, params)
    assert {p: format_t(v) for p, v in result.reductions.items()} == expected
    # Stored with exactly 6 decimals.
    assert all(v.as_tuple().exponent == -6 for v in result.reductions.values())


@pytest.mark.parametrize(("method", "params", "expected"), EXAMPLES, ids=IDS)
def test_worked_example_through_the_cli(method, params, expected, tmp_path):
    params_file = tmp_path / "params.json"
    params_file.write_text(json.dumps(params, ensure_ascii=False), encoding="utf-8")
    args = ["compute", "--method", method, "--params-json", str(params_file), "--json"]
    outcome = CliRunner().invoke(account_cli, args)
    assert outcome.exit_code == 0, outcome.output
    document = json.loads(outcome.output)
    assert set(document) == {"method", "reductions", "credit", "formula", "warnings"}
    assert document["method"] == method
    assert {p: v[:-2] for p, v in document["reductions"].items()} == expected
    assert document["credit"] is None


def test_scalar_parameters_on_the_command_line_give_the_same_result():
    args = ["compute", "--method", "plant_new", "--json"]
    for key, value in EXAMPLES[0][1].items():
        args += ["--param", f"{key}={value}"]
    document = json.loads(CliRunner().invoke(account_cli, args).output)
    assert document["reductions"] == {"COD": "1606.000000", "NH3N": "171.550000"}
    assert document["formula"][0] == (
        "COD = 20000 m³/d × (250 − 30) mg/L × 365 d × 10⁻⁶ = 1606.0000 t/a"
    )


def test_example_2_credit_in_2025_through_api_and_cli():
    result = compute(*EXAMPLES[1][:2])
    credit = credit_for_year(result.reductions, date(2025, 3, 15), 2025)
    assert format_t(credit["NOx"]) == "297.0000"

    args = ["compute", "--method", "flue_gas", "--stable-from", "2025-03-15", "--year", "2025"]
    for key, value in EXAMPLES[1][1].items():
        args += ["--param", f"{key}={value}"]
    document = json.loads(CliRunner().invoke(account_cli, [*args, "--json"]).output)
    assert document["credit"] == {"NOx": "297.000000"}

    readable = CliRunner().invoke(account_cli, args)
    assert readable.exit_code == 0
    assert "297.0000" in readable.output
    assert "氮氧化物" in readable.output
    assert (
        "NOx = 500000 Nm³/h × (150 − 50) mg/Nm³ × 7920 h × 10⁻⁹ = 396.0000 t/a" in readable.output
    )

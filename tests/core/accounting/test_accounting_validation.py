"""Validation messages, codes, warnings and the audit record of a result."""

import json
from decimal import Decimal

import pytest
from click.testing import CliRunner

from dispatch.cli.account import account_cli
from dispatch.core.accounting import AccountingValidationError, compute, format_t, validate

PLANT = {"inflow": "20000", "cod_in": "250", "cod_out": "30", "nh3n_in": "25", "nh3n_out": "1.5"}
FLUE = {"gas_flow": "500000", "nox_before": "150", "nox_after": "50", "hours": "7920"}


def errors_of(method, params):
    return {(e.param, e.code): e.message for e in validate(method, params)}


def test_outlet_above_inlet_names_both_fields():
    errors = errors_of("plant_new", {**PLANT, "cod_out": "300"})
    assert errors == {("cod_out", "after_above_before"): "出水COD浓度（mg/L）不能高于进水COD浓度"}


@pytest.mark.parametrize("hours", ["0", "8785", "-1"])
def test_hours_out_of_range(hours):
    errors = errors_of("flue_gas", {**FLUE, "hours": hours})
    assert errors == {("hours", "out_of_range"): "运行小时数（h/a）应在 1 至 8784 之间"}


def test_bounds_and_inclusiveness_are_in_the_message():
    assert errors_of("flue_gas", {**FLUE, "gas_flow": "0"}) == {
        ("gas_flow", "out_of_range"): "标态干烟气量（Nm³/h）应大于 0"
    }
    assert errors_of("plant_new", {**PLANT, "days": "367"}) == {
        ("days", "out_of_range"): "运行天数（d/a）应在 1 至 366 之间"
    }
    assert ("days", "not_an_integer") in errors_of("plant_new", {**PLANT, "days": "365.5"})
    removal = errors_of("voc_treatment", {"voc_generated": "1", "capture_before": "0",
                                          "removal_before": "0", "capture_after": "101",
                                          "removal_after": "50"})  # fmt: skip
    assert removal == {("capture_after", "out_of_range"): "治理后收集率（%）应在 0 至 100 之间"}


def test_missing_text_unknown_and_bad_choice():
    errors = errors_of("plant_new", {**PLANT, "cod_in": "", "inflow": "二万", "colour": "red"})
    assert errors[("cod_in", "required")] == "请填写进水COD浓度（mg/L）"
    assert errors[("inflow", "not_a_number")].startswith("实际进水量（m³/d）应为数字")
    assert ("colour", "unknown_param") in errors
    livestock = {"species": "cat", "head_count": "10", "removal_before": "0", "removal_after": "1"}
    assert ("species", "bad_choice") in errors_of("livestock", livestock)
    assert errors_of("nope", {}) == {("method", "unknown_method"): "未知的核算方法 'nope'"}


def test_list_rows_are_checked_field_by_field():
    row = {
        "name": "涂料",
        "use_before": "10",
        "voc_before": "5",
        "use_after": "10",
        "voc_after": "50",
    }
    errors = errors_of("voc_substitution", {"materials": [row]})
    assert errors == {
        ("materials[0].voc_after", "after_above_before"):
            "替代原辅材料第1行：替代后VOCs含量（%）不能高于替代前VOCs含量"
    }  # fmt: skip
    assert ("materials", "empty_list") in errors_of("voc_substitution", {"materials": []})


def test_a_negative_result_is_an_error_naming_the_inputs_never_clamped():
    params = {"fuel_use": "10", "nox_factor": "1", "substitute_gas": "100"}
    with pytest.raises(AccountingValidationError) as caught:
        compute("fuel_elimination", params)
    (error,) = caught.value.errors
    assert error.code == "negative_result"
    assert "替代天然气用量（万m³/a）=100" in error.message
    assert "淘汰前燃料消耗量（t/a）=10" in error.message
    assert validate("fuel_elimination", params) == caught.value.errors


def test_floats_are_read_through_their_text_and_never_stored():
    result = compute("plant_new", {**PLANT, "nh3n_out": 1.5, "inflow": 20000.0})
    assert format_t(result.reductions["NH3N"]) == "171.5500"
    assert result.inputs["nh3n_out"] == "1.5"
    json.dumps(result.to_json(), ensure_ascii=False)  # serialisable as stored


def test_inflow_far_above_design_capacity_is_only_a_warning():
    result = compute("plant_new", {**PLANT, "design_capacity": "1"})
    assert result.reductions["COD"] == Decimal("1606.000000")
    assert any("1.5 倍" in w for w in result.warnings)
    assert not compute("plant_new", {**PLANT, "design_capacity": "2"}).warnings


def test_coefficients_record_whether_they_came_from_params_or_the_table():
    base = {
        "species": "dairy_cow",
        "head_count": "100",
        "removal_before": "0",
        "removal_after": "50",
    }
    from_table = compute("livestock", base)
    assert from_table.coefficients["cod_coefficient"]["source"] == "table"
    assert from_table.coefficients["cod_coefficient"]["example"] is True
    assert from_table.coefficients["pig_equivalent"]["pig_equivalents"] == 10
    assert any("示例默认值" in w for w in from_table.warnings)
    # 100 cows = 1000 PE; 1000 × 36 × 50% × 10⁻³ = 18
    assert from_table.reductions["COD"] == Decimal("18.000000")

    given = compute("livestock", {**base, "cod_coefficient": "40"})
    assert given.coefficients["cod_coefficient"] == {
        "value": "40", "unit": "kg/(头猪当量·a)", "source": "param"
    }  # fmt: skip
    assert given.reductions["COD"] == Decimal("20.000000")

    city = compute("livestock", base, coefficients={"livestock_cod": "30"})
    assert city.reductions["COD"] == Decimal("15.000000")
    assert city.coefficients["cod_coefficient"]["example"] is False


def test_layers_and_broilers_use_exact_fractions():
    params = {
        "species": "broiler",
        "head_count": "1",
        "removal_before": "0",
        "removal_after": "100",
    }
    # 1/60 PE × 36 kg × 100% × 10⁻³ = 0.0006 t
    assert compute("livestock", params).reductions["COD"] == Decimal("0.000600")


def test_vehicle_defaults_come_from_the_table_by_category_and_standard():
    line = {"category": "heavy_diesel_truck", "standard": "国三", "count": "200"}
    result = compute("vehicle_retirement", {"fleet": [line]})
    assert result.reductions == {"NOx": Decimal("80.000000"), "VOCs": Decimal("5.000000")}
    assert result.coefficients["fleet[0].annual_km"]["value"] == "50000"
    other = {"fleet": [{**line, "category": "diesel_bus"}]}
    codes = {(e.param, e.code) for e in validate("vehicle_retirement", other)}
    assert ("fleet[0].nox_factor", "missing_coefficient") in codes


def test_cli_invalid_input_prints_errors_and_exits_2():
    args = ["compute", "--method", "flue_gas", "--json"]
    args += [f"--param={k}={v}" for k, v in {**FLUE, "hours": "9000"}.items()]
    outcome = CliRunner().invoke(account_cli, args)
    assert outcome.exit_code == 2
    assert json.loads(outcome.output) == {
        "errors": [
            {
                "param": "hours",
                "code": "out_of_range",
                "message": "运行小时数（h/a）应在 1 至 8784 之间",
            }
        ]
    }
    assert "运行小时数" in outcome.output  # ensure_ascii=False

    plain = CliRunner().invoke(account_cli, [a for a in args if a != "--json"])
    assert plain.exit_code == 2

    lonely = CliRunner().invoke(
        account_cli, ["compute", "--method", "flue_gas", "--year", "2025", "--json"]
    )
    assert lonely.exit_code == 2
    assert json.loads(lonely.output)["errors"][0]["param"] == "stable_from"

"""A broken catalog fails to load with messages naming the file and the key."""
# ruff: noqa: E501 - the breakage table reads best one case per line

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from dispatch.cli.catalog import catalog_cli
from dispatch.core.catalog import CatalogError, default_catalog_dir, load_catalog

FIXTURES = Path(__file__).parent / "fixtures"


def test_broken_fixture_names_every_file_and_key():
    with pytest.raises(CatalogError) as caught:
        load_catalog(FIXTURES / "broken")
    errors = caught.value.errors
    assert "X1.yaml: methods[1]: 未定义的核算方法 'shutdown'（见 _methods.yaml）" in errors
    assert any(
        e.startswith("X1.yaml: evidence_items[0].when.method:") and "closur" in e for e in errors
    )
    assert any(e.startswith("X1.yaml: evidence_items[1].when.methods: 未知的键") for e in errors)
    assert "X1.yaml" in str(caught.value)


# (file, text to replace, replacement, expected start of one error message)
BREAKAGES = [
    ("A4.yaml", "order: 11\n", "order: 11\ncolour: red\n", "A4.yaml: colour: 未知的键"),
    ("W2.yaml", "code: W2-02", "code: W2-01", "W2.yaml: evidence_items[1].code: 条目编号 'W2-01' 重复"),
    ("W3.yaml", "code: W3-01", "code: G05", "W3.yaml: evidence_items[0].code: 条目编号 'G05' 重复"),
    ("W2.yaml", "code: W2\n", "code: W1\n", "W2.yaml: code: 工程类型代码 'W1' 与 W1.yaml 重复"),
    ("W3.yaml", "methods: [network]", "methods: [netwerk]", "W3.yaml: methods[0]: 未定义的核算方法 'netwerk'"),
    ("W4.yaml", "when: {method: closure}", "when: {method: closur}",
     "W4.yaml: evidence_items[2].when.method: 条件引用了未定义的核算方法 'closur'"),
    ("W4.yaml", "when: {method: closure}", "when: {method: flue_gas}",
     "W4.yaml: evidence_items[2].when.method: 条件引用的核算方法 'flue_gas' 不在本类型的 methods 中"),
    ("W4.yaml", "when: {method: closure}", "when: {technique: closure}",
     "W4.yaml: evidence_items[2].when.technique: 未知的键"),
    ("W1.yaml", "order: 1\n", "order: 1\norder: 2\n", "W1.yaml: YAML 无法解析"),
    ("W1.yaml", "stage: completion", "stage: finished", "W1.yaml: evidence_items[0].stage: 应为"),
    ("W6.yaml", "    condition: 粪污还田利用的\n", "", "W6.yaml: evidence_items[3].condition: conditional"),
    ("_methods.yaml", 'help_zh: "实际平均', 'hint_zh: "实际平均', "_methods.yaml: methods.plant_new.params[0].hint_zh: 未知的键"),
    ("_methods.yaml", "coefficient: livestock_cod", "coefficient: livestock_kod",
     "_methods.yaml: methods.livestock.params[2].coefficient: _coefficients.yaml 中没有系数 'livestock_kod'"),
    ("_methods.yaml", "than: cod_in}", "than: cod_inn}", "_methods.yaml: methods.plant_new.checks[0].than: 未定义的数值参数 'cod_inn'"),
    ("_methods.yaml", "kind: integer, min: 1, max: 366", "kind: integer, min: 400, max: 366",
     "_methods.yaml: methods.plant_new.params[6].max: 上限小于下限"),
    ("_coefficients.yaml", 'value: "36"', 'value: "thirty-six"', "_coefficients.yaml: factors.livestock_cod.value: 应为数字"),
    # The system-filled item (削减量计算书): a known filler, in the operation stage, one per type.
    ("_common_items.yaml", "    filled_by: system", "    filled_by: robot", "_common_items.yaml: items[7].filled_by: 应为"),
    ("_common_items.yaml", "    stage: operation\n    requirement: required\n    filled_by",
     "    stage: completion\n    requirement: required\n    filled_by",
     "_common_items.yaml: items[7].filled_by: 系统生成的条目（削减量计算书）只能属于运行阶段"),
    ("A1.yaml", "    reviewer_checks: 评估机构", "    filled_by: system\n    reviewer_checks: 评估机构",
     "A1.yaml: evidence_items: 系统生成的条目至多一个，现有 G08、A1-01"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "old", "new", "expected"), BREAKAGES)
def test_each_breakage_is_reported_with_file_and_key(tmp_path, name, old, new, expected):
    directory = tmp_path / "specs"
    shutil.copytree(default_catalog_dir(), directory)
    path = directory / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(directory)
    assert any(error.startswith(expected) for error in caught.value.errors), caught.value.errors


def test_an_unknown_shared_file_or_a_missing_one_is_reported(tmp_path):
    directory = tmp_path / "specs"
    shutil.copytree(default_catalog_dir(), directory)
    (directory / "_method.yaml").write_text("methods: {}\n", encoding="utf-8")
    (directory / "_coefficients.yaml").unlink()
    with pytest.raises(CatalogError) as caught:
        load_catalog(directory)
    assert any(e.startswith("_method.yaml: 未知的共用文件") for e in caught.value.errors)
    assert "_coefficients.yaml: 缺少必需的文件" in caught.value.errors


def test_catalog_check_command_exits_non_zero_with_the_errors():
    outcome = CliRunner().invoke(catalog_cli, ["check", str(FIXTURES / "broken")])
    assert outcome.exit_code == 1
    assert "X1.yaml: methods[1]: 未定义的核算方法 'shutdown'" in outcome.output
    good = CliRunner().invoke(catalog_cli, ["check"])
    assert good.exit_code == 0, good.output
    assert "14 种工程类型" in good.output

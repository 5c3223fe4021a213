"""`dispatch catalog list` and `dispatch catalog show`, in Chinese."""

from pathlib import Path

from click.testing import CliRunner

from dispatch.cli.catalog import catalog_cli

FIXTURES = Path(__file__).parent / "fixtures"


def test_list_shows_all_14_types():
    outcome = CliRunner().invoke(catalog_cli, ["list"])
    assert outcome.exit_code == 0
    lines = outcome.output.splitlines()
    assert len(lines) == 15
    assert lines[1].startswith("W1") and "城镇污水处理厂新建/扩建工程" in lines[1]
    assert lines[-1].startswith("A7")


def test_show_a4_lists_the_vocs_items_in_chinese():
    outcome = CliRunner().invoke(catalog_cli, ["show", "A4"])
    assert outcome.exit_code == 0
    text = outcome.output
    assert "A4 挥发性有机物源头替代工程" in text
    assert "挥发性有机物" in text
    for line in (
        "A4-01 原辅材料购销合同及发票（替代前后）",
        "A4-02 VOCs含量检测报告或MSDS",
        "A4-03 原辅材料使用台账",
        "G07 排污许可证（正副本）",
        "【运行】",
    ):
        assert line in text
    assert "use_before：替代前用量（t/a）" in text
    assert "voc_after：替代后VOCs含量（%）；数值，必填，应在 0 至 100 之间" in text
    # Items in stage order.
    assert (
        text.index("【前期】") < text.index("A4-02") < text.index("【运行】") < text.index("A4-01")
    )


def test_show_marks_method_conditions_and_unknown_codes_fail():
    text = CliRunner().invoke(catalog_cli, ["show", "w4"]).output
    assert "W4-03 关停证明" in text and "仅限核算方法 closure" in text
    assert "运行天数（d/a）；整数，选填，应在 1 至 366 之间，默认 365" in text
    outcome = CliRunner().invoke(catalog_cli, ["show", "Z9"])
    assert outcome.exit_code != 0
    assert "未知的工程类型" in outcome.output


def test_show_reads_another_directory():
    outcome = CliRunner().invoke(catalog_cli, ["show", "X1", "--dir", str(FIXTURES / "minimal")])
    assert outcome.exit_code == 0
    assert "X1 小作坊关停" in outcome.output

"""Column layouts as data: the generic loader takes the caller's keys and reports every
problem of a file at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from dispatch.workbooks.layout import (
    Column,
    LayoutError,
    Placeholder,
    load_sheet_columns,
    parse_columns,
    sheet_title,
)

KEYS = ("name", "amount", "day", "params")


def _parse(raw: object, keys: tuple[str, ...] = KEYS) -> tuple[list, list[str]]:
    errors: list[str] = []
    return parse_columns(raw, "sheet", keys, errors, placeholders={"params"}), errors


def test_columns_with_kinds_defaults_and_a_placeholder() -> None:
    columns, errors = _parse(
        [
            {"key": "name", "header": " 名称 ", "width": 30, "required": True},
            {"key": "amount", "header": "金额（万元）", "width": 12, "kind": "decimal",
             "format": "0.00", "pollutant": "COD"},
            {"key": "day", "header": "日期", "width": 12, "kind": "date"},
            {"key": "params", "width": 18, "formats": {"integer": "0"}},
        ]
    )  # fmt: skip
    assert errors == []
    name, amount, day, params = columns
    assert name == Column("name", "名称", 30.0, "text", "General", None, True)
    assert (amount.kind, amount.number_format, amount.pollutant) == ("decimal", "0.00", "COD")
    assert (day.kind, day.number_format) == ("date", "yyyy-mm-dd")
    assert isinstance(params, Placeholder)
    assert params.format_for("integer") == "0" and params.format_for("date") == "yyyy-mm-dd"


def test_every_problem_is_reported_at_once() -> None:
    _columns, errors = _parse(
        [
            {"key": "name", "header": "名称", "width": 30},
            {"key": "name", "header": "名称二", "width": 30},
            {"key": "amount", "header": "名称", "width": 0, "kind": "money", "colour": "red"},
            {"key": "unknown", "header": "x", "width": 1},
            {"key": "params", "width": 18, "header": "参数"},
        ]
    )
    assert "sheet.columns[1]: 列 'name' 重复" in errors
    assert "sheet.columns[2]: 表头“名称”重复" in errors
    assert "sheet.columns[2]: width 应为正数" in errors
    assert "sheet.columns[2]: kind 应为 text / integer / decimal / date" in errors
    assert "sheet.columns[2]: 未知字段 'colour'" in errors
    assert "sheet.columns[3]: key 应为以下之一：name, amount, day, params" in errors
    assert "sheet.columns[4]: 未知字段 'header'" in errors
    assert "sheet.columns: 缺少列 'day'" in errors


def test_pollutant_must_be_one_of_the_four() -> None:
    _columns, errors = _parse([{"key": "name", "header": "x", "width": 1, "pollutant": "SO2"}])
    assert "sheet.columns[0]: pollutant 应为 COD / NH3N / NOx / VOCs" in errors


def test_not_a_list() -> None:
    assert _parse({"key": "name"})[1] == ["sheet.columns: 应为列的列表"]


def test_plain_sheet_file(tmp_path: Path) -> None:
    path = tmp_path / "layout.yaml"
    path.write_text(
        "sheet: 表\ncolumns:\n  - {key: name, header: 名称, width: 10}\n", encoding="utf-8"
    )
    raw, columns = load_sheet_columns(path, ("name",))
    assert raw["sheet"] == "表" and [c.header for c in columns] == ["名称"]
    with pytest.raises(LayoutError) as caught:
        load_sheet_columns(path, ("name", "code"))
    assert caught.value.errors == ["layout.columns: 缺少列 'code'"]
    assert "版式文件 layout.yaml 有误" in str(caught.value)


def test_sheet_title_is_legal_and_short() -> None:
    assert sheet_title("W1 城镇[污水]/处理:厂?*") == "W1 城镇污水处理厂"
    assert len(sheet_title("A" * 40)) == 31

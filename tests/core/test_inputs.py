"""The shared input rules (dispatch.core.inputs): what text, numbers, ids, dates and phone
numbers may enter, and that every refusal names the field without echoing the input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dispatch.core import inputs
from dispatch.core.inputs import InputError

MEGABYTE = "厂" * 1_000_000


def refused(call, *args, **kwargs) -> InputError:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as caught:
        call(*args, **kwargs)
    return caught.value


# --- text ----------------------------------------------------------------------------


def test_clean_text_normalises_strips_and_keeps_ordinary_text():
    # "e" + combining acute becomes the single NFC character.
    assert inputs.clean_text("  cafe\u0301 甲区 1 号 ", "地址", max_length=20) == "café 甲区 1 号"
    assert inputs.clean_text(None, "地址", max_length=5) == ""


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f", "\x85", "\n", "\t", "\ud800", "\uffff"])
def test_control_characters_are_refused_in_one_line_text(char):
    error = refused(inputs.clean_text, f"甲{char}乙", "建设地点", max_length=50)
    assert error.message.startswith("建设地点不能包含控制字符")
    assert error.kind == "characters"


def test_multiline_text_keeps_newlines_and_tabs_only():
    text = inputs.clean_text("第一行\r\n\t第二行\r第三行", "备注", max_length=50, multiline=True)
    assert text == "第一行\n\t第二行\n第三行"
    error = refused(inputs.clean_text, "甲\x1b", "备注", max_length=9, multiline=True)
    assert "控制字符" in error.message


@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\u200f", "\u061c"])
def test_direction_controls_are_refused_everywhere(char):
    for multiline in (False, True):
        error = refused(inputs.clean_text, f"a{char}b", "备注", max_length=9, multiline=multiline)
        assert "文字方向控制字符" in error.message


def test_invisible_characters_are_refused_in_names_only():
    assert inputs.clean_text("甲\u200b乙", "备注", max_length=9) == "甲\u200b乙"
    error = refused(inputs.clean_text, "甲\u200b乙", "企业名称", max_length=9, identifier=True)
    assert error.message == "企业名称不能包含不可见字符（U+200B）"


def test_too_long_names_the_field_and_the_limit_and_echoes_nothing():
    error = refused(inputs.clean_text, MEGABYTE, "材料名称", max_length=100)
    assert error.message == "材料名称过长：最多 100 个字符，当前 1000000 个"
    assert error.kind == "length"


@pytest.mark.parametrize(
    "name", ["admin\u200b", "\u0430dmin", "Admin", "ad min", "_admin", "管理员", "a" * 65]
)
def test_user_names_are_lower_case_ascii(name):
    error = refused(inputs.check_username, name)
    assert error.message.startswith("用户名")


def test_plain_user_names_pass():
    assert inputs.check_username(" zhang.san-2_x ") == "zhang.san-2_x"


# --- integers and ids ------------------------------------------------------------------


@pytest.mark.parametrize("text", ["²", "2025²", "١٢", "２０２５", "20x5", "1e3", "", " "])
def test_integers_are_ascii_digits(text):
    error = refused(inputs.parse_int, text, "计划年度")
    assert error.message.startswith("计划年度应为整数（只能使用 0-9）")
    assert error.kind == "format"


def test_integer_bounds_and_huge_numbers():
    assert inputs.parse_int(" 2025 ", "计划年度", minimum=2000, maximum=2100) == 2025
    error = refused(inputs.parse_int, "1999", "计划年度", minimum=2000, maximum=2100)
    assert error.message == "计划年度应在 2000 至 2100 之间"
    error = refused(inputs.parse_int, "9" * 1_000_000, "页码")
    assert error.kind == "range" and len(error.message) < 60


def test_ids_fit_the_database_integer():
    assert inputs.parse_id("2147483647") == 2**31 - 1
    for text in ("2147483648", "0", "-1", "99999999999999999999", "²", "abc", None):
        assert inputs.parse_id(text) is None


# --- decimals --------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["1e999999999", "NaN", "Infinity", "-inf", "1E5", "١٢", "0x10"])
def test_decimals_refuse_exponents_and_non_finite_values(text):
    error = refused(inputs.parse_decimal, text, "总投资（万元）", max_digits=14, places=2)
    assert error.message.startswith("总投资（万元）应为数字")
    assert error.kind == "format"


def test_decimal_digits_are_bounded():
    assert inputs.parse_decimal("1,200.5", "总投资", max_digits=14, places=2) == Decimal("1200.5")
    assert (
        "最多保留 2 位小数"
        in refused(inputs.parse_decimal, "1.234", "总投资", max_digits=14, places=2).message
    )
    assert (
        "整数部分最多 12 位"
        in refused(inputs.parse_decimal, "1" * 13, "总投资", max_digits=14, places=2).message
    )
    huge = refused(inputs.parse_decimal, "9" * 1_000_000, "总投资", max_digits=14, places=2)
    assert len(huge.message) < 60


# --- dates and phone numbers -----------------------------------------------------------


def test_dates_inside_a_window():
    window = {"earliest": dt.date(2020, 1, 1), "latest": dt.date(2035, 12, 31)}
    assert inputs.parse_date("2025-3-1", "计划开工日期", **window) == dt.date(2025, 3, 1)
    assert inputs.parse_date(dt.datetime(2025, 3, 1), "日期", **window) == dt.date(2025, 3, 1)
    early = refused(inputs.parse_date, "0001-01-01", "计划开工日期", **window)
    assert early.message == "计划开工日期不能早于 2020-01-01" and early.kind == "range"
    late = refused(inputs.parse_date, "9999-12-31", "计划开工日期", **window)
    assert late.message == "计划开工日期不能晚于 2035-12-31"
    assert refused(inputs.parse_date, "2025-02-30", "日期").kind == "format"
    assert refused(inputs.parse_date, "2025/02/03", "日期").kind == "format"


@pytest.mark.parametrize(
    "phone",
    ["13812345678", "+86 13812345678", "0531-86123456", "(0531)86123456", "010-12345678-123",
     "0531-86123456转8001", "86123456", "400-123-4567", ""],
)  # fmt: skip
def test_mainland_phone_numbers_pass(phone):
    assert inputs.check_phone(phone) == phone


@pytest.mark.parametrize("phone", ["abc", "12345", "1381234567", "=1+1", "0531-8612\x1b3456"])
def test_other_phone_text_is_refused(phone):
    assert refused(inputs.check_phone, phone, "联系电话").message.startswith("联系电话")

"""The accounting workbook (重点工程减排量核算（YYYY年）, national-export.md §3) through the
web: the sheets and headers of the layout, one row per current confirmation with its
stored values, every parameter and coefficient as a number, the sums against targets
(computed here from the stored rows), print setup, district scope and the audit event;
and the strictness of the layout file."""

from __future__ import annotations

import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from dispatch.core.beijing import CHINA_TZ
from dispatch.core.catalog import get_catalog
from dispatch.reductions.workbook_export import used_values
from dispatch.reductions.workbook_layout import LAYOUT_FILE, get_layout, read_layout
from dispatch.workbooks.layout import LayoutError
from models import AuditEvent, ReductionConfirmation
from tests.exports.seed import TARGETS, YEAR, seed_year

# §3, in its order: code, name, district, type, method, parameters and coefficients,
# capacity and credit per pollutant, confirmed by and when.
SECTION_3 = [
    "序号", "项目编号", "项目名称", "所在区县", "工程类型", "核算方法", "核算参数及系数",
    "COD年减排能力（t/a）", "氨氮年减排能力（t/a）", "氮氧化物年减排能力（t/a）",
    "VOCs年减排能力（t/a）", "COD当年减排量（t）", "氨氮当年减排量（t）",
    "氮氧化物当年减排量（t）", "VOCs当年减排量（t）", "核定人", "核定时间",
]  # fmt: skip
SHEETS = ["核算明细", "参数与系数", "汇总"]


def _download(client, year: int = YEAR):  # type: ignore[no-untyped-def]
    response = client.get(f"/reductions/accounting.xlsx?year={year}")
    data = response.get_data()
    response.close()
    return response, data


def _rows(data: bytes, sheet: str) -> tuple[list[str], list[dict]]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        rows = list(book[sheet].iter_rows(values_only=True))
    finally:
        book.close()
    headers = list(rows[0])
    return headers, [dict(zip(headers, row, strict=True)) for row in rows[1:]]


def _tonnes(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def test_city_workbook_holds_every_current_confirmation_as_stored(app, db, world, login_as):
    with app.app_context():
        seeded = seed_year(db, world, app.extensions["storage"])
    response, data = _download(login_as("city"))
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    assert openpyxl.load_workbook(io.BytesIO(data), read_only=True).sheetnames == SHEETS

    headers, rows = _rows(data, "核算明细")
    assert headers[: len(SECTION_3)] == SECTION_3
    assert headers == [c.header for c in get_layout().projects.columns]
    by_code = {row["项目编号"]: row for row in rows}
    # The current versions only: neither the superseded one nor the draft.
    assert set(by_code) == set(seeded.current)
    assert seeded.draft_code not in by_code
    assert [row["序号"] for row in rows] == list(range(1, len(rows) + 1))
    for code, stored in seeded.current.items():
        row = by_code[code]
        assert row["项目名称"] == stored.project.name
        assert row["所在区县"] == stored.project.district.name
        assert row["工程类型"].startswith("A1 ")
        assert row["核算方法"] == get_catalog().method(stored.method).name_zh
        assert row["氮氧化物年减排能力（t/a）"] == _tonnes(stored.capacity_nox)
        assert row["氮氧化物当年减排量（t）"] == _tonnes(stored.credit_nox)
        assert row["COD年减排能力（t/a）"] is None  # A1 reports NOx only
        assert row["核定人"] == world.users["city"].display_name
        assert stored.confirmed_at is not None
        local = stored.confirmed_at.astimezone(CHINA_TZ).replace(tzinfo=None, microsecond=0)
        assert row["核定时间"] == local
        assert row["稳定运行日期"] == dt.datetime.combine(stored.stable_operation_from, dt.time())
        assert row["计入月数"] == stored.credit_months
        assert row["核定版本"] == stored.version
        assert row["计算过程"] == "\n".join(stored.formula)
        assert f"烟气量 {stored.inputs['gas_flow']} Nm³/h" in row["核算参数及系数"]
    corrected = next(c for c in seeded.current.values() if c.version == 2)
    assert by_code[corrected.project.code]["核定版本"] == 2

    # Every parameter as a real number, tied to its project.
    _headers, params = _rows(data, "参数与系数")
    for code, stored in seeded.current.items():
        found = {r["参数键"]: r for r in params if r["项目编号"] == code}
        assert set(found) == set(stored.inputs)
        for key, value in stored.inputs.items():
            assert found[key]["数值"] == float(Decimal(value)), key
            assert found[key]["类别"] == "参数" and found[key]["来源"] == "填报"

    # Sums against targets, computed here from the stored rows.
    _headers, summary = _rows(data, "汇总")
    by_region = {row["区域"]: row for row in summary}
    assert list(by_region) == ["测试市", "甲区", "乙区"]  # the city first
    credits = {"测试市": Decimal(0), "甲区": Decimal(0), "乙区": Decimal(0)}
    for stored in db.scalars(
        select(ReductionConfirmation).where(ReductionConfirmation.status == "current")
    ):
        credits[stored.project.district.name] += stored.credit_nox or 0
        credits["测试市"] += stored.credit_nox or 0
    names = {"city": "测试市", "district_a": "甲区", "district_b": "乙区"}
    targets = {names[key]: tonnes for key, tonnes in TARGETS.items()}
    for region, credited in credits.items():
        row = by_region[region]
        assert row["氮氧化物当年减排量（t）"] == pytest.approx(float(credited), abs=1e-9)
        assert row["氮氧化物目标（t）"] == float(targets[region])
        percent = (credited * 100 / targets[region]).quantize(Decimal("0.1"), ROUND_HALF_UP)
        assert row["氮氧化物完成率（%）"] == float(percent)
        assert row["COD目标（t）"] is None and row["COD完成率（%）"] is None
        assert row["COD当年减排量（t）"] == 0
    # The city's sum is the sum of the project rows.
    assert by_region["测试市"]["氮氧化物当年减排量（t）"] == pytest.approx(
        sum(row["氮氧化物当年减排量（t）"] for row in rows), abs=1e-9
    )

    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "accounting.export")).one()
    assert event.actor_id == world.users["city"].id
    assert event.object_type == "accounting_workbook" and event.object_id == str(YEAR)
    assert event.details["rows"] == len(seeded.current) and event.details["year"] == YEAR
    assert "scope" not in event.details


def test_every_sheet_is_framed_for_screen_and_paper(app, db, world, login_as):
    with app.app_context():
        seed_year(db, world, app.extensions["storage"], with_round=False)
    _response, data = _download(login_as("city"))
    book = openpyxl.load_workbook(io.BytesIO(data))
    for name in SHEETS:
        sheet = book[name]
        assert sheet.freeze_panes == "A2", name
        assert sheet.print_title_rows == "$1:$1", name
        assert sheet.page_setup.orientation == "landscape", name
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, name
        assert sheet.page_setup.fitToHeight == 0, name
        assert "&P" in sheet.oddFooter.center.text, name
        assert sheet.auto_filter.ref is not None, name
    # Real numbers and dates, not text.
    row = book["核算明细"][2]
    cells = {book["核算明细"].cell(1, c.column).value: c for c in row}
    assert cells["氮氧化物当年减排量（t）"].data_type == "n"
    assert cells["氮氧化物当年减排量（t）"].number_format == "0.0000"
    assert cells["核定时间"].is_date and cells["稳定运行日期"].is_date
    assert cells["项目编号"].data_type == "s"


def test_a_district_gets_its_own_district_only(app, db, world, login_as):
    with app.app_context():
        seeded = seed_year(db, world, app.extensions["storage"], with_round=False)
    response, data = _download(login_as("district_b"))
    assert response.status_code == 200
    assert "%E9%A2%84%E8%A7%88" in response.headers["Content-Disposition"]  # 预览
    _headers, rows = _rows(data, "核算明细")
    mine = {c for c, s in seeded.current.items() if s.project.district_id == world.district_b.id}
    assert {row["项目编号"] for row in rows} == mine and mine
    _headers, params = _rows(data, "参数与系数")
    assert {row["项目编号"] for row in params} == mine
    _headers, summary = _rows(data, "汇总")
    assert [row["区域"] for row in summary] == ["乙区"]
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "accounting.export")).one()
    assert event.details["scope"] == "乙区" and event.details["rows"] == len(mine)


def test_another_city_sees_nothing_of_it(app, db, world, login_as):
    with app.app_context():
        seed_year(db, world, app.extensions["storage"], with_round=False)
    _response, data = _download(login_as("other_city"))
    _headers, rows = _rows(data, "核算明细")
    assert rows == []


def test_a_year_without_confirmations_is_headers_and_zero_sums(app, db, world, login_as):
    with app.app_context():
        seed_year(db, world, app.extensions["storage"], with_round=False)
    _response, data = _download(login_as("city"), 2024)
    _headers, rows = _rows(data, "核算明细")
    assert rows == []
    _headers, summary = _rows(data, "汇总")
    assert all(row["氮氧化物当年减排量（t）"] == 0 for row in summary)


def test_list_parameters_and_table_coefficients_are_rows_with_their_source() -> None:
    catalog = get_catalog()
    method = catalog.method("vehicle_retirement")
    inputs = {"fleet": [{"category": "heavy_diesel_truck", "standard": "china3", "count": 200,
                         "annual_km": "50000"}]}  # fmt: skip
    coefficients = {
        "fleet[0].annual_km": {"value": "50000", "unit": "km/a", "source": "param"},
        "fleet[0].nox_factor": {"value": "8.0", "unit": "g/km", "source": "table",
                                "table_key": "vehicle_factors.nox_factor", "example": True},
    }  # fmt: skip
    values = {v.path: v for v in used_values(method, inputs, coefficients)}
    assert values["fleet[0].count"].number == 200 and not values["fleet[0].count"].is_coefficient
    assert values["fleet[0].standard"].number is None and values["fleet[0].standard"].text
    assert values["fleet[0].annual_km"].is_coefficient
    assert values["fleet[0].annual_km"].source == "entered"
    nox = values["fleet[0].nox_factor"]
    assert nox.number == Decimal("8.0") and nox.source == "example" and nox.unit == "g/km"
    assert nox.table_key == "vehicle_factors.nox_factor"
    assert nox.label.startswith("淘汰车辆明细第1行")


def test_the_layout_file_is_checked_strictly(tmp_path: Path) -> None:
    text = LAYOUT_FILE.read_text(encoding="utf-8")
    assert read_layout().projects.name == "核算明细"
    broken = text.replace("pollutant: NOx}", "pollutant: COD}", 1).replace(
        "    - {key: fingerprint", "    - {key: nothing", 1
    )
    path = tmp_path / "accounting_layout.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(LayoutError) as caught:
        read_layout(path)
    message = "\n".join(caught.value.errors)
    assert "capacity_nox 的 pollutant 应为 NOx" in message
    assert "缺少列 'fingerprint'" in message

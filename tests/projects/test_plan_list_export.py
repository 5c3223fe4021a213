"""Plan-list workbook export (national-export.md §1): sheets, cells, scope, audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import quote

import pytest
from sqlalchemy import select

from models import AuditEvent, ConstructionStatus
from tests.projects.excel_helpers import (
    CATALOG,
    LAYOUT,
    YEAR,
    export,
    header_index,
    make_project,
    project_input,
    sheet_rows,
    workbook,
)


@pytest.fixture
def plan(db, app, world):  # type: ignore[no-untyped-def]
    """Approved projects in both districts, a draft in district A, one from another year."""
    a, b = world.district_a, world.district_b
    dist_a, dist_b, city = (world.users[k] for k in ("district_a", "district_b", "city"))
    made = {
        "w1": make_project(
            db, app, dist_a, project_input(a, "W1", "plant_new", "甲区第二污水处理厂扩建", n=1),
            approver=city,
        ),
        "a2": make_project(
            db, app, dist_a,
            project_input(
                a, "A2", "fuel_elimination", "甲区燃煤锅炉淘汰", n=2,
                enterprise=world.enterprise_a,
                construction_status=ConstructionStatus.UNDER_CONSTRUCTION.value,
                actual_start="2025-03-10",
            ),
            approver=city,
        ),
        "a6": make_project(
            db, app, dist_b,
            project_input(b, "A6", "vehicle_retirement", "乙区国三柴油车淘汰", n=3),
            approver=city,
        ),
        "draft": make_project(
            db, app, dist_a, project_input(a, "W1", "plant_new", "甲区草稿项目", n=4)
        ),
        "other_year": make_project(
            db, app, dist_a, project_input(a, "W3", "network", "甲区往年管网", n=5, year=YEAR - 1),
            approver=city,
        ),
    }  # fmt: skip
    db.commit()
    return made


def test_city_export_sheets_headers_and_cells(client, login_as, plan, world, db) -> None:
    login_as("city")
    response = client.get(f"/projects/export.xlsx?year={YEAR}")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response.headers["Content-Disposition"]
    assert "filename*=UTF-8''" + quote(f"重点减排工程计划清单（{YEAR}年）.xlsx") in disposition
    book = workbook(response.data)

    expected_sheets = ["汇总"]
    for sheet_def in LAYOUT.type_sheets:
        expected_sheets += [sheet_def.name, *(d.name for d in sheet_def.details)]
    assert book.sheetnames == expected_sheets
    assert "W1 城镇污水处理厂新建扩建工程" in book.sheetnames
    assert all(len(name) <= 31 and not set("[]:*?/\\") & set(name) for name in book.sheetnames)

    w1 = book[LAYOUT.type_sheet("W1").name]
    headers = [c.value for c in w1[1]]
    assert headers[:16] == [
        "序号", "项目编号", "项目名称", "所在区县", "行政区划代码", "计划年度", "建设单位",
        "统一社会信用代码", "排污许可证编号", "经度", "纬度", "核算方法", "计划开工日期",
        "计划完工日期", "总投资（万元）", "环保投资（万元）",
    ]  # fmt: skip
    assert "进水COD浓度（mg/L）" in headers and "运行天数（d/a）" in headers
    assert headers[-10:] == [
        "预计COD减排量（t/a）", "预计氨氮减排量（t/a）", "建设状态", "实际开工日期", "实际完工日期",
        "稳定运行日期", "建设地点", "联系人", "联系电话", "备注",
    ]  # fmt: skip
    assert w1.freeze_panes == "A2"
    assert w1.auto_filter.ref == f"A1:{w1.cell(1, len(headers)).column_letter}2"

    # Only the approved project of the year: no draft, no other year.
    rows = sheet_rows(w1)
    assert [r["项目名称"] for r in rows] == ["甲区第二污水处理厂扩建"]
    col = header_index(w1)
    row = w1[2]
    start = row[col["计划开工日期"] - 1]
    assert start.is_date and start.number_format == "yyyy-mm-dd"
    assert start.value.date() == plan["w1"].planned_start
    for header in ("总投资（万元）", "经度", "进水COD浓度（mg/L）", "预计COD减排量（t/a）"):
        assert isinstance(row[col[header] - 1].value, int | float), header
    assert row[col["运行天数（d/a）"] - 1].value == 365
    assert row[col["总投资（万元）"] - 1].value == pytest.approx(1010.5)
    assert Decimal(str(row[col["预计COD减排量（t/a）"] - 1].value)) == plan["w1"].expected_cod
    assert rows[0]["项目编号"] == plan["w1"].code
    assert rows[0]["行政区划代码"] == "990101"
    assert rows[0]["核算方法"] == CATALOG.method("plant_new").name_zh
    assert rows[0]["建设单位"] == "甲区住房和城乡建设局" and rows[0]["统一社会信用代码"] is None
    assert rows[0]["建设状态"] == "未开工"

    a2 = sheet_rows(book[LAYOUT.type_sheet("A2").name])[0]
    assert a2["建设单位"] == world.enterprise_a.name
    assert a2["统一社会信用代码"] == world.enterprise_a.uscc
    assert a2["建设状态"] == "在建"
    assert a2["淘汰前燃料消耗量（t/a）"] is not None and a2["标态干烟气量（Nm³/h）"] is None

    fleet = sheet_rows(book["明细_A6"])
    assert fleet and fleet[0]["项目编号"] == plan["a6"].code
    assert fleet[0]["车型"] == "重型柴油货车" and fleet[0]["排放标准"] == "国三"
    assert isinstance(fleet[0]["淘汰数量（辆或台）"], int)


def test_summary_totals(client, login_as, plan, world) -> None:
    login_as("city")
    summary = workbook(export(client))["汇总"]
    rows = list(summary.iter_rows(values_only=True))
    assert rows[0][:4] == ("工程类型", "代码", "项目数（个）", "总投资（万元）")
    by_code = {r[1]: r for r in rows[1 : 1 + len(LAYOUT.type_sheets)]}
    assert by_code["W1"][2] == 1 and by_code["A2"][2] == 1 and by_code["A6"][2] == 1
    assert by_code["W3"][2] == 0  # only the other year's project
    total = rows[1 + len(LAYOUT.type_sheets)]
    assert total[0] == "合计" and total[2] == 3
    approved = [plan["w1"], plan["a2"], plan["a6"]]
    assert Decimal(str(total[3])) == sum(p.total_investment for p in approved)
    assert Decimal(str(total[5])) == plan["w1"].expected_cod  # COD comes from W1 only
    assert by_code["W1"][7] is None  # W1 reports no NOx
    assert Decimal(str(total[7])).quantize(Decimal("0.000001")) == sum(
        (p.expected_nox or 0) for p in approved
    )
    districts = {r[1]: r for r in rows if r[1] in ("990101", "990102")}
    assert districts["990101"][0] == "甲区" and districts["990101"][2] == 2
    assert districts["990102"][2] == 1
    assert summary.freeze_panes == "A2"


def test_district_exports_only_its_own_district(client, login_as, plan) -> None:
    login_as("district_b")
    book = workbook(export(client))
    names = [r["项目名称"] for s in book.worksheets[1:] for r in sheet_rows(s) if "项目名称" in r]
    assert names == ["乙区国三柴油车淘汰", "乙区国三柴油车淘汰"]  # A6 row and its fleet line
    summary_codes = [r[1] for r in book["汇总"].iter_rows(values_only=True)]
    assert "990102" in summary_codes and "990101" not in summary_codes


def test_district_preview_with_all_statuses(client, login_as, plan) -> None:
    login_as("district_a")
    book = workbook(export(client, status="all"))
    w1 = [r["项目名称"] for r in sheet_rows(book[LAYOUT.type_sheet("W1").name])]
    assert w1 == ["甲区第二污水处理厂扩建", "甲区草稿项目"]
    assert not sheet_rows(book[LAYOUT.type_sheet("A6").name])


def test_export_is_audited_with_row_count(client, login_as, plan, db) -> None:
    login_as("city")
    export(client)
    event = db.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "project.export")
        .order_by(AuditEvent.id.desc())
    )
    assert event is not None and event.details == {"year": YEAR, "status": "approved", "rows": 3}


def test_same_data_gives_same_cell_values(client, login_as, plan) -> None:
    login_as("city")
    first, second = workbook(export(client)), workbook(export(client))
    for sheet in first.worksheets:
        assert list(sheet.values) == list(second[sheet.title].values)


def test_bad_year_is_refused_without_error_page(client, login_as, world) -> None:
    login_as("city")
    response = client.get("/projects/export.xlsx?year=abc")
    assert response.status_code == 302
    assert client.get(response.headers["Location"]).status_code == 200


@pytest.mark.parametrize("who", ["enterprise_a", "admin", "auditor"])
def test_export_and_import_are_404_without_permission(client, login_as, world, who) -> None:
    login_as(who)
    assert client.get(f"/projects/export.xlsx?year={YEAR}").status_code == 404
    assert client.get("/projects/import").status_code == 404
    assert client.get("/projects/import/template.xlsx").status_code == 404


def test_template_has_every_type_sheet_header(client, login_as, world) -> None:
    login_as("district_a")
    response = client.get("/projects/import/template.xlsx")
    assert response.status_code == 200
    book = workbook(response.data)
    assert len(book.sheetnames) == len(LAYOUT.type_sheets) + 2  # + 明细_A4, 明细_A6
    for sheet_def in LAYOUT.type_sheets:
        sheet = book[sheet_def.name]
        assert [c.value for c in sheet[1]] == [c.header for c in sheet_def.columns]
        assert sheet.max_row == 1 and sheet.freeze_panes == "A2"


def test_dates_are_dates_not_datetimes_text(client, login_as, plan) -> None:
    login_as("city")
    book = workbook(export(client))
    sheet = book[LAYOUT.type_sheet("A6").name]
    col = header_index(sheet)
    cell = sheet.cell(2, col["计划完工日期"])
    assert cell.is_date and cell.value == dt.datetime(YEAR, 11, 30)


def test_every_sheet_prints_one_page_wide_with_its_header(client, login_as, plan) -> None:
    login_as("city")
    book = workbook(export(client))
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert sheet.page_setup.fitToHeight == 0 and sheet.page_setup.fitToWidth in (None, 1)
        assert sheet.print_title_rows == "$1:$1" and sheet.freeze_panes == "A2"
        assert sheet.oddFooter.center.text == "第 &P 页，共 &N 页"

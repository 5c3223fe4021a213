"""Plan-list workbook import: all rows or none, a full error report, exact round trip."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from dispatch.demo.orgs import demo_uscc
from dispatch.projects.samples import sample_params
from models import AuditEvent, ConstructionStatus, PlanStatus, Project
from tests.projects.excel_helpers import (
    CATALOG,
    LAYOUT,
    TYPE_METHODS,
    YEAR,
    export,
    make_project,
    project_input,
    reported_errors,
    snapshot,
    upload,
    workbook,
)

STATUSES = list(ConstructionStatus)


def _count(db) -> int:  # type: ignore[no-untyped-def]
    return db.scalar(select(func.count()).select_from(Project))


def _varied_params(method: str, i: int) -> dict[str, Any]:
    """Sample parameters, with coefficient-backed and optional ones sometimes left blank and
    list parameters sometimes holding two lines."""
    params = sample_params(method, 1 + i % 3)
    if i % 4 == 0:
        for param in CATALOG.method(method).params:
            if param.coefficient or not param.required:
                params.pop(param.key, None)
    for key in ("materials", "fleet"):
        if key in params and i % 2 == 1:
            second = dict(params[key][0])
            if key == "fleet":
                second.update(count="7")
                for column in ("annual_km", "nox_factor", "voc_factor"):
                    second.pop(column)  # the vehicle factor table supplies them
            else:
                second.update(name="清洗剂替代", use_before="3.5", voc_after="0")
            params[key] = [params[key][0], second]
    return params


def _create(db, app, world, count: int) -> list[Project]:  # type: ignore[no-untyped-def]
    city = world.users["city"]
    made = []
    for i in range(count):
        type_code, method = TYPE_METHODS[i % len(TYPE_METHODS)]
        side = "a" if i % 2 == 0 else "b"
        district = getattr(world, f"district_{side}")
        enterprise = getattr(world, f"enterprise_{side}") if i % 3 == 0 else None
        status = STATUSES[i % len(STATUSES)]
        # A reached status carries its actual dates (workflow.md); they must round-trip too.
        # Actual dates lie before the test clock's today (2025-06-02): none in the future.
        done = status.rank >= ConstructionStatus.COMPLETED.rank
        raw = project_input(
            district, type_code, method, f"{district.name}{type_code}项目{i:02d}", n=i,
            enterprise=enterprise, params=_varied_params(method, i),
            construction_status=status.value,
            actual_start=dt.date(2025, 3, 10) if status.rank >= 2 else None,
            actual_completion=dt.date(2025, 5, 20 + i % 5) if done else None,
            stable_operation_from=(
                dt.date(2025, 5, 28) if status == ConstructionStatus.STABLE_OPERATION else None
            ),
            contact_name="" if i % 5 == 0 else "李四", notes="" if i % 7 == 0 else f"备注 {i}",
        )  # fmt: skip
        made.append(make_project(db, app, world.users[f"district_{side}"], raw, approver=city))
    return made


def _export_then_forget(db, app, client, world, count: int):  # type: ignore[no-untyped-def]
    """Create and approve ``count`` projects, export them as the city, then roll them back:
    the database is as before, and the workbook is the only record of them."""
    savepoint = db.begin_nested()
    projects = _create(db, app, world, count)
    before = {(p.district_id, p.name): (p.code, snapshot(p)) for p in projects}
    data = export(client)
    savepoint.rollback()
    db.expire_all()
    return data, before


def _imported(db) -> dict:  # type: ignore[no-untyped-def]
    return {
        (p.district_id, p.name): p
        for p in db.scalars(select(Project).where(Project.plan_year == YEAR))
    }


def test_fifty_projects_of_all_types_import_as_drafts(db, app, client, login_as, world) -> None:
    login_as("city")
    data, before = _export_then_forget(db, app, client, world, 50)
    assert {s["type_code"] for _c, s in before.values()} == {t.code for t in CATALOG.types}
    count = _count(db)

    response = upload(client, data)
    assert response.status_code == 302, reported_errors(response.get_data(as_text=True))
    assert "导入成功：共导入 50 个项目" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert _count(db) == count + 50
    imported = _imported(db)
    assert set(imported) == set(before)
    for key, project in imported.items():
        assert project.plan_status == PlanStatus.DRAFT
        assert snapshot(project) == before[key][1], project.name
        # Codes come out the same because the sequence restarts where the export's began.
        assert project.code == before[key][0]
    event = db.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "project.import", AuditEvent.object_type == "plan_list")
        .order_by(AuditEvent.id.desc())
    )
    assert event is not None and event.details["rows"] == 50


def test_round_trip_reproduces_every_cell(db, app, client, login_as, world) -> None:
    login_as("city")
    first, _before = _export_then_forget(db, app, client, world, 24)
    assert upload(client, first).status_code == 302
    second = workbook(export(client, status="all"))
    original = workbook(first)
    assert second.sheetnames == original.sheetnames
    for sheet in original.worksheets:
        assert list(sheet.values) == list(second[sheet.title].values), sheet.title
        assert sheet.max_row > 1 or sheet.title.startswith("明细") or sheet.title == "汇总"


# --- the bad workbook --------------------------------------------------------------------


def _row(sheet_name: str, values: dict[str, Any]) -> dict[str, Any]:
    return {"__sheet__": sheet_name, **values}


def _good(name: str, division: str = "990101", **cells: Any) -> dict[str, Any]:
    params = sample_params("plant_new")
    sheet = LAYOUT.type_sheet("W1")
    values: dict[str, Any] = {
        "项目名称": name,
        "所在区县": "",
        "行政区划代码": division,
        "计划年度": YEAR,
        "建设单位": "甲区水务局",
        "经度": 117.1,
        "纬度": 36.6,
        "核算方法": CATALOG.method("plant_new").name_zh,
        "计划开工日期": dt.datetime(YEAR, 3, 1),
        "计划完工日期": dt.datetime(YEAR, 10, 1),
        "总投资（万元）": 5000,
        "环保投资（万元）": 4000,
        "建设状态": "未开工",
        "建设地点": "甲区滨河路",
    }
    for key, value in params.items():
        values[sheet.param_header("plant_new", key)] = float(value)
    values.update(cells)
    return values


def _book(sheets: dict[str, tuple[list[str], list[dict[str, Any]]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, (headers, rows) in sheets.items():
        sheet = book.create_sheet(title)
        sheet.append(headers)
        for row in rows:
            sheet.append([row.get(h) for h in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _headers(sheet_def) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.header for c in sheet_def.columns]


def test_bad_workbook_imports_nothing_and_reports_every_cell(
    db, app, client, login_as, world
) -> None:
    a = world.district_a
    make_project(
        db, app, world.users["district_a"], project_input(a, "W3", "network", "甲区已有项目")
    )
    db.commit()
    valid = world.enterprise_a.uscc
    broken = valid[:-1] + ("0" if valid[-1] != "0" else "1")
    w1 = LAYOUT.type_sheet("W1")
    rows = [
        _good("甲区好项目"),  # row 2: fine
        _good("信用代码错误", 统一社会信用代码=broken),  # 3
        _good("投资为文字", **{"总投资（万元）": "一百万"}),  # 4
        _good("完工早于开工", 计划完工日期=dt.datetime(YEAR, 2, 1)),  # 5
        _good("方法未知", 核算方法="神奇方法"),  # 6
        _good("缺少参数", **{"进水COD浓度（mg/L）": None}),  # 7
        _good("经度越界", 经度=150),  # 8
        _good("甲区好项目"),  # 9: same name as row 2
        _good("甲区已有项目"),  # 10: same name as a project in the database
        _good("乙区的项目", division="990102"),  # 11: another district's division code
        _good("出水高于进水", **{"出水COD浓度（mg/L）": 300}),  # 12
        _good("开工日期为空", 计划开工日期=None),  # 13
        _good("企业不存在", 统一社会信用代码=demo_uscc("990101", 987)),  # 14
    ]
    a4 = LAYOUT.type_sheet("A4")
    a4_row = {
        **{k: v for k, v in _good("甲区涂料替代").items() if k in _headers(a4)},
        "项目编号": "新1",
        "核算方法": CATALOG.method("voc_substitution").name_zh,
    }
    material = {
        "项目编号": "新1",
        "材料名称": "水性涂料",
        "替代前用量（t/a）": 10,
        "替代前VOCs含量（%）": 20,
        "替代后用量（t/a）": 10,
        "替代后VOCs含量（%）": 30,
    }
    data = _book(
        {
            w1.name: (_headers(w1), rows),
            "W9 未知类型": (["项目名称"], [{"项目名称": "x"}]),
            a4.name: (_headers(a4), [a4_row]),
            "明细_A4": (_headers(a4.details[0]), [material]),
        }
    )
    count = _count(db)
    login_as("district_a")
    response = upload(client, data)
    assert response.status_code == 200
    assert _count(db) == count
    page = response.get_data(as_text=True)
    assert "未导入任何项目" in page
    errors = reported_errors(page)
    expected = [
        (w1.name, 3, "统一社会信用代码", "无效"),
        (w1.name, 4, "总投资（万元）", "应为数字"),
        (w1.name, 5, "计划完工日期", "不能早于计划开工日期"),
        (w1.name, 6, "核算方法", "神奇方法"),
        (w1.name, 7, "进水COD浓度（mg/L）", "请填写"),
        (w1.name, 8, "经度", "73 至 136"),
        (w1.name, 9, "项目名称", "重名"),
        (w1.name, 10, "项目名称", "已有同名项目"),
        (w1.name, 11, "行政区划代码", "不存在或不在本辖区"),
        (w1.name, 12, "出水COD浓度（mg/L）", "不能高于"),
        (w1.name, 13, "计划开工日期", "不能为空"),
        (w1.name, 14, "统一社会信用代码", "不存在或不在本辖区"),
        ("W9 未知类型", None, None, "未知的工程类型"),
        ("明细_A4", 2, "替代后VOCs含量（%）", "不能高于"),
    ]
    for sheet, row, column, reason in expected:
        shown_row = f"第 {row} 行" if row else "—"
        matches = [
            e
            for e in errors
            if e[0] == sheet and e[1] == shown_row and e[2] == (column or "—") and reason in e[3]
        ]
        assert matches, (sheet, row, column, reason, errors)
    assert not [e for e in errors if e[0] == w1.name and e[1] == "第 2 行"]
    assert len(errors) == len(expected), errors
    refused = db.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "project.import")
        .order_by(AuditEvent.id.desc())
    )
    assert refused is not None and refused.details["errors"] == len(expected)


def test_district_cannot_import_into_another_district(db, client, login_as, world) -> None:
    w1 = LAYOUT.type_sheet("W1")
    data = _book({w1.name: (_headers(w1), [_good("乙区管网", division="990102")])})
    login_as("district_a")
    count = _count(db)
    errors = reported_errors(upload(client, data).get_data(as_text=True))
    # Out of scope reads like unknown: the region's name is not given away.
    assert errors == [
        (w1.name, "第 2 行", "行政区划代码", "行政区划代码 990102 不存在或不在本辖区")
    ]
    assert _count(db) == count


def test_other_districts_enterprise_is_not_named(db, client, login_as, world) -> None:
    """A district typing another district's credit code learns nothing about that enterprise."""
    w1 = LAYOUT.type_sheet("W1")
    other = world.enterprise_b
    row = _good("甲区借用乙区企业", 统一社会信用代码=other.uscc)
    login_as("district_a")
    count = _count(db)
    page = upload(client, _book({w1.name: (_headers(w1), [row])})).get_data(as_text=True)
    errors = reported_errors(page)
    assert errors == [
        (w1.name, "第 2 行", "统一社会信用代码",
         f"统一社会信用代码 {other.uscc} 不存在或不在本辖区：须为本辖区已录入的企业"),
    ]  # fmt: skip
    assert other.name not in page and world.district_b.name not in page
    assert _count(db) == count


def test_city_imports_into_any_district_of_its_city(db, client, login_as, world) -> None:
    w1 = LAYOUT.type_sheet("W1")
    rows = [_good("乙区新厂", division="990102", 所在区县="乙区", 建设单位="乙区水务局")]
    login_as("city")
    response = upload(client, _book({w1.name: (_headers(w1), rows)}))
    assert response.status_code == 302
    project = db.scalar(select(Project).where(Project.name == "乙区新厂"))
    assert project is not None and project.district_id == world.district_b.id
    assert project.code == f"990102-{YEAR}-W1-001" and project.plan_status == PlanStatus.DRAFT
    assert project.owner_unit == "乙区水务局" and project.enterprise_id is None


def test_method_by_key_and_enterprise_by_credit_code(db, client, login_as, world) -> None:
    w1 = LAYOUT.type_sheet("W1")
    row = _good("甲区企业自建厂", 核算方法="plant_new", 统一社会信用代码=world.enterprise_a.uscc)
    login_as("district_a")
    assert upload(client, _book({w1.name: (_headers(w1), [row])})).status_code == 302
    project = db.scalar(select(Project).where(Project.name == "甲区企业自建厂"))
    assert project.method == "plant_new" and project.enterprise_id == world.enterprise_a.id
    assert project.owner_unit == ""


def test_missing_required_header_is_named(db, client, login_as, world) -> None:
    w1 = LAYOUT.type_sheet("W1")
    headers = [h for h in _headers(w1) if h != "计划开工日期"]
    login_as("district_a")
    errors = reported_errors(
        upload(client, _book({w1.name: (headers, [_good("x")])})).get_data(as_text=True)
    )
    assert (w1.name, "第 1 行", "计划开工日期", "缺少列“计划开工日期”") in errors


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "上传的文件为空"),
        (b"this is not a workbook", "不是有效的 .xlsx 格式"),
        (b"PK\x03\x04broken zip", "文件已损坏"),
        (b"\xd0\xcf\x11\xe0old excel", "不支持旧版 .xls 格式"),
    ],
)
def test_unreadable_files_get_a_clear_message(client, login_as, world, data, message) -> None:
    login_as("district_a")
    response = upload(client, data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


def test_empty_template_has_no_data(client, login_as, world) -> None:
    login_as("district_a")
    template = client.get("/projects/import/template.xlsx").data
    page = upload(client, template).get_data(as_text=True)
    assert "文件中没有项目数据" in page


def test_post_without_csrf_token_is_400(client, login_as, world) -> None:
    login_as("district_a")
    response = client.post(
        "/projects/import",
        data={"file": (io.BytesIO(b"PK"), "a.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400


def test_import_page_explains_codes_and_drafts(client, login_as, world) -> None:
    login_as("district_a")
    page = client.get("/projects/import").get_data(as_text=True)
    assert "“序号”和“项目编号”不会导入" in page and "草稿" in page
    assert "<script>" not in page.split("<footer", 1)[0] and "style=" not in page


def test_row_limit_is_enforced(client, login_as, world, monkeypatch) -> None:
    from dispatch.workbooks import importer

    monkeypatch.setattr(importer, "MAX_ROWS", 2)
    w1 = LAYOUT.type_sheet("W1")
    rows = [_good(f"项目{i}") for i in range(3)]
    login_as("district_a")
    page = upload(client, _book({w1.name: (_headers(w1), rows)})).get_data(as_text=True)
    assert "工作表行数超过 2 行（空行也计入）" in page

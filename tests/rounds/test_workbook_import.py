"""The district's offline fill workbook through the web: download → fill in Excel → upload,
all rows or none, every bad cell named, scope and versions respected."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from models import AuditEvent, AuditOutcome, ReportStatus
from tests.conftest import login
from tests.projects.excel_helpers import reported_errors
from tests.rounds import workbook_helpers as wb
from tests.rounds.helpers import close, fill
from tests.rounds.workbook_helpers import FILL_SHEET, PROGRESS_SHEET


def test_fill_workbook_holds_the_districts_fillable_reports_prefilled(
    rounds, db, app, login_as
) -> None:
    users = rounds.world.users
    with app.app_context():
        fill(db, users["enterprise_a"], rounds.report(db, "ent"), description="企业填写")
        db.commit()
    book = wb.fill_book(login_as("district_a"), rounds.round.id)
    assert book.sheetnames == ["进展填报", "填写说明"]
    sheet = book[FILL_SHEET]
    rows = wb.by_code(sheet)
    assert set(rows) == {rounds.projects["ent"].code, rounds.projects["pub"].code}
    ent = rows[rounds.projects["ent"].code]
    assert ent["进展情况"].value == "企业填写" and ent["建设状态"].value == "在建"
    assert ent["累计完成投资（万元）"].data_type == "n" and ent["实际开工日期"].is_date
    report = rounds.report(db, "ent")
    assert ent["填报编号（系统用）"].value == report.id
    assert ent["版本（系统用）"].value == report.version_id
    headers = {c.value: c.column_letter for c in sheet[1]}
    for hidden in ("填报编号（系统用）", "版本（系统用）"):
        assert sheet.column_dimensions[headers[hidden]].hidden
    lists = [v for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert len(lists) == 1 and "在建" in lists[0].formula1 and "稳定运行" in lists[0].formula1
    assert headers["建设状态"] in str(lists[0].sqref)
    event = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "progress.fill_download")
    ).one()
    assert event.details["rows"] == 2


def test_round_trip_download_fill_upload_gives_the_same_reports(rounds, db, login_as) -> None:
    client = login_as("district_a")
    before = wb.states(db, rounds)
    sheet_book = wb.fill_book(client, rounds.round.id)
    pub_code = rounds.projects["pub"].code
    wb.set_cells(
        sheet_book[FILL_SHEET],
        pub_code,
        **{
            "建设状态": "在建",
            "完成进度（%）": 45.5,
            "本月完成投资（万元）": 80,
            "累计完成投资（万元）": 380.25,
            "实际开工日期": dt.datetime(2025, 3, 10),
            "进展情况": "管网铺设完成 45%",
            "存在问题": "雨季影响",
            "下步计划": "设备进场",
        },
    )
    response = wb.upload(client, rounds.round.id, wb.to_bytes(sheet_book))
    assert response.status_code == 302, reported_errors(response.get_data(as_text=True))
    assert response.headers["Location"].endswith(f"/rounds/{rounds.round.id}/grid")
    after = wb.states(db, rounds)
    pub = after["pub"]
    assert pub["status"] == ReportStatus.PENDING  # saved, not submitted
    assert pub["version"] == before["pub"]["version"] + 1
    assert (pub["percent_complete"], pub["investment_cumulative"]) == (
        Decimal("45.50"),
        Decimal("380.25"),
    )
    assert pub["actual_start"] == dt.date(2025, 3, 10)
    assert (pub["description"], pub["problems"], pub["next_steps"]) == (
        "管网铺设完成 45%",
        "雨季影响",
        "设备进场",
    )
    # The untouched row and the other district's report are as they were.
    assert after["ent"] == before["ent"] and after["b"] == before["b"]
    assert rounds.report(db, "ent").filled_at is None
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "progress.import")).one()
    assert event.outcome == AuditOutcome.SUCCESS and event.details["saved"] == 1
    assert event.details["unchanged"] == 1
    # Downloading again gives what was uploaded: the same reports.
    again = wb.by_code(wb.fill_book(client, rounds.round.id)[FILL_SHEET])[pub_code]
    assert again["完成进度（%）"].value == 45.5 and again["进展情况"].value == "管网铺设完成 45%"
    assert again["版本（系统用）"].value == pub["version"]
    # And the same workbook uploaded again (now stale for that row, but equal) changes nothing.
    assert wb.upload(client, rounds.round.id, wb.to_bytes(sheet_book)).status_code == 302
    assert wb.states(db, rounds) == after


def test_a_workbook_with_bad_cells_imports_nothing_and_names_each_cell(
    rounds, db, login_as
) -> None:
    client = login_as("district_a")
    before = wb.states(db, rounds)
    book = wb.fill_book(client, rounds.round.id)
    sheet = book[FILL_SHEET]
    ent_code, pub_code = rounds.projects["ent"].code, rounds.projects["pub"].code
    wb.set_cells(
        sheet, pub_code, **{"完成进度（%）": 150, "建设状态": "快完了", "进展情况": "正常"}
    )
    wb.set_cells(sheet, ent_code, **{"实际开工日期": "2025-13-01", "累计完成投资（万元）": -1})
    rows = {sheet.cell(r, 1).value: r for r in range(2, sheet.max_row + 1)}
    response = wb.upload(client, rounds.round.id, wb.to_bytes(book))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "未导入任何填报" in page
    errors = {(sheet_, row, column) for sheet_, row, column, _reason in reported_errors(page)}
    assert errors == {
        (FILL_SHEET, f"第 {rows[pub_code]} 行", "完成进度（%）"),
        (FILL_SHEET, f"第 {rows[pub_code]} 行", "建设状态"),
        (FILL_SHEET, f"第 {rows[ent_code]} 行", "实际开工日期"),
        (FILL_SHEET, f"第 {rows[ent_code]} 行", "累计完成投资（万元）"),
    }
    reasons = " ".join(r[3] for r in reported_errors(page))
    assert "完成进度（%）不能大于 100" in reasons and "建设状态“快完了”无效" in reasons
    assert wb.states(db, rounds) == before
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "progress.import")).one()
    assert event.outcome == AuditOutcome.FAILURE and event.details["errors"] == 4


def test_formula_looking_description_round_trips_as_text(rounds, db, app, login_as) -> None:
    users = rounds.world.users
    formula = '=HYPERLINK("http://x","点我")'
    with app.app_context():
        fill(db, users["district_a"], rounds.report(db, "pub"), description=formula)
        db.commit()
    client = login_as("district_a")
    _response, data = wb.get(client, f"/rounds/{rounds.round.id}/fill.xlsx")
    code = rounds.projects["pub"].code
    cell = wb.by_code(wb.book(data)[FILL_SHEET])[code]["进展情况"]
    assert cell.data_type == "s" and cell.value == formula and cell.quotePrefix
    book = wb.book(data)
    wb.set_cells(book[FILL_SHEET], code, **{"完成进度（%）": 41})
    assert wb.upload(client, rounds.round.id, wb.to_bytes(book)).status_code == 302
    db.expire_all()
    report = rounds.report(db, "pub")
    assert report.description == formula and report.percent_complete == Decimal("41.00")
    city = app.test_client()
    assert login(city, users["city"].username, rounds.world.password).status_code == 302
    export = wb.get(city, f"/rounds/{rounds.round.id}/progress.xlsx")[1]
    shown = wb.by_code(wb.book(export)[PROGRESS_SHEET])[code]["进展情况"]
    assert shown.data_type == "s" and shown.value == formula and shown.quotePrefix


def test_a_report_changed_since_the_download_is_refused_naming_the_row(
    rounds, db, app, login_as
) -> None:
    client = login_as("district_a")
    book = wb.fill_book(client, rounds.round.id)
    with app.app_context():
        # The enterprise fills its part after the district's download.
        fill(
            db, rounds.world.users["enterprise_a"], rounds.report(db, "ent"), percent_complete="30"
        )
        db.commit()
    before = wb.states(db, rounds)
    ent_code = rounds.projects["ent"].code
    wb.set_cells(book[FILL_SHEET], rounds.projects["pub"].code, **{"进展情况": "区县填写"})
    response = wb.upload(client, rounds.round.id, wb.to_bytes(book))
    assert response.status_code == 200
    errors = reported_errors(response.get_data(as_text=True))
    assert len(errors) == 1
    sheet_, row, column, reason = errors[0]
    assert (sheet_, row, column) == (FILL_SHEET, "第 2 行", "项目编号")
    assert ent_code in reason and "已被他人修改" in reason
    assert wb.states(db, rounds) == before  # the other row was not saved either


def test_rows_out_of_scope_or_not_in_the_round_are_errors_that_reveal_nothing(
    rounds, db, login_as
) -> None:
    client = login_as("district_a")
    before = wb.states(db, rounds)
    book = wb.fill_book(client, rounds.round.id)
    sheet = book[FILL_SHEET]
    foreign = rounds.projects["b"].code  # 乙区's report in the same round
    other_city = rounds.projects["other"].code
    wb.set_cells(sheet, rounds.projects["ent"].code, **{"项目编号": foreign})
    wb.set_cells(sheet, rounds.projects["pub"].code, **{"项目编号": other_city})
    sheet.append([*["990101-2025-W1-999"], *[None] * 5, "在建", 1, 0, 0])
    response = wb.upload(client, rounds.round.id, wb.to_bytes(book))
    page = response.get_data(as_text=True)
    errors = reported_errors(page)
    assert [e[2] for e in errors] == ["项目编号"] * 3
    assert all("不在本轮您可填报的范围内" in e[3] for e in errors)
    for secret in ("乙区", "丙区", "邻市", "国三柴油车", "丙区柴油车淘汰"):
        assert secret not in " ".join(e[3] for e in errors)
    assert wb.states(db, rounds) == before


def test_a_submitted_report_in_the_workbook_is_refused(rounds, db, app, login_as) -> None:
    client = login_as("district_a")
    book = wb.fill_book(client, rounds.round.id)
    with app.app_context():
        pub = rounds.report(db, "pub")
        fill(db, rounds.world.users["district_a"], pub)
        wb.submit(db, rounds.world.users["district_a"], pub)
        db.commit()
    before = wb.states(db, rounds)
    wb.set_cells(book[FILL_SHEET], rounds.projects["pub"].code, **{"进展情况": "再改一次"})
    errors = reported_errors(wb.upload(client, rounds.round.id, wb.to_bytes(book)).get_data(True))
    assert len(errors) == 1 and "区县已提交" in errors[0][3] and "不能再修改" in errors[0][3]
    assert wb.states(db, rounds) == before


def test_a_closed_round_offers_no_fill_workbook_and_takes_no_import(
    rounds, db, app, login_as
) -> None:
    client = login_as("district_a")
    book = wb.fill_book(client, rounds.round.id)
    wb.set_cells(book[FILL_SHEET], rounds.projects["pub"].code, **{"进展情况": "关闭后导入"})
    close(db, app, rounds)
    before = wb.states(db, rounds)
    response = client.get(f"/rounds/{rounds.round.id}/fill.xlsx")
    assert response.status_code == 302
    page = wb.upload(client, rounds.round.id, wb.to_bytes(book)).get_data(as_text=True)
    assert "调度已关闭，不能再导入填报" in page
    assert wb.states(db, rounds) == before


@pytest.mark.parametrize("key", ["enterprise_a", "other_city", "admin"])
def test_fill_workbook_and_import_are_not_found_for_others(rounds, login_as, key) -> None:
    client = login_as(key)
    for path in ("fill.xlsx", "import"):
        assert client.get(f"/rounds/{rounds.round.id}/{path}").status_code == 404

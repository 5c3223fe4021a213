"""The progress workbook (重点减排工程进展调度, national-export.md §2) through the web: one
row per report with the right values and cell types, the missing and late sheet, scope,
audit; and the strictness of the layout file."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from dispatch.rounds.workbook_layout import LAYOUT_FILE, read_layouts
from dispatch.workbooks.layout import LayoutError
from models import AuditEvent
from tests.rounds import workbook_helpers as wb
from tests.rounds.helpers import fill
from tests.rounds.workbook_helpers import MISSING_SHEET, PROGRESS_SHEET

AFTER_DEADLINE = dict(days=4)  # START is 2025-06-02 09:00 Beijing; the deadline 06-05 23:59


def test_progress_workbook_has_one_row_per_report_with_values_and_cell_types(
    rounds, db, app, login_as
) -> None:
    users = rounds.world.users
    with app.app_context():
        pub = rounds.report(db, "pub")
        fill(db, users["district_a"], pub)
        wb.submit(db, users["district_a"], pub)
        fill(db, users["enterprise_a"], rounds.report(db, "ent"), percent_complete="12.5")
        db.commit()
    client = login_as("city")
    response, data = wb.get(client, f"/rounds/{rounds.round.id}/progress.xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert "%E8%BF%9B%E5%B1%95%E8%B0%83%E5%BA%A6" in response.headers["Content-Disposition"]
    book = wb.book(data)
    assert book.sheetnames == [PROGRESS_SHEET, MISSING_SHEET]
    sheet = book[PROGRESS_SHEET]
    assert sheet.freeze_panes == "A2"
    rows = wb.by_code(sheet)
    codes = {key: rounds.projects[key].code for key in ("ent", "pub", "b")}
    assert set(rows) == set(codes.values())  # one row per report, the draft has none
    row = rows[codes["pub"]]
    assert row["项目名称"].value == "甲区第二污水处理厂扩建"
    assert row["区县"].value == "甲区"
    assert row["工程类型"].value.startswith("W1 ")
    assert row["建设状态"].value == "在建"
    assert row["填报状态"].value == "区县已提交"
    assert row["是否逾期"].value == "否"
    for header, expected in (
        ("完成进度（%）", 40),
        ("本月完成投资（万元）", 120.5),
        ("累计完成投资（万元）", 300),
    ):
        assert row[header].data_type == "n" and row[header].value == expected, header
    assert row["实际开工日期"].is_date
    assert row["实际开工日期"].value == dt.datetime(2025, 3, 10)
    assert row["实际完工日期"].value is None
    assert row["提交时间"].is_date  # Beijing time: START is 09:00 there
    assert row["提交时间"].value == dt.datetime(2025, 6, 2, 9, 0)
    assert row["进展情况"].value == "主体工程施工中"
    assert row["项目编号"].data_type == "s"
    ent = rows[codes["ent"]]
    assert ent["填报状态"].value == "企业已填报" and ent["完成进度（%）"].value == 12.5
    assert ent["提交时间"].value is None and ent["是否逾期"].value is None
    assert rows[codes["b"]]["填报状态"].value == "待填报"
    # Before the deadline the unsubmitted reports are listed as not yet submitted.
    missing = wb.by_code(book[MISSING_SHEET])
    assert set(missing) == {codes["ent"], codes["b"]}
    assert {r["情况"].value for r in missing.values()} == {"未提交（未到截止时间）"}
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "progress.export")).one()
    assert event.object_id == str(rounds.round.id) and event.actor_id == users["city"].id
    assert event.details["rows"] == 3 and event.details["period"] == "2025-05"


def test_missing_and_late_sheet_lists_reports_per_district_after_the_deadline(
    rounds, db, app, login_as, clock
) -> None:
    users = rounds.world.users
    late_at = rounds.round.district_deadline + dt.timedelta(minutes=1)
    with app.app_context():
        pub = rounds.report(db, "pub")
        fill(db, users["district_a"], pub)
        wb.submit(db, users["district_a"], pub, at=late_at)
        db.commit()
    clock.advance(**AFTER_DEADLINE)
    _response, data = wb.get(login_as("city"), f"/rounds/{rounds.round.id}/progress.xlsx")
    sheet = wb.book(data)[MISSING_SHEET]
    rows = [{k: c.value for k, c in row.items()} for row in wb.rows(sheet)]
    codes = {key: rounds.projects[key].code for key in ("ent", "pub", "b")}
    # District by district (甲区 990101 before 乙区 990102), project codes in order.
    assert [(r["区县"], r["项目编号"], r["情况"]) for r in rows] == sorted(
        [
            ("甲区", codes["ent"], "缺报"),
            ("甲区", codes["pub"], "逾期提交"),
            ("乙区", codes["b"], "缺报"),
        ],
        key=lambda r: ({"甲区": 0, "乙区": 1}[r[0]], r[1]),
    )
    late = next(r for r in rows if r["项目编号"] == codes["pub"])
    assert late["提交时间"] == dt.datetime(2025, 6, 6, 0, 0)  # 23:59 + 1 min, Beijing
    progress = wb.by_code(wb.book(data)[PROGRESS_SHEET])
    assert progress[codes["pub"]]["是否逾期"].value == "是"


def test_district_exports_a_preview_of_its_own_rows_only(rounds, db, login_as) -> None:
    client = login_as("district_b")
    response, data = wb.get(client, f"/rounds/{rounds.round.id}/progress.xlsx")
    assert response.status_code == 200
    assert "%E9%A2%84%E8%A7%88" in response.headers["Content-Disposition"]  # 预览
    codes = set(wb.by_code(wb.book(data)[PROGRESS_SHEET]))
    assert codes == {rounds.projects["b"].code}
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "progress.export")).one()
    assert event.details["rows"] == 1 and event.details["scope"] == "乙区"


@pytest.mark.parametrize("key", ["other_city", "enterprise_a", "admin", "auditor"])
def test_other_city_and_the_others_cannot_export(rounds, db, login_as, key) -> None:
    path = f"/rounds/{rounds.round.id}/progress.xlsx"
    assert wb.get(login_as(key), path)[0].status_code == 404
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "progress.export")) is None


def test_the_layout_file_is_read_strictly(tmp_path) -> None:
    text = LAYOUT_FILE.read_text(encoding="utf-8")
    broken = text.replace("      - {key: late, header: 是否逾期, width: 10}\n", "").replace(
        "{key: name, header: 项目名称, width: 36}", "{key: name, header: 项目名称, widht: 36}", 1
    )
    path = tmp_path / "layout.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(LayoutError) as raised:
        read_layouts(path)
    assert "progress.progress_sheet.columns: 缺少列 'late'" in raised.value.errors
    assert any("未知字段 'widht'" in e for e in raised.value.errors)


def test_progress_workbook_shows_evidence_completeness(rounds, db, app, login_as) -> None:
    import io

    from dispatch.audit import Acting
    from dispatch.core.catalog import get_catalog
    from dispatch.evidence import checklist, services
    from dispatch.storage import MemoryStorage
    from tests.conftest import START
    from tests.evidence.corpus import GOOD

    users, project = rounds.world.users, rounds.projects["pub"]
    total = checklist.checklist(db, get_catalog(), project).progress[1]
    with app.app_context():
        row = services.upload(
            db, MemoryStorage(), Acting(users["district_a"], START), get_catalog(), project,
            "G03", io.BytesIO(GOOD["实施方案.pdf"]), "实施方案.pdf",
        )  # fmt: skip
        services.review(db, Acting(users["city"], START), row, True, "", version=row.version_id)
        db.commit()
    _, data = wb.get(login_as("city"), f"/rounds/{rounds.round.id}/progress.xlsx")
    rows = wb.by_code(wb.book(data)[PROGRESS_SHEET])
    assert total >= 1
    assert rows[project.code]["佐证材料完整性"].value == f"1/{total}"
    assert rows[rounds.projects["b"].code]["佐证材料完整性"].value.startswith("0/")

"""The auditor's export: exactly the filtered events, as a workbook a reviewer can use (real
date-times in Beijing time, frozen header, filter, print setup, a cover sheet naming the
filter), recorded in the log itself; refused with a Chinese message when the filter is bad
or the result too large, and invisible to everyone but the auditor."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch import audit
from dispatch.auditlog import views
from dispatch.auditlog.export import get_layout, write_events
from dispatch.auditlog.queries import AuditCriteria, filtered
from dispatch.workbooks.writer import XLSX_MIMETYPE
from models import AuditEvent, AuditOutcome
from tests.conftest import FakeClock
from tests.factories import World

UTC = dt.UTC
HEADERS = [
    "事件编号", "时间（北京时间）", "操作人", "操作", "操作说明", "类别", "对象类型", "对象编号",
    "结果", "来源地址", "详情", "哈希",
]  # fmt: skip


@pytest.fixture
def events(app: Flask, db: Session, world: World, clock: FakeClock) -> dict[str, int]:
    """Security and export events at chosen moments (Beijing is UTC+8)."""
    city, admin = world.users["city"], world.users["admin"]
    plan = {
        "fail": ("auth.login", None, "=cmd|' /C calc'!A0", "", "", AuditOutcome.FAILURE,
                 dt.datetime(2025, 6, 1, 15, 30, tzinfo=UTC), "203.0.113.9"),
        "lock": ("auth.lockout", city, None, "user", city.id, AuditOutcome.SUCCESS,
                 dt.datetime(2025, 6, 1, 15, 31, tzinfo=UTC), "203.0.113.9"),
        "role": ("admin.user.role_change", admin, None, "user", city.id, AuditOutcome.SUCCESS,
                 dt.datetime(2025, 6, 1, 16, 30, tzinfo=UTC), "10.0.0.5"),
        "export": ("project.export", city, None, "plan_list", "", AuditOutcome.SUCCESS,
                   dt.datetime(2025, 6, 2, 3, 0, tzinfo=UTC), "10.0.0.8"),
    }  # fmt: skip
    ids: dict[str, int] = {}
    with app.app_context():
        for key, (action, actor, name, otype, oid, outcome, when, addr) in plan.items():
            event = audit.record(
                db,
                audit.Acting(actor, when, addr),
                action,
                actor_username=name,
                object_type=otype,
                object_id=oid,
                outcome=outcome,
                details={"probe": key, "说明": "测试"},
            )
            ids[key] = event.id
        db.commit()
    return ids


@pytest.fixture
def auditor(login_as: Callable[[str], FlaskClient]) -> FlaskClient:
    return login_as("auditor")


def open_book(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data))


def exported(client: FlaskClient, query: str) -> Any:
    response = client.get(f"/audit/events.xlsx{query}")
    assert response.status_code == 200, response.status
    assert response.mimetype == XLSX_MIMETYPE
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    return open_book(response.get_data())


def data_rows(book: Any) -> list[dict[str, Any]]:
    sheet = book["审计日志"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    return [dict(zip(HEADERS, row, strict=True)) for row in rows[1:]]


def exports(db: Session) -> list[AuditEvent]:
    db.expire_all()
    stmt = select(AuditEvent).where(AuditEvent.action == "audit.export").order_by(AuditEvent.id)
    return list(db.scalars(stmt))


def test_export_holds_exactly_the_filtered_events_with_real_beijing_times(
    auditor: FlaskClient, db: Session, world: World, events: dict[str, int]
) -> None:
    book = exported(auditor, "?category=security&remote_addr=203.0.113.")
    rows = data_rows(book)
    assert [r["事件编号"] for r in rows] == [events["fail"], events["lock"]]
    fail, lock = rows
    # A real date-time (not text), in Beijing time: 15:30Z is 23:30 in Beijing.
    assert fail["时间（北京时间）"] == dt.datetime(2025, 6, 1, 23, 30)
    assert isinstance(lock["事件编号"], int)
    assert fail["操作"] == "auth.login" and fail["操作说明"] == "登录"
    assert "安全事件" in fail["类别"]
    assert fail["结果"] == "失败" and lock["结果"] == "成功"
    assert fail["来源地址"] == "203.0.113.9"
    assert lock["对象类型"] == "user" and lock["对象编号"] == str(world.users["city"].id)
    assert json.loads(fail["详情"]) == {"probe": "fail", "说明": "测试"}
    stored = db.get(AuditEvent, events["fail"])
    assert stored is not None and fail["哈希"] == stored.hash
    # The login name tried is written as text, never as a formula.
    assert fail["操作人"] == "=cmd|' /C calc'!A0"
    sheet = book["审计日志"]
    assert sheet["C2"].data_type == "s" and sheet["C2"].quotePrefix
    assert lock["操作人"] == world.users["city"].username


def test_export_sheet_is_framed_for_reading_and_printing(
    auditor: FlaskClient, events: dict[str, int]
) -> None:
    book = exported(auditor, "?action=auth.")
    sheet = book["审计日志"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref is not None and sheet.auto_filter.ref.startswith("A1:L")
    setup = sheet.page_setup
    assert setup.orientation == "landscape" and setup.paperSize == 9
    # One page wide (an absent fitToWidth is 1), as many pages long as it takes.
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert setup.fitToWidth in (None, 1) and setup.fitToHeight == 0
    assert sheet.print_title_rows == "$1:$1"
    assert "第 &P 页" in sheet.oddFooter.center.text
    assert sheet["B2"].number_format == "yyyy-mm-dd hh:mm:ss"


def test_cover_sheet_and_audit_event_name_the_filter_and_the_count(
    auditor: FlaskClient, db: Session, world: World, events: dict[str, int]
) -> None:
    book = exported(auditor, "?category=security&date_from=2025-06-02&outcome=success")
    rows = data_rows(book)
    # 06-02 in Beijing starts 06-01 16:00Z: the role change (16:30Z), not the lockout.
    assert events["role"] in [r["事件编号"] for r in rows]
    assert events["lock"] not in [r["事件编号"] for r in rows]
    cover = dict(list(book["导出说明"].iter_rows(values_only=True))[1:])
    assert cover["导出人"] == world.users["auditor"].username
    assert cover["事件条数"] == str(len(rows))
    assert cover["类别"] == "安全事件" and cover["结果"] == "成功"
    assert cover["开始日期"] == "2025-06-02"
    (event,) = exports(db)
    assert event.actor_id == world.users["auditor"].id
    assert (event.object_type, event.outcome) == ("audit_log", AuditOutcome.SUCCESS)
    assert event.details == {
        "filters": {"category": "security", "date_from": "2025-06-02", "outcome": "success"},
        "rows": len(rows),
        "via": "web",
    }


def test_the_page_offers_the_export_of_the_filter_shown(
    auditor: FlaskClient, events: dict[str, int]
) -> None:
    html = auditor.get("/audit/events?category=security&actor=city").get_data(as_text=True)
    assert 'action="/audit/events.xlsx"' in html
    assert '<input type="hidden" name="category" value="security">' in html
    assert '<input type="hidden" name="actor" value="city">' in html
    assert '<input type="hidden" name="date_to" value="">' in html
    # A refused filter offers no export.
    html = auditor.get("/audit/events?outcome=bogus").get_data(as_text=True)
    assert "/audit/events.xlsx" not in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?outcome=bogus", "结果：请选择 全部、成功、失败 或 拒绝"),
        ("?category=nonsense", "类别：请从列表中选择类别"),
        ("?date_from=2025-06-03&date_to=2025-06-01", "结束日期：结束日期不能早于开始日期"),
        ("?remote_addr=" + "1" * 65, "来源地址：来源地址过长"),
    ],
)
def test_a_bad_filter_exports_nothing_and_says_why(
    auditor: FlaskClient, db: Session, events: dict[str, int], query: str, message: str
) -> None:
    response = auditor.get(f"/audit/events.xlsx{query}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/audit/events?")
    html = auditor.get(response.headers["Location"]).get_data(as_text=True)
    assert "筛选条件有误，未导出" in html
    assert message in html
    assert exports(db) == []


def test_a_result_above_the_bound_is_refused(
    auditor: FlaskClient, db: Session, events: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "MAX_WEB_ROWS", 3)
    response = auditor.get("/audit/events.xlsx?category=security")
    assert response.status_code == 302
    html = auditor.get(response.headers["Location"]).get_data(as_text=True)
    assert "超过单次导出上限 3 条" in html and "dispatch audit export" in html
    assert exports(db) == []
    # Within the bound it goes through.
    assert len(data_rows(exported(auditor, "?action=auth.lockout"))) == 1


@pytest.mark.parametrize(
    "role", ["admin", "city", "district_a", "district_b", "enterprise_a", "enterprise_b"]
)
def test_nobody_but_the_auditor_can_export(
    login_as: Callable[[str], FlaskClient], db: Session, role: str
) -> None:
    response = login_as(role).get("/audit/events.xlsx")
    assert response.status_code == 404
    assert exports(db) == []


def test_anonymous_export_goes_to_login(client: FlaskClient, world: World) -> None:
    response = client.get("/audit/events.xlsx?category=security")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_a_long_log_is_written_in_batches_in_id_order(
    app: Flask, db: Session, world: World, clock: FakeClock
) -> None:
    """The writer reads in batches (yield_per) far smaller than the log; every row arrives."""
    with app.app_context():
        for i in range(1200):
            audit.record(db, audit.Acting(None, clock.current), "probe.bulk", details={"i": i})
        db.commit()
        out = io.BytesIO()
        criteria = AuditCriteria(action="probe.bulk")
        rows = write_events(
            db,
            filtered(criteria),
            out,
            criteria=criteria,
            exported_at=clock.current,
            exported_by="",
            batch_size=50,
        )
    assert rows == 1200
    sheet = open_book(out.getvalue())[get_layout().sheet]
    ids = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(ids) == 1200 and ids == sorted(ids)
    assert [json.loads(row[10])["i"] for row in sheet.iter_rows(min_row=2, values_only=True)][
        :3
    ] == [0, 1, 2]

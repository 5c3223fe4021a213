"""The auditor's audit log: every filter narrows the list as an auditor would expect, dates
are read in Beijing time, bad input gives a Chinese message, and nobody else can find it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from dispatch import audit
from models import AuditOutcome
from tests.conftest import FakeClock
from tests.factories import World

UTC = dt.UTC
ROW_ID = re.compile(r"<tr>\s*<td>(\d+)</td>")


def listed_ids(client: FlaskClient, query: str = "") -> set[int]:
    response = client.get(f"/audit/events{query}")
    assert response.status_code == 200, response.status_code
    return {int(i) for i in ROW_ID.findall(response.get_data(as_text=True))}


@pytest.fixture
def events(app: Flask, db: Session, world: World, clock: FakeClock) -> dict[str, int]:
    """Four events at chosen moments around Beijing midnight, plus the world's own events.

    Beijing is UTC+8: 2025-06-01 15:30Z is 06-01 23:30 in Beijing, 16:30Z is 06-02 00:30.
    """
    city, district = world.users["city"], world.users["district_a"]
    plan = {
        "e1": ("probe.export.download", city, None, "project", "P-17", AuditOutcome.SUCCESS,
               dt.datetime(2025, 6, 1, 15, 30, tzinfo=UTC)),
        "e2": ("probe.export.create", district, None, "project", "P-18", AuditOutcome.FAILURE,
               dt.datetime(2025, 6, 1, 16, 30, tzinfo=UTC)),
        "e3": ("probe.login", None, "ghost_100%", "user", "P-17", AuditOutcome.DENIED,
               dt.datetime(2025, 6, 2, 16, 10, tzinfo=UTC)),
        "e4": ("xprobe.export", city, None, "enterprise", "P-17", AuditOutcome.SUCCESS,
               dt.datetime(2025, 6, 2, 3, 0, tzinfo=UTC)),
    }  # fmt: skip
    ids: dict[str, int] = {}
    saved = clock.current
    with app.app_context():
        for key, (action, actor, username, otype, oid, outcome, when) in plan.items():
            clock.current = when
            event = audit.record(
                db,
                audit.Acting(actor, when),
                action,
                actor_username=username,
                object_type=otype,
                object_id=oid,
                outcome=outcome,
                details={"probe": key},
            )
            ids[key] = event.id
        db.commit()
    clock.current = saved
    return ids


@pytest.fixture
def auditor(login_as: Callable[[str], FlaskClient]) -> FlaskClient:
    return login_as("auditor")


def mine(found: set[int], ids: dict[str, int]) -> set[str]:
    """Which of the probe events a listing shows."""
    return {key for key, event_id in ids.items() if event_id in found}


def test_auditor_sees_all_events_newest_first(auditor: FlaskClient, events: dict[str, int]) -> None:
    response = auditor.get("/audit/events")
    html = response.get_data(as_text=True)
    shown = [int(i) for i in ROW_ID.findall(html)]
    assert set(events.values()) <= set(shown)
    assert shown == sorted(shown, reverse=True)
    # The world's own setup events (regions, enterprises, users) are in the log as well.
    assert len(shown) > len(events)
    assert "审计日志" in html
    # Times are shown in Beijing time: e2 happened at 00:30 on 2 June in Beijing.
    assert "2025-06-02 00:30:00" in html
    assert "ghost_100%" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?actor=city_user", {"e1", "e4"}),
        ("?actor=dist_a", {"e2"}),
        # The actor filter is a substring match with LIKE wildcards taken literally.
        ("?actor=%25", {"e3"}),
        ("?actor=_100", {"e3"}),
        ("?actor=nobody", set()),
        # The action filter is a prefix: "probe." does not match "xprobe.export".
        ("?action=probe.", {"e1", "e2", "e3"}),
        ("?action=probe.export", {"e1", "e2"}),
        ("?action=export", set()),
        ("?object_type=project", {"e1", "e2"}),
        ("?object_type=proj", set()),
        ("?object_type=project&object_id=P-17", {"e1"}),
        ("?object_id=P-17", {"e1", "e3", "e4"}),
        ("?object_id=P-1", set()),
        ("?outcome=failure", {"e2"}),
        ("?outcome=denied", {"e3"}),
        ("?outcome=success&action=probe", {"e1"}),
        ("?action=probe&actor=city&outcome=success&object_type=enterprise", set()),
    ],
)
def test_filters(
    auditor: FlaskClient, events: dict[str, int], query: str, expected: set[str]
) -> None:
    found = listed_ids(auditor, query)
    assert mine(found, events) == expected
    if "action=probe" in query or "actor=" in query or "outcome=" in query:
        # These filters exclude the world's setup events too (none is a probe, none
        # failed, none has an actor).
        assert found == {events[k] for k in expected}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Beijing 1 June is 31 May 16:00Z to 1 June 16:00Z: only e1 (23:30 Beijing).
        ("?date_from=2025-06-01&date_to=2025-06-01", {"e1"}),
        ("?date_to=2025-06-01", {"e1"}),
        # Beijing 2 June: e2 (00:30) and e4 (11:00), not e3 (00:10 on 3 June).
        ("?date_from=2025-06-02&date_to=2025-06-02", {"e2", "e4"}),
        ("?date_from=2025-06-02", {"e2", "e3", "e4"}),
        ("?date_from=2025-06-03", {"e3"}),
        ("?date_from=2025-06-04", set()),
        ("?date_from=2025-06-03&date_to=2025-06-01", set()),
    ],
)
def test_date_range_in_beijing_time(
    auditor: FlaskClient, events: dict[str, int], query: str, expected: set[str]
) -> None:
    assert mine(listed_ids(auditor, query), events) == expected


def test_date_range_covers_the_whole_last_day(auditor: FlaskClient, events: dict[str, int]) -> None:
    """The world's setup events happened at 09:00 Beijing on 2 June; 1 June excludes them."""
    found = listed_ids(auditor, "?date_to=2025-06-01")
    assert found == {events["e1"]}


@pytest.mark.parametrize(
    "query",
    [
        "?date_from=2025-13-45",
        "?date_to=not-a-date",
        "?date_from=2025/06/01",
        "?outcome=bogus",
        "?date_from=2025-06-03&date_to=2025-06-01",
        "?actor=" + "x" * 65,
        "?page=abc",
        "?page=-3",
        "?page=99999",
    ],
)
def test_bad_parameters_give_a_chinese_page_not_an_error(
    auditor: FlaskClient, events: dict[str, int], query: str
) -> None:
    response = auditor.get(f"/audit/events{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "审计日志" in html
    if "page=" not in query:
        assert "没有符合条件的记录" in html
        # The message under the filter names the field, in Chinese only.
        errors = re.findall(r'<div class="text-danger small">([^<]+)</div>', html)
        assert errors, html
        for message in errors:
            assert re.search(r"[\u4e00-\u9fff]", message), message
            assert not re.search(r"[A-Za-z]{3,}", message.split("：", 1)[1]), message


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?date_from=2025-13-45", "开始日期：日期格式不正确，请按 年-月-日 填写"),
        ("?date_to=31.05.2025", "结束日期：日期格式不正确"),
        ("?outcome=bogus", "结果：请选择 全部、成功、失败 或 拒绝"),
        ("?object_id=" + "9" * 65, "对象编号：对象编号过长：最多 64 个字符"),
        ("?date_from=2025-06-03&date_to=2025-06-01", "结束日期：结束日期不能早于开始日期"),
    ],
)
def test_bad_filter_messages(
    auditor: FlaskClient, events: dict[str, int], query: str, message: str
) -> None:
    html = auditor.get(f"/audit/events{query}").get_data(as_text=True)
    assert message in html
    assert "Not a valid" not in html


@pytest.mark.parametrize(
    "role", ["admin", "city", "district_a", "district_b", "enterprise_a", "enterprise_b"]
)
def test_other_roles_get_404(login_as: Callable[[str], FlaskClient], role: str) -> None:
    client = login_as(role)
    for query in ("", "?actor=admin", "?page=2"):
        response = client.get(f"/audit/events{query}")
        assert response.status_code == 404
        assert "页面不存在" in response.get_data(as_text=True)


def test_anonymous_is_sent_to_login(client: FlaskClient, world: World) -> None:
    response = client.get("/audit/events?actor=x")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert "audit" in response.headers["Location"]

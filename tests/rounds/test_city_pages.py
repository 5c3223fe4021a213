"""The city's round pages: opening a round, its overview counts, deadlines and closing
(states checked in the database, not only the answers). The review of reports, one at a
time or a selection at once, is in test_city_review.py."""

from __future__ import annotations

import datetime as dt

import lxml.html
from sqlalchemy import event, select

from dispatch.audit import Acting
from dispatch.rounds import overview, services
from models import DispatchRound, ProgressReport, ReportStatus, RoundStatus
from tests.conftest import START, post_form
from tests.rounds.helpers import build_projects, fill, submit
from tests.rounds.page_helpers import page_text, signed_in

BEIJING = dt.timezone(dt.timedelta(hours=8))
COLUMNS = (
    "total",
    "pending",
    "enterprise_filled",
    "submitted",
    "approved",
    "returned",
    "late",
    "missing",
)


def _district_row(html: str, district_id: int) -> dict[str, int] | None:
    doc = lxml.html.fromstring(html)
    rows = doc.xpath(f"//tr[@data-testid='district-{district_id}']")
    if not rows:
        return None
    cells = [" ".join(td.text_content().split()) for td in rows[0].xpath("./td")][1:]
    return dict(zip(COLUMNS, (int(c) for c in cells), strict=True))


def _rounds(db) -> list[DispatchRound]:  # type: ignore[no-untyped-def]
    db.expire_all()
    return list(db.scalars(select(DispatchRound).order_by(DispatchRound.id)))


# --- opening ------------------------------------------------------------------------------


def test_open_page_defaults_to_last_month_and_its_deadlines_in_beijing_time(
    app, db, world, login_as
):
    page = login_as("city").get("/rounds/open").get_data(as_text=True)
    assert 'value="2025-05"' in page  # START is 2025-06-02: last month is May
    assert 'value="2025-06-02T23:59"' in page and 'value="2025-06-05T23:59"' in page


def test_opening_through_the_page_creates_the_round_and_its_reports(app, db, world, login_as):
    with app.app_context():
        projects = build_projects(db, app, world)
        db.commit()
    client = login_as("city")
    response = post_form(
        client,
        "/rounds/open",
        {
            "month": "2025-05",
            "enterprise_deadline": "2025-06-03T18:00",
            "district_deadline": "2025-06-06T12:30",
        },
    )
    assert response.status_code == 302
    [rnd] = _rounds(db)
    assert response.headers["Location"] == f"/rounds/{rnd.id}"
    assert (rnd.city_id, rnd.year, rnd.month, rnd.status) == (
        world.city.id,
        2025,
        5,
        RoundStatus.OPEN,
    )
    # Typed in Beijing time, stored as UTC instants.
    assert rnd.enterprise_deadline == dt.datetime(2025, 6, 3, 10, 0, tzinfo=dt.UTC)
    assert rnd.district_deadline == dt.datetime(2025, 6, 6, 4, 30, tzinfo=dt.UTC)
    reports = db.scalars(select(ProgressReport).where(ProgressReport.round_id == rnd.id)).all()
    assert sorted(r.project_id for r in reports) == sorted(
        projects[k].id for k in ("ent", "pub", "b")
    )
    assert "已开启2025年5月调度" in page_text(client.get(response.headers["Location"]))


def test_empty_deadlines_take_the_defaults(app, db, world, login_as):
    client = login_as("city")
    response = post_form(client, "/rounds/open", {"month": "2025-04"})
    assert response.status_code == 302
    [rnd] = _rounds(db)
    assert rnd.enterprise_deadline.astimezone(BEIJING) == dt.datetime(
        2025, 5, 2, 23, 59, tzinfo=BEIJING
    )
    assert rnd.district_deadline.astimezone(BEIJING) == dt.datetime(
        2025, 5, 5, 23, 59, tzinfo=BEIJING
    )


def test_opening_a_month_twice_is_refused_on_the_month_field(rounds, db, login_as):
    client = login_as("city")
    response = post_form(client, "/rounds/open", {"month": "2025-05"})
    assert response.status_code == 200
    doc = lxml.html.fromstring(response.get_data(as_text=True))
    [error] = doc.xpath(
        "//input[@name='month']/following-sibling::div[@class='invalid-feedback d-block']"
    )
    assert "2025年5月的调度轮次已开启过，不能重复开启" in error.text_content()
    assert "调度月份" in error.text_content()
    assert len(_rounds(db)) == 1


def test_open_form_refusals_name_their_field(app, db, world, login_as):
    client = login_as("city")
    cases = {
        "month": ({"month": "2025-5x"}, "调度月份格式应为 YYYY-MM"),
        "future": ({"month": "2025-07"}, "尚未到来"),
        "order": (
            {
                "month": "2025-05",
                "enterprise_deadline": "2025-06-05T23:59",
                "district_deadline": "2025-06-02T23:59",
            },
            "区县提交截止时间：区县截止时间不能早于企业截止时间",
        ),
        "time": (
            {"month": "2025-05", "enterprise_deadline": "2025-06-02T25:00"},
            "企业填报截止时间不是有效时间",
        ),
        "missing": ({"month": ""}, "请填写调度月份"),
    }
    for name, (data, message) in cases.items():
        response = post_form(client, "/rounds/open", data)
        assert response.status_code == 200, name
        assert message in page_text(response), name
    assert _rounds(db) == []


def test_only_the_city_manages_rounds(rounds, app, login_as):
    client = login_as("district_a")
    assert client.get("/rounds/open").status_code == 404
    index = client.get("/rounds/").get_data(as_text=True)
    assert "2025年5月" in index and 'data-testid="open-round"' not in index
    city = signed_in(app, rounds.world, "city").get("/rounds/").get_data(as_text=True)
    assert 'data-testid="open-round"' in city


# --- overview -----------------------------------------------------------------------------


def test_overview_counts_per_district(rounds, db, app, login_as):
    users = rounds.world.users
    with app.app_context():
        fill(db, users["enterprise_a"], rounds.report(db, "ent"))  # 企业已填报
        submit(db, rounds, "pub")  # 区县已提交
        db.commit()
    a, b = rounds.world.district_a, rounds.world.district_b
    page = login_as("city").get(f"/rounds/{rounds.round.id}").get_data(as_text=True)
    assert _district_row(page, a.id) == dict.fromkeys(COLUMNS, 0) | {
        "total": 2,
        "enterprise_filled": 1,
        "submitted": 1,
    }
    assert _district_row(page, b.id) == dict.fromkeys(COLUMNS, 0) | {"total": 1, "pending": 1}
    # The same numbers from the query itself, and the index's per-round totals.
    with app.app_context():
        rows = overview.by_district(db, select(ProgressReport), rounds.round, START)
        per_round = overview.by_round(db, select(ProgressReport), [rounds.round], START)
    assert [(r.district_name, r.counts.total) for r in rows] == [("乙区", 1), ("甲区", 2)]
    assert overview.total(rows) == per_round[rounds.round.id]
    assert per_round[rounds.round.id] == overview.Counts(
        total=3, pending=1, enterprise_filled=1, submitted=1
    )


def test_overview_is_one_query_whatever_the_number_of_reports(rounds, db, app):
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    connection = db.connection()
    event.listen(connection, "before_cursor_execute", count)
    try:
        with app.app_context():
            rows = overview.by_district(db, select(ProgressReport), rounds.round, START)
    finally:
        event.remove(connection, "before_cursor_execute", count)
    assert len(rows) == 2
    assert len(statements) == 1 and "GROUP BY" in statements[0]


def test_index_lists_rounds_newest_first(rounds, db, app, login_as):
    with app.app_context():
        services.open_round(
            db, Acting(rounds.world.users["city"], START), rounds.world.city, 2025, 3
        )
        db.commit()
    doc = lxml.html.fromstring(login_as("city").get("/rounds/").get_data(as_text=True))
    shown = [row.get("data-testid") for row in doc.xpath("//table[@data-testid='rounds']/tbody/tr")]
    assert shown == ["round-2025-05", "round-2025-03"]


def test_a_district_sees_only_its_own_row_and_an_enterprise_its_own_project(
    rounds, db, app, login_as
):
    a, b = rounds.world.district_a, rounds.world.district_b
    page = login_as("district_a").get(f"/rounds/{rounds.round.id}").get_data(as_text=True)
    assert _district_row(page, a.id) == dict.fromkeys(COLUMNS, 0) | {"total": 2, "pending": 2}
    assert _district_row(page, b.id) is None
    enterprise = signed_in(app, rounds.world, "enterprise_a")
    page = enterprise.get(f"/rounds/{rounds.round.id}").get_data(as_text=True)
    assert _district_row(page, a.id) == dict.fromkeys(COLUMNS, 0) | {"total": 1, "pending": 1}
    assert "修改截止时间" not in page and "关闭本轮" not in page


def test_late_and_missing_at_the_deadline_instant(rounds, db, app, clock, login_as):
    deadline = rounds.round.district_deadline
    a, b = rounds.world.district_a, rounds.world.district_b
    with app.app_context():
        submit(db, rounds, "pub", at=deadline)  # at the instant: on time
    clock.current = deadline
    client = login_as("city")
    page = client.get(f"/rounds/{rounds.round.id}").get_data(as_text=True)
    assert _district_row(page, a.id)["missing"] == 0  # type: ignore[index]
    assert _district_row(page, b.id)["missing"] == 0  # type: ignore[index]
    assert 'data-testid="missing-note"' not in page

    clock.advance(seconds=1)
    with app.app_context():
        submit(db, rounds, "ent", at=clock.current)  # a second late
    page = client.get(f"/rounds/{rounds.round.id}").get_data(as_text=True)
    assert _district_row(page, a.id) == dict.fromkeys(COLUMNS, 0) | {
        "total": 2,
        "submitted": 2,
        "late": 1,
    }
    assert _district_row(page, b.id) == dict.fromkeys(COLUMNS, 0) | {
        "total": 1,
        "pending": 1,
        "missing": 1,
    }
    assert "仍有 1 条填报未提交，列为缺报" in page_text(client.get(f"/rounds/{rounds.round.id}"))
    index = lxml.html.fromstring(client.get("/rounds/").get_data(as_text=True))
    [missing] = index.xpath("//tr[@data-testid='round-2025-05']/td[@data-testid='missing']")
    assert missing.text_content().strip() == "1"


def test_days_left_before_each_deadline(rounds, app, clock, login_as):
    client = login_as("city")
    text = page_text(client.get(f"/rounds/{rounds.round.id}"))  # 2025-06-02 09:00 Beijing
    assert "企业填报截止：2025-06-02 23:59 今日截止" in text
    assert "区县提交截止：2025-06-05 23:59 剩 3 天" in text
    clock.current = dt.datetime(2025, 6, 3, 0, 0, tzinfo=BEIJING)
    client = signed_in(app, rounds.world, "city")  # the session timed out meanwhile
    text = page_text(client.get(f"/rounds/{rounds.round.id}"))
    assert "企业填报截止：2025-06-02 23:59 已截止" in text
    assert "剩 2 天" in text


# --- deadlines and closing ----------------------------------------------------------------


def test_deadlines_edited_on_the_round_page(rounds, db, login_as):
    client = login_as("city")
    path = f"/rounds/{rounds.round.id}"
    version = rounds.round.version_id
    response = post_form(
        client,
        f"{path}/deadlines",
        {
            "version": str(version),
            "enterprise_deadline": "2025-06-04T12:00",
            "district_deadline": "2025-06-08T23:59",
        },
        token_from=path,
    )
    assert response.status_code == 302
    [rnd] = _rounds(db)
    assert rnd.enterprise_deadline == dt.datetime(2025, 6, 4, 4, 0, tzinfo=dt.UTC)
    assert rnd.district_deadline == dt.datetime(2025, 6, 8, 15, 59, tzinfo=dt.UTC)

    # Out of order: refused on the field, nothing changed; a stale version too.
    response = post_form(
        client,
        f"{path}/deadlines",
        {
            "version": str(rnd.version_id),
            "enterprise_deadline": "2025-06-09T12:00",
            "district_deadline": "2025-06-08T23:59",
        },
        token_from=path,
    )
    assert response.status_code == 200
    assert "区县提交截止时间：区县截止时间不能早于企业截止时间" in page_text(response)
    response = post_form(
        client,
        f"{path}/deadlines",
        {
            "version": str(version),
            "enterprise_deadline": "2025-06-04T12:00",
            "district_deadline": "2025-06-09T23:59",
        },
        token_from=path,
    )
    assert "已被他人修改" in page_text(response)
    [after] = _rounds(db)
    assert after.district_deadline == dt.datetime(2025, 6, 8, 15, 59, tzinfo=dt.UTC)


def test_closing_keeps_unsubmitted_reports_pending_and_lists_them_missing(
    rounds, db, app, login_as
):
    with app.app_context():
        submit(db, rounds, "pub")
    client = login_as("city")
    path = f"/rounds/{rounds.round.id}"
    response = post_form(
        client, f"{path}/close", {"version": str(rounds.round.version_id)}, token_from=path
    )
    assert response.status_code == 302
    [rnd] = _rounds(db)
    assert rnd.status == RoundStatus.CLOSED and rnd.closed_at == START
    statuses = {
        r.project_id: r.status
        for r in db.scalars(select(ProgressReport).where(ProgressReport.round_id == rnd.id))
    }
    p = rounds.projects
    assert statuses == {
        p["ent"].id: ReportStatus.PENDING,
        p["pub"].id: ReportStatus.SUBMITTED,
        p["b"].id: ReportStatus.PENDING,
    }
    page = client.get(path)
    text = page_text(page)
    assert "2025年5月调度已关闭，2 条未提交的填报列为缺报" in text
    assert "本轮已关闭，仍有 2 条填报未提交，列为缺报" in text
    html = page.get_data(as_text=True)
    assert _district_row(html, rounds.world.district_a.id)["missing"] == 1  # type: ignore[index]
    assert _district_row(html, rounds.world.district_b.id)["missing"] == 1  # type: ignore[index]
    assert "关闭本轮" not in html  # closed: no second close, no deadlines form
    # The submitted report is still in the review queue.
    assert rounds.projects["pub"].code in client.get("/rounds/review").get_data(as_text=True)

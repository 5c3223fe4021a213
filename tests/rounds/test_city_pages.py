"""The city's round pages: opening a round, its overview counts, deadlines, closing, and
the review of reports one at a time or a selection at once (states checked in the
database, not only the answers)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import lxml.html
from sqlalchemy import event, func, select

from dispatch.audit import Acting
from dispatch.rounds import overview, services
from models import (
    ConstructionStatus,
    DispatchRound,
    ProgressReport,
    ReportStatus,
    RoundStatus,
)
from tests.conftest import START, login, post_form
from tests.rounds.helpers import build_projects, fill

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


def _submit(db, rounds, key: str, user: str = "district_a", at: dt.datetime = START) -> None:
    report = rounds.report(db, key)
    fill(db, rounds.world.users[user], report, at=at)
    services.submit(db, Acting(rounds.world.users[user], at), report, version=report.version_id)
    db.commit()


def _district_row(html: str, district_id: int) -> dict[str, int] | None:
    doc = lxml.html.fromstring(html)
    rows = doc.xpath(f"//tr[@data-testid='district-{district_id}']")
    if not rows:
        return None
    cells = [" ".join(td.text_content().split()) for td in rows[0].xpath("./td")][1:]
    return dict(zip(COLUMNS, (int(c) for c in cells), strict=True))


def _signed_in(app, world, key: str):  # type: ignore[no-untyped-def]
    """A browser of its own for a second user in the same test."""
    client = app.test_client()
    assert login(client, world.users[key].username, world.password).status_code == 302
    return client


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(lxml.html.fromstring(response.get_data(as_text=True)).text_content().split())


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
    assert "已开启2025年5月调度" in _text(client.get(response.headers["Location"]))


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
        assert message in _text(response), name
    assert _rounds(db) == []


def test_only_the_city_manages_rounds(rounds, app, login_as):
    client = login_as("district_a")
    assert client.get("/rounds/open").status_code == 404
    index = client.get("/rounds/").get_data(as_text=True)
    assert "2025年5月" in index and 'data-testid="open-round"' not in index
    city = _signed_in(app, rounds.world, "city").get("/rounds/").get_data(as_text=True)
    assert 'data-testid="open-round"' in city


# --- overview -----------------------------------------------------------------------------


def test_overview_counts_per_district(rounds, db, app, login_as):
    users = rounds.world.users
    with app.app_context():
        fill(db, users["enterprise_a"], rounds.report(db, "ent"))  # 企业已填报
        _submit(db, rounds, "pub")  # 区县已提交
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
    enterprise = _signed_in(app, rounds.world, "enterprise_a")
    page = enterprise.get(f"/rounds/{rounds.round.id}").get_data(as_text=True)
    assert _district_row(page, a.id) == dict.fromkeys(COLUMNS, 0) | {"total": 1, "pending": 1}
    assert "修改截止时间" not in page and "关闭本轮" not in page


def test_late_and_missing_at_the_deadline_instant(rounds, db, app, clock, login_as):
    deadline = rounds.round.district_deadline
    a, b = rounds.world.district_a, rounds.world.district_b
    with app.app_context():
        _submit(db, rounds, "pub", at=deadline)  # at the instant: on time
    clock.current = deadline
    client = login_as("city")
    page = client.get(f"/rounds/{rounds.round.id}").get_data(as_text=True)
    assert _district_row(page, a.id)["missing"] == 0  # type: ignore[index]
    assert _district_row(page, b.id)["missing"] == 0  # type: ignore[index]
    assert 'data-testid="missing-note"' not in page

    clock.advance(seconds=1)
    with app.app_context():
        _submit(db, rounds, "ent", at=clock.current)  # a second late
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
    assert "仍有 1 条填报未提交，列为缺报" in _text(client.get(f"/rounds/{rounds.round.id}"))
    index = lxml.html.fromstring(client.get("/rounds/").get_data(as_text=True))
    [missing] = index.xpath("//tr[@data-testid='round-2025-05']/td[@data-testid='missing']")
    assert missing.text_content().strip() == "1"


def test_days_left_before_each_deadline(rounds, app, clock, login_as):
    client = login_as("city")
    text = _text(client.get(f"/rounds/{rounds.round.id}"))  # 2025-06-02 09:00 Beijing
    assert "企业填报截止：2025-06-02 23:59 今日截止" in text
    assert "区县提交截止：2025-06-05 23:59 剩 3 天" in text
    clock.current = dt.datetime(2025, 6, 3, 0, 0, tzinfo=BEIJING)
    client = _signed_in(app, rounds.world, "city")  # the session timed out meanwhile
    text = _text(client.get(f"/rounds/{rounds.round.id}"))
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
    assert "区县提交截止时间：区县截止时间不能早于企业截止时间" in _text(response)
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
    assert "已被他人修改" in _text(response)
    [after] = _rounds(db)
    assert after.district_deadline == dt.datetime(2025, 6, 8, 15, 59, tzinfo=dt.UTC)


def test_closing_keeps_unsubmitted_reports_pending_and_lists_them_missing(
    rounds, db, app, login_as
):
    with app.app_context():
        _submit(db, rounds, "pub")
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
    text = _text(page)
    assert "2025年5月调度已关闭，2 条未提交的填报列为缺报" in text
    assert "本轮已关闭，仍有 2 条填报未提交，列为缺报" in text
    html = page.get_data(as_text=True)
    assert _district_row(html, rounds.world.district_a.id)["missing"] == 1  # type: ignore[index]
    assert _district_row(html, rounds.world.district_b.id)["missing"] == 1  # type: ignore[index]
    assert "关闭本轮" not in html  # closed: no second close, no deadlines form
    # The submitted report is still in the review queue.
    assert rounds.projects["pub"].code in client.get("/rounds/review").get_data(as_text=True)


# --- review -------------------------------------------------------------------------------


def _queue_versions(db, rounds, *keys: str) -> list[str]:  # type: ignore[no-untyped-def]
    db.expire_all()
    return [f"{rounds.report(db, k).id}:{rounds.report(db, k).version_id}" for k in keys]


def test_queue_lists_submitted_reports_oldest_first_with_late_ones_marked(
    rounds, db, app, login_as
):
    late = rounds.round.district_deadline + dt.timedelta(minutes=1)
    with app.app_context():
        _submit(db, rounds, "b", user="district_b", at=late)
        _submit(db, rounds, "pub", at=START)
    doc = lxml.html.fromstring(login_as("city").get("/rounds/review").get_data(as_text=True))
    rows = doc.xpath("//table[@data-testid='review-queue']/tbody/tr")
    ids = [row.get("data-testid") for row in rows]
    assert ids == [f"queue-{rounds.report(db, 'pub').id}", f"queue-{rounds.report(db, 'b').id}"]
    assert [bool(row.xpath(".//*[@data-testid='late']")) for row in rows] == [False, True]


def test_batch_approve_acts_on_what_it_can_and_names_what_it_skipped(rounds, db, app, login_as):
    with app.app_context():
        _submit(db, rounds, "pub")
        _submit(db, rounds, "b", user="district_b")
    keys = ("pub", "b", "ent")  # ent is still pending: skipped with the reason
    response = post_form(
        login_as("city"),
        "/rounds/review",
        {
            "report_ids": [str(rounds.report(db, k).id) for k in keys],
            "versions": _queue_versions(db, rounds, *keys),
            "decision": "approve",
        },
        follow_redirects=True,
    )
    db.expire_all()
    assert [rounds.report(db, k).status for k in keys] == [
        ReportStatus.APPROVED,
        ReportStatus.APPROVED,
        ReportStatus.PENDING,
    ]
    text = _text(response)
    assert "已审核通过 2 条填报" in text
    assert f"以下填报未审核通过：{rounds.projects['ent'].code}（填报当前状态为“待填报”" in text


def test_batch_return_needs_a_reason_and_sends_back_with_it(rounds, db, app, login_as):
    with app.app_context():
        _submit(db, rounds, "pub")
        _submit(db, rounds, "b", user="district_b")
    client = login_as("city")
    ids = [str(rounds.report(db, k).id) for k in ("pub", "b")]
    data = {"report_ids": ids, "versions": _queue_versions(db, rounds, "pub", "b")}
    response = post_form(client, "/rounds/review", {**data, "decision": "return", "reason": ""})
    assert response.status_code == 200
    assert "退回必须填写退回原因" in _text(response)
    long = post_form(
        client, "/rounds/review", {**data, "decision": "return", "reason": "长" * 2001}
    )
    assert "退回原因" in _text(long) and "2000" in _text(long)
    db.expire_all()
    assert {rounds.report(db, k).status for k in ("pub", "b")} == {ReportStatus.SUBMITTED}
    # A refused form keeps the ticks.
    assert f'value="{ids[0]}" id="pick-{ids[0]}" checked' in long.get_data(as_text=True)

    response = post_form(
        client, "/rounds/review", {**data, "decision": "return", "reason": "投资数据与台账不符"}
    )
    assert response.status_code == 302
    db.expire_all()
    for key in ("pub", "b"):
        report = rounds.report(db, key)
        assert report.status == ReportStatus.RETURNED
        assert report.return_reason == "投资数据与台账不符"


def test_batch_review_refuses_a_tampered_selection(rounds, db, app, login_as):
    with app.app_context():
        _submit(db, rounds, "pub")
    client = login_as("city")
    report = rounds.report(db, "pub")
    cases = {
        "nothing": ({"versions": _queue_versions(db, rounds, "pub")}, "请至少选择一条填报"),
        "no version": ({"report_ids": [str(report.id)]}, "页面缺少版本信息"),
        "bad id": (
            {"report_ids": ["x"], "versions": _queue_versions(db, rounds, "pub")},
            "所选填报无效",
        ),
        "bad decision": (
            {
                "report_ids": [str(report.id)],
                "versions": _queue_versions(db, rounds, "pub"),
                "decision": "delete",
            },
            "请选择审核结论",
        ),
    }
    for name, (data, message) in cases.items():
        response = post_form(client, "/rounds/review", {"decision": "approve", **data})
        assert response.status_code == 200, name
        assert message in _text(response), name
    db.expire_all()
    assert rounds.report(db, "pub").status == ReportStatus.SUBMITTED


def test_batch_review_skips_a_stale_report_and_hides_other_cities_reports(
    rounds, db, app, login_as
):
    with app.app_context():
        _submit(db, rounds, "pub")
        _submit(db, rounds, "b", user="district_b")
        other_round = services.open_round(
            db, Acting(rounds.world.users["other_city"], START), rounds.world.other_city, 2025, 5
        )
        db.commit()
    other = db.scalar(select(ProgressReport).where(ProgressReport.round_id == other_round.id))
    assert other is not None
    pub, b = rounds.report(db, "pub"), rounds.report(db, "b")
    client = login_as("city")
    # Another city's report among the ticked ones: not found, nothing done.
    response = post_form(
        client,
        "/rounds/review",
        {
            "report_ids": [str(pub.id), str(other.id)],
            "versions": [f"{pub.id}:{pub.version_id}", f"{other.id}:{other.version_id}"],
            "decision": "approve",
        },
    )
    assert response.status_code == 404
    db.expire_all()
    assert rounds.report(db, "pub").status == ReportStatus.SUBMITTED
    # A report changed since the page was shown is skipped with the reason; the rest done.
    response = post_form(
        client,
        "/rounds/review",
        {
            "report_ids": [str(pub.id), str(b.id)],
            "versions": [f"{pub.id}:{pub.version_id - 1}", f"{b.id}:{b.version_id}"],
            "decision": "approve",
        },
        follow_redirects=True,
    )
    text = _text(response)
    assert f"以下填报未审核通过：{rounds.projects['pub'].code}（已被他人修改" in text
    db.expire_all()
    assert rounds.report(db, "pub").status == ReportStatus.SUBMITTED
    assert rounds.report(db, "b").status == ReportStatus.APPROVED
    assert db.get(ProgressReport, other.id).status == ReportStatus.PENDING  # type: ignore[union-attr]


def test_single_approve_updates_the_projects_progress(rounds, db, app, login_as):
    with app.app_context():
        _submit(db, rounds, "pub")
    report = rounds.report(db, "pub")
    response = post_form(
        login_as("city"),
        f"/rounds/reports/{report.id}/approve",
        {"version": str(report.version_id)},
        token_from="/rounds/review",
    )
    assert response.status_code == 302 and response.headers["Location"] == "/rounds/review"
    db.expire_all()
    report = rounds.report(db, "pub")
    assert report.status == ReportStatus.APPROVED
    project = report.project
    assert project.construction_status == ConstructionStatus.UNDER_CONSTRUCTION
    assert project.actual_start == dt.date(2025, 3, 10)
    assert project.percent_complete == Decimal("40")
    assert project.investment_completed == Decimal("300")


def test_single_return_requires_a_reason(rounds, db, app, login_as):
    with app.app_context():
        _submit(db, rounds, "pub")
    client = login_as("city")
    report = rounds.report(db, "pub")
    path = f"/rounds/reports/{report.id}/return"
    for reason, message in (("", "请填写退回原因"), ("长" * 2001, "退回原因")):
        response = post_form(
            client,
            path,
            {"version": str(report.version_id), "reason": reason},
            token_from="/rounds/review",
            follow_redirects=True,
        )
        assert message in _text(response)
        db.expire_all()
        assert rounds.report(db, "pub").status == ReportStatus.SUBMITTED
    response = post_form(
        client,
        path,
        {"version": str(report.version_id), "reason": "缺少现场照片"},
        token_from="/rounds/review",
    )
    assert response.status_code == 302
    db.expire_all()
    report = rounds.report(db, "pub")
    assert (report.status, report.return_reason) == (ReportStatus.RETURNED, "缺少现场照片")
    returned = db.scalar(
        select(func.count())
        .select_from(ProgressReport)
        .where(ProgressReport.status == ReportStatus.RETURNED)
    )
    assert returned == 1


def test_approving_a_report_not_submitted_changes_nothing(rounds, db, login_as):
    report = rounds.report(db, "pub")
    response = post_form(
        login_as("city"),
        f"/rounds/reports/{report.id}/approve",
        {"version": str(report.version_id)},
        token_from="/rounds/review",
    )
    assert response.headers["Location"] == f"/rounds/reports/{report.id}"
    db.expire_all()
    assert rounds.report(db, "pub").status == ReportStatus.PENDING
    assert rounds.report(db, "pub").project.percent_complete == Decimal(0)


def test_refusals_of_single_decisions_are_shown_on_the_report_page(rounds, db, login_as):
    client = login_as("city")
    report = rounds.report(db, "pub")
    response = post_form(
        client,
        f"/rounds/reports/{report.id}/approve",
        {"version": str(report.version_id)},
        token_from="/rounds/review",
        follow_redirects=True,
    )
    assert "填报当前状态为“待填报”，不能执行此操作" in _text(response)
    response = post_form(
        client,
        f"/rounds/reports/{report.id}/approve",
        {},
        token_from="/rounds/review",
        follow_redirects=True,
    )
    assert "页面缺少版本信息" in _text(response)
    db.expire_all()
    assert rounds.report(db, "pub").status == ReportStatus.PENDING

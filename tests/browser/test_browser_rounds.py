"""The month of a district, in chromium: it fills two reports on the round's grid page and
submits them; the city returns one from its review queue with a reason; the district finds
it on its home page's to-do (待办) and on the round's to-do page, with the reason.

The data is built through the services (the world of ``tests.rounds``: 测试市 with 甲区
and 乙区, approved projects, the 2025-05 round open), on a fresh database migrated by
Alembic; the app is served for real with a controllable clock, so deadlines and "today" are
fixed (the submission is in time, the actual start dates are in the past). Every step is
driven through the real pages, checked on the page and in the database, and photographed
into ``test-results/screenshots/<backend>/rounds/``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from models import ConstructionStatus, ProgressReport, ReportStatus
from tests.browser import live
from tests.conftest import START, FakeClock
from tests.factories import build_world
from tests.rounds.helpers import RoundWorld, build_projects, open_round

pytestmark = pytest.mark.browser

REASON = "累计完成投资与项目台账不一致，请核对后重新提交"
# What the district types into its two rows; every other cell stays as prefilled.
TYPED = {
    "ent": {
        "construction_status": "under_construction",
        "percent_complete": "35",
        "investment_month": "80.5",
        "investment_cumulative": "210",
        "actual_start": "2025-03-10",
        "description": "锅炉拆除完成，新热源管网施工中",
    },
    "pub": {
        "construction_status": "under_construction",
        "percent_complete": "60",
        "investment_month": "150",
        "investment_cumulative": "900.25",
        "actual_start": "2025-02-20",
        "description": "二期生化池主体结构完成",
    },
}
AMOUNTS = ("percent_complete", "investment_month", "investment_cumulative")


@dataclasses.dataclass(frozen=True)
class Site:
    """The served app and what the test needs to know about its data."""

    base: str
    engine: Engine
    clock: FakeClock
    password: str
    usernames: dict[str, str]  # world key ("district_a", "city") -> username
    user_ids: dict[str, int]
    round_id: int
    reports: dict[str, int]  # project key ("ent", "pub", "b") -> report id
    codes: dict[str, str]  # project key -> project code


@pytest.fixture(scope="module")
def site(
    new_database_url: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """The app served on a fresh database holding the test world with the round open."""
    clock = FakeClock(START)
    instance = tmp_path_factory.mktemp("instance")
    app, engine = live.fresh_app(new_database_url(), instance, clock=clock)
    with Session(engine, expire_on_commit=False) as db:
        world = build_world(db)
        projects = build_projects(db, app, world)
        built = RoundWorld(world=world, projects=projects, round=open_round(db, app, world))
        db.commit()
        keys = ("ent", "pub", "b")
        facts = {
            "password": world.password,
            "usernames": {key: user.username for key, user in world.users.items()},
            "user_ids": {key: user.id for key, user in world.users.items()},
            "round_id": built.round.id,
            "reports": {key: built.report(db, key).id for key in keys},
            "codes": {key: projects[key].code for key in keys},
        }
    with live.serving(app, engine) as base:
        yield Site(base=base, engine=engine, clock=clock, **facts)


@pytest.fixture(scope="module")
def shots(backend: str) -> Path:
    return live.screenshot_dir(backend, "rounds")


def _reports(site: Site) -> dict[str, ProgressReport]:
    """The reports as stored now (a fresh session: what the app committed)."""
    found: dict[str, ProgressReport] = {}
    with Session(site.engine) as db:
        for key, report_id in site.reports.items():
            report = db.get(ProgressReport, report_id)
            assert report is not None, key
            report.snapshots  # noqa: B018 - loaded now, read after the session is gone
            db.expunge(report)
            found[key] = report
    return found


def _flash(page: Page, category: str) -> Locator:
    return page.locator(f".alert.alert-{category}[role=alert]")


def _shoot(page: Page, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def _fill_row(page: Page, report_id: int, typed: dict[str, str]) -> None:
    row = page.get_by_test_id(f"grid-row-{report_id}")
    for field, value in typed.items():
        cell = row.locator(f'[name="r{report_id}.{field}"]')
        if field == "construction_status":
            cell.select_option(value)
        else:
            cell.fill(value)


def test_district_fills_and_submits_on_the_grid_city_returns_one_district_sees_it(
    site: Site, browser: Browser, shots: Path
) -> None:
    base, rid = site.base, site.reports
    ent, pub, other = rid["ent"], rid["pub"], rid["b"]
    before = _reports(site)
    assert {r.status for r in before.values()} == {ReportStatus.PENDING}
    assert all(r.filled_at is None for r in before.values())

    # --- the district fills its two reports on the grid, saves, submits them ------------
    with live.watched_page(browser) as district:
        page = district.page
        live.sign_in(page, base, site.usernames["district_a"], site.password)
        page.goto(f"{base}/rounds/{site.round_id}/grid")
        expect(page.locator("h1")).to_have_text("2025年5月进展表格填报")
        # Its own district's two reports, not 乙区's.
        expect(page.get_by_test_id("grid").locator("tbody > tr")).to_have_count(2)
        expect(page.get_by_test_id(f"grid-row-{other}")).to_have_count(0)
        for key in ("ent", "pub"):
            _fill_row(page, rid[key], TYPED[key])
        _shoot(page, shots, "01-district-grid-filled")

        with page.expect_navigation():
            page.get_by_test_id("grid-save").click()
        expect(_flash(page, "success")).to_contain_text("已保存 2 条填报")
        for key in ("ent", "pub"):
            row = page.get_by_test_id(f"grid-row-{rid[key]}")
            expect(row.get_by_test_id("completeness")).to_have_text("可提交")
            # What was saved is what the row shows again (amounts as stored, to the cent).
            for field, value in TYPED[key].items():
                cell = row.locator(f'[name="r{rid[key]}.{field}"]')
                if field in AMOUNTS:
                    assert Decimal(cell.input_value()) == Decimal(value), (key, field)
                else:
                    expect(cell).to_have_value(value)
        saved = _reports(site)
        for key in ("ent", "pub"):
            report, typed = saved[key], TYPED[key]
            # Filled by the district, not yet submitted: still pending, with a fill time.
            assert report.status == ReportStatus.PENDING, key
            assert (
                report.filled_at is not None and report.filled_by_id == site.user_ids["district_a"]
            ), key
            assert report.construction_status == ConstructionStatus.UNDER_CONSTRUCTION
            assert report.percent_complete == Decimal(typed["percent_complete"])
            assert report.investment_month == Decimal(typed["investment_month"])
            assert report.investment_cumulative == Decimal(typed["investment_cumulative"])
            assert report.actual_start == dt.date.fromisoformat(typed["actual_start"])
            assert report.description == typed["description"]
        assert saved["b"].filled_at is None

        submit = page.get_by_test_id("submit-complete")
        expect(submit).to_have_text("提交全部完整的填报（2 条）")
        with page.expect_navigation():
            submit.click()
        expect(_flash(page, "success")).to_have_text(re.compile(r"^\s*已提交 2 条填报\s*$"))
        expect(_flash(page, "warning")).to_have_count(0)
        # Nothing is left to fill or submit in this district's round.
        expect(page.get_by_test_id("grid-empty")).to_be_visible()
        _shoot(page, shots, "02-district-after-submit")
        district.assert_clean("district grid")

    submitted = _reports(site)
    for key in ("ent", "pub"):
        report = submitted[key]
        assert report.status == ReportStatus.SUBMITTED, key
        assert report.submitted_by_id == site.user_ids["district_a"], key
        assert report.submitted_at is not None and not report.late, key
        assert len(report.snapshots) == 1, key  # the copy of record of the submission
    assert submitted["b"].status == ReportStatus.PENDING

    # --- the city returns one of them from its review queue ------------------------------
    site.clock.advance(hours=2)
    with live.watched_page(browser) as city:
        page = city.page
        live.sign_in(page, base, site.usernames["city"], site.password)
        page.goto(f"{base}/rounds/review")
        queue = page.get_by_test_id("review-queue")
        expect(queue.locator("tbody > tr")).to_have_count(2)
        for key in ("ent", "pub"):
            expect(page.get_by_test_id(f"queue-{rid[key]}")).to_contain_text(site.codes[key])
        page.locator(f"#pick-{ent}").check()
        page.locator("select[name=decision]").select_option("return")
        page.locator("textarea[name=reason]").fill(REASON)
        _shoot(page, shots, "03-city-review-queue")

        with page.expect_navigation():
            page.get_by_role("button", name="提交审核结论").click()
        expect(_flash(page, "success")).to_contain_text("已退回 1 条填报")
        expect(page.get_by_test_id(f"queue-{ent}")).to_have_count(0)
        expect(page.get_by_test_id(f"queue-{pub}")).to_be_visible()
        expect(page.locator("h1")).to_have_text("月度进展审核队列（1）")
        _shoot(page, shots, "04-city-after-return")
        city.assert_clean("city review")

    decided = _reports(site)
    assert decided["ent"].status == ReportStatus.RETURNED
    assert decided["ent"].return_reason == REASON
    assert decided["ent"].reviewed_by_id == site.user_ids["city"]
    assert decided["pub"].status == ReportStatus.SUBMITTED
    assert decided["pub"].reviewed_at is None

    # --- the district sees the returned report in its to-do, with the reason -------------
    site.clock.advance(hours=1)
    with live.watched_page(browser) as district:
        page = district.page
        live.sign_in(page, base, site.usernames["district_a"], site.password)
        todo = page.get_by_test_id("home-todo")
        returned = todo.locator("[data-testid=todo-item][data-key=reports_returned]")
        expect(returned).to_contain_text("被市局退回待修改")
        expect(returned.get_by_test_id("todo-reports_returned")).to_have_text("1")
        # Both were submitted: nothing else is left to fill or submit this month.
        for key in ("reports_to_fill", "reports_to_submit"):
            expect(todo.locator(f"[data-key={key}]")).to_have_count(0)
        _shoot(page, shots, "05-district-home-todo")

        # The home to-do leads to the round's returned reports.
        with page.expect_navigation():
            returned.get_by_role("link", name="被市局退回待修改").click()
        assert f"/rounds/{site.round_id}/reports" in page.url and "status=returned" in page.url
        table = page.get_by_test_id("report-table")
        expect(table.locator("tbody > tr")).to_have_count(1)
        expect(page.get_by_test_id(f"report-{ent}")).to_contain_text(site.codes["ent"])

        page.goto(f"{base}/rounds/todo")
        section = page.get_by_test_id("todo-returned")
        expect(section).to_contain_text("被市局退回待修改（1 条）")
        line = section.get_by_test_id(f"todo-report-{ent}")
        expect(line).to_contain_text(REASON)
        expect(page.get_by_test_id(f"todo-report-{pub}")).to_have_count(0)
        _shoot(page, shots, "06-district-round-todo")

        with page.expect_navigation():
            line.get_by_role("link", name=site.codes["ent"]).click()
        expect(page.get_by_test_id("review-comment")).to_contain_text(REASON)
        expect(page.get_by_test_id("report-status")).to_have_text("已退回")
        _shoot(page, shots, "07-district-returned-report")
        district.assert_clean("district to-do")

    final = _reports(site)
    assert final["ent"].status == ReportStatus.RETURNED
    assert final["pub"].status == ReportStatus.SUBMITTED

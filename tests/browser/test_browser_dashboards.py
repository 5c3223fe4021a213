"""The dashboards in chromium: the city's and a district's, with seeded data, charts drawn.

The data is the dashboard tests' seed (``tests.dashboards.seed``: confirmed 2025 NOx
accounting in both districts, targets, an overdue project, the 2025-05 round with reports
at several states) on a fresh database migrated by Alembic; the app is served for real with
a clock a week after the round's district deadline. Each page is opened by a signed-in
user, every chart must have drawn (ECharts reports ``finished``, its canvas has a size, its
instance holds the option's series) without a console error (a CSP violation would be
one), and the page is photographed into ``test-results/screenshots/<backend>/dashboards/``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session

from tests.browser import live
from tests.conftest import FakeClock
from tests.dashboards.seed import seed
from tests.factories import build_world

pytestmark = pytest.mark.browser

AFTER_DEADLINE = dt.datetime(2025, 6, 12, 2, 0, tzinfo=dt.UTC)
CHARTS = 10  # targets, four pollutants by month, types, statuses, archive, submissions, warnings


@dataclasses.dataclass(frozen=True)
class Site:
    base: str
    password: str
    usernames: dict[str, str]
    region_ids: dict[str, int]


@pytest.fixture(scope="module")
def site(
    new_database_url: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    instance = tmp_path_factory.mktemp("instance")
    app, engine = live.fresh_app(new_database_url(), instance, clock=FakeClock(AFTER_DEADLINE))
    with Session(engine, expire_on_commit=False) as db, app.app_context():
        world = build_world(db)
        db.commit()
        seed(db, world)
        facts = {
            "password": world.password,
            "usernames": {key: user.username for key, user in world.users.items()},
            "region_ids": {"city": world.city.id, "district_a": world.district_a.id,
                           "district_b": world.district_b.id},
        }  # fmt: skip
    with live.serving(app, engine) as base:
        yield Site(base=base, **facts)


@pytest.fixture(scope="module")
def shots(backend: str) -> Path:
    return live.screenshot_dir(backend, "dashboards")


def _charts_drawn(page: Page) -> list[dict]:
    """Wait until every chart has drawn; what each one shows (canvas size, series)."""
    charts = page.locator("[data-chart]")
    expect(charts).to_have_count(CHARTS)
    expect(page.locator("[data-chart][data-rendered='1']")).to_have_count(CHARTS)
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('[data-chart]')).map((el) => {
            const canvas = el.querySelector('canvas');
            const chart = echarts.getInstanceByDom(el);
            const option = chart ? chart.getOption() : null;
            const aria = option ? [].concat(option.aria)[0] : null;
            return {
                key: el.dataset.chart,
                width: canvas ? canvas.width : 0,
                height: canvas ? canvas.height : 0,
                series: option ? option.series.length : 0,
                decals: aria ? aria.decal.show : false,
            };
        })"""
    )


def _check(drawn: list[dict]) -> None:
    for chart in drawn:
        assert chart["width"] > 0 and chart["height"] > 0, chart
        assert chart["series"] >= 1, chart
        assert chart["decals"] is True, chart


def test_city_dashboard_renders_its_charts(site: Site, browser: Browser, shots: Path) -> None:
    with live.watched_page(browser) as city:
        page = city.page
        live.sign_in(page, site.base, site.usernames["city"], site.password)
        page.get_by_role("link", name="统计分析").click()
        expect(page.locator("h1")).to_have_text("统计分析：测试市 · 2025年")
        _check(_charts_drawn(page))
        # The numbers behind the first chart: 297 + 110 + 60 t of NOx against 1000 t.
        nox = page.get_by_test_id("table-targets").locator("tr[data-key='NOx'] td")
        expect(nox).to_have_text(["467.0000", "1000.0000", "46.7%"])
        page.screenshot(path=str(shots / "01-city.png"), full_page=True)
        # A district's page from the city's links.
        page.get_by_test_id("district-links").get_by_role("link", name="乙区").click()
        expect(page.locator("h1")).to_have_text("统计分析：乙区 · 2025年")
        _check(_charts_drawn(page))
        page.screenshot(path=str(shots / "02-city-sees-district-b.png"), full_page=True)
        city.assert_clean("city dashboards")


def test_district_dashboard_renders_only_its_district(
    site: Site, browser: Browser, shots: Path
) -> None:
    with live.watched_page(browser) as district:
        page = district.page
        live.sign_in(page, site.base, site.usernames["district_a"], site.password)
        page.goto(f"{site.base}/dashboards/?year=2025")
        expect(page.locator("h1")).to_have_text("统计分析：甲区 · 2025年")
        _check(_charts_drawn(page))
        nox = page.get_by_test_id("table-targets").locator("tr[data-key='NOx'] td")
        expect(nox).to_have_text(["407.0000", "500.0000", "81.4%"])
        rows = page.get_by_test_id("table-archive").locator("tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_have_attribute("data-key", str(site.region_ids["district_a"]))
        page.screenshot(path=str(shots / "03-district-a.png"), full_page=True)
        district.assert_clean("district dashboard")
        # The city's page is not found for the district.
        response = page.goto(f"{site.base}/dashboards/regions/{site.region_ids['city']}")
        assert response is not None and response.status == 404

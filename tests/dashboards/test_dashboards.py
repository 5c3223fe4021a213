"""The dashboards' numbers against values computed here from the seeded inputs, and scope.

Totals per pollutant are the sums of the current confirmed credits (worked out from the
parameters with accounting.md's rule, for both credit rules), percentages of target are
right, the cumulative curve ends at the year's total, the project, archive, submission and
warning figures match a count of the stored rows made in Python, and a district's
dashboard holds its own district only.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import ROUND_HALF_UP, Decimal

import lxml.html
import pytest
from sqlalchemy import select

from dispatch.core.catalog import get_catalog
from dispatch.evidence import checklist
from models import PlanStatus, ProgressReport, Project, ReportStatus
from tests.conftest import login
from tests.dashboards.pages import table
from tests.dashboards.seed import ACCOUNTED, TARGETS, seed

COUNTED = (PlanStatus.APPROVED, PlanStatus.CLOSED)


def months(stable: dt.date, year: int, rule: str) -> int:
    """The year's credited months, from accounting.md's words."""
    if rule == "full_year":
        return 12 if year >= stable.year else 0
    first = dt.date(stable.year + (stable.month == 12), stable.month % 12 + 1, 1)
    if year < first.year:
        return 0
    return 12 if year > first.year else 12 - first.month + 1


def start_month(stable: dt.date, rule: str) -> int:
    """The month of 2025 from which the credit counts (all seeded projects start in 2025)."""
    return stable.month if rule == "full_year" else stable.month + 1


def credit(stable: dt.date, flow: str, hours: str, rule: str) -> Decimal:
    capacity = Decimal(flow) * 100 * Decimal(hours) / Decimal(10**9)
    return (capacity * months(stable, 2025, rule) / 12).quantize(Decimal("0.000001"))


def expected_nox(rule: str) -> dict[str, Decimal]:
    sums = {"district_a": Decimal(0), "district_b": Decimal(0)}
    for district, stable, flow, hours, confirmed in ACCOUNTED:
        if confirmed:
            sums[district] += credit(stable, flow, hours, rule)
    return {**sums, "city": sums["district_a"] + sums["district_b"]}


def t(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.0001'), ROUND_HALF_UP)}"


def share(part: Decimal, whole: Decimal) -> str:
    return f"{(part * 100 / whole).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


@pytest.fixture
def seeded(app, db, world):
    with app.app_context():
        return seed(db, world)


def _signed_in(app, world, key: str):  # type: ignore[no-untyped-def]
    """Another browser, signed in as ``key`` (the fixture's client is someone else)."""
    client = app.test_client()
    assert login(client, world.users[key].username, world.password).status_code == 302
    return client


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


@pytest.mark.parametrize("rule", ["months_after_stable", "full_year"])
def test_totals_percentages_and_cumulative_curve(app, db, world, login_as, rule):
    with app.app_context():
        seed(db, world, rule)
    client = login_as("city")
    expected = expected_nox(rule)
    pages = {
        "city": _page(client, "/dashboards/?year=2025"),
        "district_a": _page(client, f"/dashboards/regions/{world.district_a.id}?year=2025"),
        "district_b": _page(client, f"/dashboards/regions/{world.district_b.id}?year=2025"),
    }
    for key, html in pages.items():
        nox = table(html, "targets")["NOx"]
        target = TARGETS[key]["NOx"]
        assert nox[1:] == [t(expected[key]), t(target), share(expected[key], target)], key
        # Nothing else is confirmed; the city's COD target is reached to 0%.
        assert table(html, "targets")["COD"][1:] == (
            ["0.0000", "100.0000", "0.0%"] if key == "city" else ["0.0000", "未设置", "—"]
        )
    # The city's NOx by month: each project's credit in its start month, running up to the
    # year's total in December, against a straight line to the target.
    by_month = {m: Decimal(0) for m in range(1, 13)}
    for _district, stable, flow, hours, confirmed in ACCOUNTED:
        if confirmed:
            by_month[start_month(stable, rule)] += credit(stable, flow, hours, rule)
    rows = table(pages["city"], "monthly-NOx")
    running = Decimal(0)
    for month in range(1, 13):
        running += by_month[month]
        assert rows[str(month)][1:] == [
            t(by_month[month]),
            t(running),
            t(TARGETS["city"]["NOx"] * month / 12),
        ], month
    assert running == expected["city"]
    assert table(pages["city"], "monthly-VOCs")["12"][1:] == ["0.0000", "0.0000", "未设置"]


def test_other_years_count_nothing(app, db, world, login_as, seeded):
    html = _page(login_as("city"), "/dashboards/?year=2024")
    assert table(html, "targets")["NOx"][1:] == ["0.0000", "未设置", "—"]


def test_a_district_sees_only_its_district(app, db, world, login_as, seeded):
    client = login_as("district_a")
    html = _page(client, "/dashboards/")
    doc = lxml.html.fromstring(html)
    assert doc.xpath("//h1/@data-region") == [str(world.district_a.id)]
    assert table(html, "targets")["NOx"][1] == t(expected_nox("months_after_stable")["district_a"])
    for key in ("archive", "submissions", "warnings"):
        assert list(table(html, key)) == [str(world.district_a.id)], key
    assert not doc.xpath("//*[@data-testid='district-links']")
    # Its own page by id is the same; its city, the other district and another city's are
    # not found.
    assert client.get(f"/dashboards/regions/{world.district_a.id}").status_code == 200
    for other in (world.city, world.district_b, world.other_city, world.other_district):
        assert client.get(f"/dashboards/regions/{other.id}").status_code == 404, other.name
    # District B's page of its own shows none of district A's figures.
    html_b = _page(_signed_in(app, world, "district_b"), "/dashboards/")
    own = expected_nox("months_after_stable")["district_b"]
    assert table(html_b, "targets")["NOx"][1] == t(own)
    assert list(table(html_b, "archive")) == [str(world.district_b.id)]


def test_city_page_lists_its_districts_and_enterprises_have_none(app, world, login_as, seeded):
    html = _page(login_as("city"), "/dashboards/")
    ids = [str(world.district_a.id), str(world.district_b.id)]
    for key in ("archive", "submissions", "warnings"):
        assert list(table(html, key)) == ids, key
    links = lxml.html.fromstring(html).xpath("//*[@data-testid='district-links']//a/@href")
    assert [link.split("?")[0] for link in links] == [f"/dashboards/regions/{i}" for i in ids]
    enterprise = _signed_in(app, world, "enterprise_a")
    assert enterprise.get("/dashboards/").status_code == 404


def _plan_list(db, world) -> list[Project]:
    projects = db.scalars(select(Project).where(Project.plan_year == 2025)).all()
    districts = (world.district_a.id, world.district_b.id)
    return [p for p in projects if p.plan_status in COUNTED and p.district_id in districts]


def test_projects_by_type_and_status(app, db, world, login_as, seeded):
    html = _page(login_as("city"), "/dashboards/?year=2025")
    projects = _plan_list(db, world)
    types, statuses = table(html, "types"), table(html, "statuses")
    for code in {p.type_code for p in projects} | {"W1"}:
        assert types[code][1] == str(sum(1 for p in projects if p.type_code == code)), code
    for status in {p.construction_status for p in projects}:
        count = sum(1 for p in projects if p.construction_status == status)
        assert statuses[status.value][1] == str(count), status
    assert sum(int(row[1]) for row in types.values()) == len(projects)


def test_archive_completeness_agrees_with_the_checklists(app, db, world, login_as, seeded):
    html = _page(login_as("city"), "/dashboards/?year=2025")
    rows = table(html, "archive")
    with app.app_context():
        found = checklist.checklists(db, get_catalog(), _plan_list(db, world))
    for district in (world.district_a, world.district_b):
        mine = [c for c in found.values() if c.project.district_id == district.id]
        complete = sum(1 for c in mine if c.complete)
        done = sum(c.progress[0] for c in mine)
        total = sum(c.progress[1] for c in mine)
        assert rows[str(district.id)][1:] == [
            str(len(mine)), str(complete), share(Decimal(complete), Decimal(len(mine))),
            f"{done}/{total}", share(Decimal(done), Decimal(total)),
        ], district.name  # fmt: skip
    # Three complete archives of stable projects in 甲区, one in 乙区, the rest incomplete.
    assert rows[str(world.district_a.id)][2] == "3"
    assert rows[str(world.district_b.id)][2] == "1"


def test_submission_rate_over_the_rounds_that_fell_due(app, db, world, login_as, clock, seeded):
    client = login_as("city")
    # Before the district deadline (the 5th), the open round owes nothing yet.
    html = _page(client, "/dashboards/?year=2025")
    assert table(html, "submissions")[str(world.district_a.id)][1] == "0"
    clock.advance(days=5)  # the idle session ends meanwhile: sign in again
    html = _page(_signed_in(app, world, "city"), "/dashboards/?year=2025")
    rows = table(html, "submissions")
    reports = db.scalars(select(ProgressReport)).all()
    done = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)
    for district in (world.district_a, world.district_b):
        mine = [r for r in reports if r.project.district_id == district.id]
        submitted = [r for r in mine if r.status in done]
        on_time = [r for r in submitted if not r.late]
        assert mine, district.name
        assert rows[str(district.id)][1:] == [
            str(len(mine)), str(len(submitted)), str(len(on_time)),
            share(Decimal(len(submitted)), Decimal(len(mine))),
            share(Decimal(len(on_time)), Decimal(len(mine))),
        ], district.name  # fmt: skip
    assert "2025年5月" in html


def test_overdue_projects_are_counted_and_listed(app, db, world, login_as, seeded):
    html = _page(login_as("city"), "/dashboards/")
    assert table(html, "warnings")[str(world.district_a.id)][1:] == ["1", "0"]
    assert table(html, "warnings")[str(world.district_b.id)][1:] == ["0", "0"]
    doc = lxml.html.fromstring(html)
    listed = doc.xpath("//table[@data-testid='warning-projects']//tr[@data-warning='overdue']")
    assert [r.xpath("td")[1].text_content().strip() for r in listed] == [seeded.overdue.code]


def test_chart_data_is_a_json_block_and_no_script_is_inline(app, world, login_as, seeded):
    html = _page(login_as("city"), "/dashboards/")
    doc = lxml.html.fromstring(html)
    for script in doc.xpath("//script"):
        assert script.get("src") or script.get("type") == "application/json"
    (block,) = doc.xpath("//script[@id='dashboard-data']")
    options = json.loads(block.text)
    keys = doc.xpath("//*[@data-chart]/@data-chart")
    assert sorted(keys) == sorted(options)
    for key in keys:
        assert options[key]["aria"] == {"enabled": True, "decal": {"show": True}}, key
        # Every chart has its table of numbers next to it.
        assert doc.xpath(f"//table[@data-testid='table-{key}']"), key


def test_a_year_that_is_no_year_is_ignored_with_a_message(app, world, login_as, seeded):
    client = login_as("city")
    for bad in ("abc", "1999", "２０２５", "9" * 30):
        response = client.get("/dashboards/", query_string={"year": bad})
        assert response.status_code == 200, bad
        assert "年份无效" in response.get_data(as_text=True)

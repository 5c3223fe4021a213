"""Early warning (预警): overdue projects, projects stalled over three approved rounds,
districts with reports missing after the deadline; on the home pages and as a filter of the
project list."""

from __future__ import annotations

import datetime as dt
import html
import re

import lxml.html
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.audit import Acting
from dispatch.rounds import services, warnings
from models import DispatchRound, ProgressReport
from tests.conftest import START
from tests.dashboards.pages import table
from tests.rounds.helpers import RoundWorld, fill
from tests.rounds.statements import statements

DISTRICT_OF = {"ent": "district_a", "pub": "district_a", "b": "district_b"}
TODAY = START.date()


def _report(db: Session, rnd: DispatchRound, project_id: int) -> ProgressReport:
    report = db.scalar(
        select(ProgressReport).where(
            ProgressReport.round_id == rnd.id, ProgressReport.project_id == project_id
        )
    )
    assert report is not None
    return report


def _approve(db: Session, rounds: RoundWorld, rnd: DispatchRound, key: str, **values: str) -> None:
    users = rounds.world.users
    district = users[DISTRICT_OF[key]]
    report = _report(db, rnd, rounds.projects[key].id)
    fill(db, district, report, **values)
    services.submit(db, Acting(district, START), report, version=report.version_id)
    services.approve(db, Acting(users["city"], START), report, version=report.version_id)
    db.flush()


def _month(db: Session, app, rounds: RoundWorld, month: int, **plan: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """Open ``month`` of 2025 and approve the given projects' reports with their values."""
    with app.app_context():
        rnd = services.open_round(
            db, Acting(rounds.world.users["city"], START), rounds.world.city, 2025, month
        )
        db.flush()
        for key, values in plan.items():
            _approve(db, rounds, rnd, key, **values)
        db.commit()


def _codes(page: str) -> list[str]:
    table = page.split('data-testid="project-table"', 1)[1]
    return re.findall(r">(99010\d-\d{4}-[AW]\d-\d{3})<", table)


STILL = {"percent_complete": "40"}
DONE = {
    "construction_status": "completed",
    "percent_complete": "100",
    "actual_completion": "2025-05-20",
}


def test_stalled_after_three_identical_approved_rounds_not_after_two(rounds, db, app) -> None:
    city = rounds.world.users["city"]
    ids = rounds.projects
    commissioning = {"construction_status": "commissioning", "percent_complete": "40"}
    _month(db, app, rounds, 2, pub=STILL, b=STILL, ent=DONE)
    _month(db, app, rounds, 3, pub=STILL, b=commissioning, ent=DONE)
    assert warnings.stalled_ids(db, city) == []  # two rounds are not enough
    _month(db, app, rounds, 4, pub=STILL, b=commissioning, ent=DONE)
    # pub: three identical rounds. b: same percent, but its status moved in the last three.
    # ent: identical, but complete: finished, not stalled.
    assert warnings.stalled_ids(db, city) == [ids["pub"].id]
    assert warnings.stalled_count(db, city) == 1
    assert warnings.stalled_ids(db, rounds.world.users["district_a"]) == [ids["pub"].id]
    assert warnings.stalled_ids(db, rounds.world.users["district_b"]) == []
    assert warnings.stalled_ids(db, rounds.world.users["other_city"]) == []
    # b: a fourth round without change makes three identical in a row.
    with app.app_context():
        _approve(db, rounds, rounds.round, "b", **commissioning)
        _approve(db, rounds, rounds.round, "pub", percent_complete="45")  # pub moves again
        db.commit()
    assert warnings.stalled_ids(db, city) == [ids["b"].id]


def test_stalled_is_one_query_not_one_per_project(rounds, db, app) -> None:
    for month in (2, 3, 4):
        _month(db, app, rounds, month, pub=STILL, b=STILL)
    city = rounds.world.users["city"]
    db.expire_all()
    city.region  # noqa: B018 (loaded here so only the warning's own query is counted)
    with statements(db) as seen:
        assert warnings.stalled_count(db, city) == 2
    assert len(seen) == 1


def test_overdue_projects(rounds, db, login_as) -> None:
    users = rounds.world.users
    pub = rounds.projects["pub"]
    assert warnings.overdue_ids(db, users["city"], TODAY) == []
    pub.planned_completion = dt.date(2025, 5, 31)
    rounds.projects["draft"].planned_completion = dt.date(2025, 5, 31)  # a draft: not counted
    db.commit()
    assert warnings.overdue_ids(db, users["city"], TODAY) == [pub.id]
    assert warnings.overdue_count(db, users["district_a"], TODAY) == 1
    assert warnings.overdue_count(db, users["district_b"], TODAY) == 0
    assert warnings.overdue_count(db, users["other_city"], TODAY) == 0
    # Planned completion on today itself is not yet overdue.
    assert warnings.overdue_ids(db, users["city"], dt.date(2025, 5, 31)) == []
    # Later on, every approved project of the city not yet complete is overdue.
    later = dt.date(2025, 12, 1)
    expected = sorted(rounds.projects[k].id for k in ("ent", "pub", "b"))
    assert warnings.overdue_ids(db, users["city"], later) == expected


def test_missing_districts_after_the_district_deadline(rounds, db, app) -> None:
    users = rounds.world.users
    deadline = rounds.round.district_deadline
    after = deadline + dt.timedelta(seconds=1)
    city = users["city"]
    assert warnings.missing_districts(db, city, START) == []
    assert warnings.missing_districts(db, city, deadline) == []  # at the instant: in time
    found = warnings.missing_districts(db, city, after)
    assert [(d.name, d.missing) for d in found] == [("甲区", 2), ("乙区", 1)]
    assert found[0].latest.round_id == rounds.round.id and found[0].latest.title == "2025年5月"
    assert warnings.missing_district_ids(db, users["district_a"], after) == [
        rounds.world.district_a.id
    ]
    assert warnings.missing_districts(db, users["other_city"], after) == []
    with app.app_context():
        for key in ("ent", "pub"):
            report = rounds.report(db, key)
            fill(db, users["district_a"], report, at=after)
            services.submit(
                db, Acting(users["district_a"], after), report, version=report.version_id
            )
        # A report returned after the deadline is missing again until resubmitted.
        report = rounds.report(db, "pub")
        services.return_report(db, Acting(city, after), report, "请核实", version=report.version_id)
        db.flush()
    assert [(d.name, d.missing) for d in warnings.missing_districts(db, city, after)] == [
        ("甲区", 1),
        ("乙区", 1),
    ]
    with app.app_context():
        services.close_round(db, Acting(city, after), rounds.round, version=rounds.round.version_id)
        db.flush()
    # Closing keeps unsubmitted reports missing; nothing disappears from the warning.
    assert [d.missing for d in warnings.missing_districts(db, city, after)] == [1, 1]


def test_missing_districts_group_rounds_latest_first_in_one_query(rounds, db, app) -> None:
    _month(db, app, rounds, 4, pub=STILL)  # 甲区's ent and 乙区's b left missing in April
    later = rounds.round.district_deadline + dt.timedelta(days=1)
    db.expire_all()
    city = rounds.world.users["city"]
    city.region  # noqa: B018 (loaded here so only the warning's own query is counted)
    with statements(db) as seen:
        found = warnings.missing_districts(db, city, later)
    assert len(seen) == 1
    assert [(d.name, [(r.title, r.missing) for r in d.rounds]) for d in found] == [
        ("甲区", [("2025年5月", 2), ("2025年4月", 1)]),
        ("乙区", [("2025年5月", 1), ("2025年4月", 1)]),
    ]
    assert found[0].missing == 3


def test_missing_reports_older_than_a_year_are_history(rounds, db) -> None:
    city = rounds.world.users["city"]
    deadline = rounds.round.district_deadline
    within = deadline + warnings.MISSING_WINDOW - dt.timedelta(seconds=1)
    assert [d.name for d in warnings.missing_districts(db, city, within)] == ["甲区", "乙区"]
    beyond = deadline + warnings.MISSING_WINDOW + dt.timedelta(seconds=1)
    assert warnings.missing_districts(db, city, beyond) == []


def _warning_panel(client) -> str:  # type: ignore[no-untyped-def]
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="home-warnings"' in page
    return page.split('data-testid="home-warnings"', 1)[1].split('data-testid="home-tiles"', 1)[0]


def test_home_pages_show_warnings_linking_to_the_filtered_list(
    rounds, db, app, clock, login_as
) -> None:
    rounds.projects["pub"].planned_completion = dt.date(2025, 5, 31)
    db.commit()
    for month in (2, 3, 4):
        _month(db, app, rounds, month, pub=STILL, b=STILL)
    clock.current = rounds.round.district_deadline + dt.timedelta(minutes=1)
    client = login_as("city")
    panel = _warning_panel(client)
    assert re.search(
        r'href="/projects/\?[^"]*warning=overdue[^"]*" data-testid="warning-overdue">1<', panel
    )
    assert re.search(r'data-testid="warning-stalled">2<', panel)
    assert 'data-testid="warning-missing">2<' in panel
    # 甲区: ent was left unreported in February to April, and nothing is in for May.
    assert "甲区：缺报 5 份" in panel and "乙区：缺报 1 份" in panel
    assert f'href="/rounds/{rounds.round.id}"' in panel
    for testid, expected in (("warning-overdue", ["pub"]), ("warning-stalled", ["pub", "b"])):
        href = re.search(rf'href="([^"]+)" data-testid="{testid}"', panel).group(1)  # type: ignore[union-attr]
        listed = _codes(client.get(html.unescape(href)).get_data(as_text=True))
        assert sorted(listed) == sorted(rounds.projects[k].code for k in expected), testid


def test_district_home_shows_its_own_warnings_only(rounds, db, app, clock) -> None:
    from tests.conftest import login

    for month in (2, 3, 4):
        _month(db, app, rounds, month, pub=STILL, b=STILL)
    clock.current = rounds.round.district_deadline + dt.timedelta(minutes=1)
    client = app.test_client()
    login(client, rounds.world.users["district_b"].username, rounds.world.password)
    panel = _warning_panel(client)
    assert (
        'data-testid="warning-stalled">1<' in panel and 'data-testid="warning-overdue">0<' in panel
    )
    assert "乙区：缺报 1 份" in panel and "甲区" not in panel
    enterprise = app.test_client()
    login(enterprise, rounds.world.users["enterprise_a"].username, rounds.world.password)
    assert 'data-testid="home-warnings"' not in enterprise.get("/").get_data(as_text=True)


@pytest.mark.parametrize("query", ["warning=stalled&year=", "warning=stalled&year=2025"])
def test_project_list_filters_stalled(rounds, db, app, login_as, query) -> None:
    for month in (2, 3, 4):
        _month(db, app, rounds, month, pub=STILL)
    client = login_as("city")
    page = client.get(f"/projects/?{query}").get_data(as_text=True)
    assert _codes(page) == [rounds.projects["pub"].code]
    assert '<option value="stalled" selected>停滞</option>' in page
    assert 'data-testid="filter-note"' not in page
    # The pager and sort links keep the filter.
    assert "warning=stalled" in page.split('data-testid="project-table"', 1)[1]


def test_project_list_overdue_and_bad_warning_values(rounds, db, login_as) -> None:
    rounds.projects["pub"].planned_completion = dt.date(2025, 5, 31)
    db.commit()
    client = login_as("district_a")
    get = lambda q: client.get(f"/projects/?{q}")  # noqa: E731
    overdue = _codes(get("warning=overdue").get_data(as_text=True))
    assert overdue == [rounds.projects["pub"].code]
    assert _codes(get("overdue=1").get_data(as_text=True)) == overdue  # the older spelling
    everything = _codes(get("").get_data(as_text=True))
    assert len(everything) == 2
    for bad in ("nope", "OVERDUE", "stalled%00", "%3Cscript%3E", "x" * 5000):
        response = get(f"warning={bad}")
        page = response.get_data(as_text=True)
        assert response.status_code == 200, bad
        assert 'data-testid="filter-note">预警筛选条件无效，已忽略<' in page
        assert _codes(page) == everything  # ignored: the list unfiltered


def test_the_dashboard_counts_and_lists_stalled_projects(rounds, db, app, login_as) -> None:
    for month in (2, 3, 4):
        _month(db, app, rounds, month, pub=STILL, b=STILL, ent=DONE)
    response = login_as("city").get("/dashboards/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    counts = table(page, "warnings")
    world = rounds.world
    # Columns: district, overdue, stalled. ent (district A) reported the same 100% thrice:
    # finished, not stalled.
    assert counts[str(world.district_a.id)][1:] == ["0", "1"]
    assert counts[str(world.district_b.id)][1:] == ["0", "1"]
    doc = lxml.html.fromstring(page)
    listed = doc.xpath("//table[@data-testid='warning-projects']//tr[@data-warning='stalled']")
    codes = sorted(row.xpath("td")[1].text_content().strip() for row in listed)
    assert codes == sorted(rounds.projects[key].code for key in ("pub", "b"))

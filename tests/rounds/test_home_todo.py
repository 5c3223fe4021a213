"""The to-do list (待办) of the home pages: what awaits each user, with counts, links and
the days left before the deadline, moving as reports and plan entries move."""

from __future__ import annotations

import datetime as dt
import html
import re

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from dispatch.audit import Acting
from dispatch.projects import services as project_services
from dispatch.rounds import services
from dispatch.rounds.todo import Deadline, counts, todo_for
from tests.conftest import START, login
from tests.rounds.helpers import RoundWorld, close, fill
from tests.rounds.statements import statements

BEIJING = dt.timezone(dt.timedelta(hours=8))


def _todo(db: Session, rounds: RoundWorld, key: str, at: dt.datetime = START) -> dict[str, int]:
    return counts(todo_for(db, rounds.world.users[key], at))


def _page_counts(client: FlaskClient) -> dict[str, int]:
    """The to-do counts as the home page shows them (summed over rounds)."""
    page = client.get("/").get_data(as_text=True)
    todo = page.split('data-testid="home-todo"', 1)[1].split('data-testid="home-tiles"', 1)[0]
    shown: dict[str, int] = {}
    for key, count in re.findall(r'data-testid="todo-([a-z_]+)">(\d+)<', todo):
        shown[key] = shown.get(key, 0) + int(count)
    return shown


def _submit(db: Session, user_key: str, rounds: RoundWorld, *project_keys: str) -> None:
    user = rounds.world.users[user_key]
    for key in project_keys:
        report = rounds.report(db, key)
        services.submit(db, Acting(user, START), report, version=report.version_id)
    db.flush()


def test_enterprise_sees_its_report_to_fill_until_it_fills_it(rounds, db, app, login_as) -> None:
    users = rounds.world.users
    client = login_as("enterprise_a")
    assert _todo(db, rounds, "enterprise_a") == {"reports_to_fill": 1}
    assert _page_counts(client) == {"reports_to_fill": 1}
    with app.app_context():
        fill(db, users["enterprise_a"], rounds.report(db, "ent"))
        db.commit()
    # Filled: no longer a task; it now waits for the district's submission.
    assert _todo(db, rounds, "enterprise_a") == {"reports_filled": 1}
    assert _page_counts(client) == {"reports_filled": 1}
    with app.app_context():
        _submit(db, "district_a", rounds, "ent")
        db.commit()
    assert _todo(db, rounds, "enterprise_a") == {}
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="todo-empty">暂无待办事项<' in page
    # The other enterprise has no project in the round.
    assert _todo(db, rounds, "enterprise_b") == {}


def test_district_counts_move_through_fill_submit_and_return(rounds, db, app, login_as) -> None:
    users = rounds.world.users
    client = login_as("district_a")
    assert _todo(db, rounds, "district_a") == {"reports_to_fill": 2}  # ent and pub, not b
    assert _todo(db, rounds, "district_b") == {"reports_to_fill": 1}
    with app.app_context():
        fill(db, users["district_a"], rounds.report(db, "pub"))
        db.commit()
    assert _todo(db, rounds, "district_a") == {"reports_to_fill": 1, "reports_to_submit": 1}
    with app.app_context():
        fill(db, users["enterprise_a"], rounds.report(db, "ent"))
        db.commit()
    assert _todo(db, rounds, "district_a") == {"reports_to_submit": 2}
    assert _page_counts(client) == {"reports_to_submit": 2}
    with app.app_context():
        _submit(db, "district_a", rounds, "pub")
        db.commit()
    assert _todo(db, rounds, "district_a") == {"reports_to_submit": 1}
    with app.app_context():
        report = rounds.report(db, "pub")
        services.return_report(
            db, Acting(users["city"], START), report, "投资与台账不符", version=report.version_id
        )
        db.commit()
    assert _todo(db, rounds, "district_a") == {"reports_to_submit": 1, "reports_returned": 1}
    assert _page_counts(client) == {"reports_to_submit": 1, "reports_returned": 1}
    assert _todo(db, rounds, "district_b") == {"reports_to_fill": 1}  # untouched


def test_city_counts_reports_to_review_and_what_districts_owe(rounds, db, app, login_as) -> None:
    users = rounds.world.users
    client = login_as("city")
    assert _todo(db, rounds, "city") == {"reports_unsubmitted": 3}
    with app.app_context():
        for key, district in (("ent", "district_a"), ("pub", "district_a"), ("b", "district_b")):
            fill(db, users[district], rounds.report(db, key))
        _submit(db, "district_a", rounds, "ent", "pub")
        db.commit()
    assert _todo(db, rounds, "city") == {"reports_to_review": 2, "reports_unsubmitted": 1}
    assert _page_counts(client) == {"reports_to_review": 2, "reports_unsubmitted": 1}
    with app.app_context():
        report = rounds.report(db, "ent")
        services.approve(db, Acting(users["city"], START), report, version=report.version_id)
        db.commit()
    assert _todo(db, rounds, "city") == {"reports_to_review": 1, "reports_unsubmitted": 1}
    # Reports submitted in a round already closed still wait for the city's review.
    close(db, app, rounds)
    assert _todo(db, rounds, "city") == {"reports_to_review": 1}
    # The other city sees nothing of this city's round.
    assert _todo(db, rounds, "other_city") == {}


def test_plan_entries_and_change_requests(rounds, db, app) -> None:
    users = rounds.world.users
    draft, approved = rounds.projects["draft"], rounds.projects["b"]
    city = Acting(users["city"], START)
    with app.app_context():
        project_services.submit(
            db, Acting(users["district_b"], START), draft, version=draft.version_id
        )
        db.flush()
        assert _todo(db, rounds, "city")["plan_to_review"] == 1
        project_services.return_project(db, city, draft, "缺少环评批复", version=draft.version_id)
        db.flush()
        assert "plan_to_review" not in _todo(db, rounds, "city")
        assert _todo(db, rounds, "district_b")["plan_returned"] == 1
        assert "plan_returned" not in _todo(db, rounds, "district_a")
        project_services.request_change(
            db, Acting(users["district_b"], START), approved, None, "项目取消",
            version=approved.version_id,
        )  # fmt: skip
        db.flush()
    # The district's own request waits on the city: shown as information, not as a task.
    district_items = todo_for(db, users["district_b"], START)
    waiting = next(i for i in district_items if i.key == "changes_waiting")
    assert waiting.count == 1 and waiting.waiting and waiting.endpoint is None
    assert district_items[-1] is waiting  # tasks first
    assert _todo(db, rounds, "city")["changes_to_review"] == 1
    assert "changes_waiting" not in _todo(db, rounds, "district_a")


def test_each_figure_is_one_count_query(rounds, db, app) -> None:
    """Loading the open rounds, then one grouped COUNT per kind of item: as many queries
    for a thousand reports as for three, and never a report or project row."""
    users = rounds.world.users
    with app.app_context():
        fill(db, users["district_a"], rounds.report(db, "pub"))
        db.commit()
    # rounds, then: enterprise to fill, filled; district to fill, to submit, returned,
    # returned plan entries, waiting change requests; city to review, unsubmitted, plan
    # entries to review, change requests to review.
    for key, expected in (("enterprise_a", 3), ("district_a", 6), ("city", 5)):
        user = users[key]
        db.expire_all()
        user.region, user.enterprise  # noqa: B018 (the scope's own lookups are not counted)
        with statements(db) as seen:
            todo_for(db, user, START)
        assert len(seen) == expected, (key, seen)
        reads = [s for s in seen[1:] if "count(" not in s.lower()]
        assert not reads, reads


def test_days_left_count_beijing_days_to_the_deadline_instant(rounds, db) -> None:
    rnd = rounds.round
    enterprise = rounds.world.users["enterprise_a"]

    def item_at(at: dt.datetime):  # type: ignore[no-untyped-def]
        (item,) = todo_for(db, enterprise, at)
        assert item.deadline is not None and item.deadline.at == rnd.enterprise_deadline
        return item.deadline

    # START is 09:00 on 2 June in Beijing, the enterprise deadline 23:59 the same day.
    assert item_at(START).text == "今天截止" and item_at(START).days_left == 0
    at_deadline = item_at(rnd.enterprise_deadline)
    assert not at_deadline.passed and at_deadline.text == "今天截止"
    just_after = item_at(rnd.enterprise_deadline + dt.timedelta(microseconds=1))
    assert just_after.passed and just_after.text == "已过截止时间"
    next_day = item_at(dt.datetime(2025, 6, 3, 0, 0, tzinfo=BEIJING))
    assert next_day.text == "已逾期 1 天"
    # A district's items count down to the district deadline (5 June).
    district_item = todo_for(db, rounds.world.users["district_a"], START)[0]
    assert district_item.deadline is not None
    assert district_item.deadline.at == rnd.district_deadline
    assert district_item.deadline.text == "剩余 3 天"
    late_evening = dt.datetime(2025, 6, 1, 23, 59, tzinfo=BEIJING)  # still 1 June in Beijing
    assert Deadline(rnd.district_deadline, late_evening).days_left == 4


def test_page_shows_days_left_from_the_app_clock(rounds, app, clock) -> None:
    district = rounds.world.users["district_a"]
    deadline = rounds.round.district_deadline

    def page_at(at: dt.datetime) -> str:
        clock.current = at  # signed in at that moment (sessions expire when time jumps)
        client = app.test_client()
        login(client, district.username, rounds.world.password)
        return client.get("/").get_data(as_text=True)

    page = page_at(START)
    assert "截止 2025-06-05 23:59" in page and "剩余 3 天" in page
    assert "今天截止" in page_at(deadline)
    assert "已过截止时间" in page_at(deadline + dt.timedelta(seconds=1))
    assert "已逾期 1 天" in page_at(deadline + dt.timedelta(days=1))


def test_every_todo_link_opens_for_its_user(rounds, db, app, login_as) -> None:
    users = rounds.world.users
    with app.app_context():
        fill(db, users["district_a"], rounds.report(db, "pub"))
        fill(db, users["district_a"], rounds.report(db, "ent"))
        _submit(db, "district_a", rounds, "pub", "ent")
        report = rounds.report(db, "pub")
        services.return_report(
            db, Acting(users["city"], START), report, "请补充说明", version=report.version_id
        )
        db.commit()
    seen = set()
    for key in ("enterprise_a", "district_a", "district_b", "city"):
        client = app.test_client()
        login(client, users[key].username, rounds.world.password)
        page = client.get("/").get_data(as_text=True)
        todo = page.split('data-testid="home-todo"', 1)[1].split('data-testid="home-tiles"', 1)[0]
        for item in todo.split('data-testid="todo-item"')[1:]:
            item_key = re.search(r'data-key="([a-z_]+)"', item).group(1)  # type: ignore[union-attr]
            link = re.search(r'<a href="([^"]+)"', item)
            if link is None:
                continue
            href = html.unescape(link.group(1))
            assert client.get(href).status_code == 200, (key, href)
            seen.add(item_key)
    assert {
        "reports_to_fill", "reports_returned", "reports_to_review", "reports_unsubmitted"
    } <= seen  # fmt: skip


def test_admin_and_auditor_have_no_todo_list(rounds, app) -> None:
    for key in ("admin", "auditor"):
        client = app.test_client()
        login(client, rounds.world.users[key].username, rounds.world.password)
        page = client.get("/").get_data(as_text=True)
        assert 'data-testid="home-title"' in page
        assert 'data-testid="home-todo"' not in page
        assert 'data-testid="home-warnings"' not in page

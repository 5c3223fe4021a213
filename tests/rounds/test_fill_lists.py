"""The lists of the monthly dispatch, through its pages, each user seeing only their own:
a round's report list and its filters, the to-do list with the days left, and a project's
history across rounds."""

from __future__ import annotations

from tests.fuzz.pages import messages
from tests.rounds.helpers import approved_then_next_round, fill
from tests.rounds.page_helpers import html, signed_in


def test_report_list_filters_and_refuses_bad_values_with_a_message(rounds, db, login_as) -> None:
    fill(db, rounds.world.users["enterprise_a"], rounds.report(db, "ent"))
    db.commit()
    client = login_as("city")
    path = f"/rounds/{rounds.round.id}/reports"
    codes = {key: rounds.projects[key].code for key in ("ent", "pub", "b")}

    page = html(client, f"{path}?status=enterprise_filled")
    assert codes["ent"] in page and codes["pub"] not in page and codes["b"] not in page
    page = html(client, f"{path}?district={rounds.world.district_b.id}")
    assert codes["b"] in page and codes["ent"] not in page
    page = html(client, f"{path}?status=%00bogus&district={rounds.world.other_district.id}")
    refused = [m for m in messages(page) if "无效" in m]
    assert len(refused) == 2 and all(codes[k] in page for k in codes)


def test_report_list_shows_each_user_only_their_reports(rounds, db, app) -> None:
    path = f"/rounds/{rounds.round.id}/reports"
    ent_code, pub_code = rounds.projects["ent"].code, rounds.projects["pub"].code
    page = html(signed_in(app, rounds.world, "enterprise_a"), path)
    assert ent_code in page and pub_code not in page
    page = html(signed_in(app, rounds.world, "district_b"), path)
    assert ent_code not in page and rounds.projects["b"].code in page


def test_todo_lists_what_each_user_fills_with_the_days_left(rounds, db, app) -> None:
    ent = rounds.report(db, "ent")
    page = html(signed_in(app, rounds.world, "enterprise_a"), "/rounds/todo")
    assert f'data-testid="todo-report-{ent.id}"' in page
    assert rounds.projects["pub"].code not in page
    assert "今天截止" in page  # START is the enterprise deadline's day (2025-06-02)
    page = html(signed_in(app, rounds.world, "district_a"), "/rounds/todo")
    assert 'data-testid="todo-to_submit"' in page and "剩余 3 天" in page
    page = html(signed_in(app, rounds.world, "city"), "/rounds/todo")
    assert 'data-testid="to-review">0<' in page


def test_project_history_lists_the_project_across_rounds(rounds, db, app, login_as) -> None:
    report = approved_then_next_round(rounds, db, app)
    client = login_as("enterprise_a")
    page = html(client, f"/rounds/projects/{report.project_id}")
    assert 'data-testid="history-2025-05"' in page and 'data-testid="history-2025-06"' in page
    assert "已通过" in page and "300.00" in page
    other = signed_in(app, rounds.world, "enterprise_b")
    assert other.get(f"/rounds/projects/{report.project_id}").status_code == 404

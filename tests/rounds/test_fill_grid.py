"""The grid of the monthly dispatch, through its pages: saving a round's reports in one
table (all or nothing, within the user's scope), submitting every complete report at once,
the number of queries whatever the number of rows, and a closed round without a grid.
Every test checks what was stored, not only codes."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from sqlalchemy import event, select

from models import (
    ConstructionStatus,
    DispatchRound,
    PlanStatus,
    ProgressReport,
    ReportSnapshot,
    ReportStatus,
)
from tests.fuzz.pages import find_form, messages
from tests.projects.helpers import make_project
from tests.rounds.helpers import close, fill
from tests.rounds.page_helpers import html, reread


def submit_complete_form(client: Any, round_id: int) -> tuple[str, dict[str, Any]]:
    """The page with the grid, and what its 提交全部完整的填报 button posts (every row's
    ``id:version``; a multi-valued field the fuzz parser keeps once)."""
    path = f"/rounds/{round_id}/grid"
    page = html(client, path)
    form = find_form(page, path, f"/rounds/{round_id}/submit-complete", "POST")
    assert form is not None
    versions = re.findall(r'name="versions" value="([^"]+)"', page)
    return page, {"csrf_token": form.fields["csrf_token"].value, "versions": versions}


def grid_form(client: Any, round_id: int) -> dict[str, str]:
    """What the grid page posts when nothing is changed (as the browser would)."""
    path = f"/rounds/{round_id}/grid"
    form = find_form(html(client, path), path, path, "POST")
    assert form is not None
    return form.values()


def test_grid_save_is_all_or_nothing_with_messages_on_the_bad_cells(rounds, db, login_as) -> None:
    ent, pub = rounds.report(db, "ent"), rounds.report(db, "pub")
    versions = {ent.id: ent.version_id, pub.id: pub.version_id}
    client = login_as("district_a")
    data = grid_form(client, rounds.round.id)
    assert f"r{rounds.report(db, 'b').id}.version" not in data  # 乙区's row is not 甲区's
    data[f"r{ent.id}.description"] = "锅炉拆除完成"
    data[f"r{ent.id}.construction_status"] = "under_construction"
    data[f"r{ent.id}.actual_start"] = "2025-04-01"
    data[f"r{pub.id}.description"] = "管网铺设"
    data[f"r{pub.id}.percent_complete"] = "150"

    path = f"/rounds/{rounds.round.id}/grid"
    response = client.post(path, data=data)

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    found = messages(page)
    assert any("完成进度（%）" in m and "100" in m for m in found), found
    assert 'value="150"' in page and "锅炉拆除完成" in page  # typed values kept
    assert "本次未保存任何修改" in page
    for report in (ent, pub):
        saved = reread(db, report)
        assert saved.version_id == versions[report.id] and saved.description == ""

    data[f"r{pub.id}.percent_complete"] = "35"
    response = client.post(path, data=data)
    assert response.status_code == 302
    saved_ent, saved_pub = reread(db, ent), reread(db, pub)
    assert saved_ent.description == "锅炉拆除完成"
    assert saved_ent.construction_status == ConstructionStatus.UNDER_CONSTRUCTION
    assert saved_ent.actual_start == dt.date(2025, 4, 1)
    assert saved_pub.description == "管网铺设" and saved_pub.percent_complete == Decimal("35.00")
    # A district's fill keeps the state: filled is not yet submitted.
    assert {saved_ent.status, saved_pub.status} == {ReportStatus.PENDING}
    assert "已保存 2 条填报" in html(client, path)


def test_grid_refuses_a_row_changed_meanwhile_and_saves_no_other(rounds, db, login_as) -> None:
    ent, pub = rounds.report(db, "ent"), rounds.report(db, "pub")
    client = login_as("district_a")
    data = grid_form(client, rounds.round.id)
    fill(db, rounds.world.users["enterprise_a"], ent, description="企业同时填报")
    db.commit()
    data[f"r{ent.id}.next_steps"] = "区县修改"
    data[f"r{pub.id}.next_steps"] = "区县修改"

    response = client.post(f"/rounds/{rounds.round.id}/grid", data=data)

    assert response.status_code == 200
    assert "已被他人修改" in response.get_data(as_text=True)
    assert reread(db, ent).description == "企业同时填报"
    assert reread(db, pub).next_steps == ""
    assert reread(db, pub).version_id == pub.version_id


def test_grid_row_outside_the_scope_is_404_and_changes_nothing(rounds, db, login_as) -> None:
    ent = rounds.report(db, "ent")
    client = login_as("district_b")
    data = grid_form(client, rounds.round.id)
    data[f"r{ent.id}.version"] = str(ent.version_id)
    data[f"r{ent.id}.description"] = "越权填报"
    response = client.post(f"/rounds/{rounds.round.id}/grid", data=data)
    assert response.status_code == 404
    assert reread(db, ent).description == "" and reread(db, ent).version_id == ent.version_id


def test_submit_complete_submits_complete_rows_and_names_the_skipped(rounds, db, login_as) -> None:
    ent, pub = rounds.report(db, "ent"), rounds.report(db, "pub")
    fill(db, rounds.world.users["enterprise_a"], ent)  # complete
    db.commit()  # pub: prefilled from the project, no progress description yet
    client = login_as("district_a")
    page, data = submit_complete_form(client, rounds.round.id)
    assert "提交全部完整的填报（1 条）" in page and len(data["versions"]) == 2

    path = f"/rounds/{rounds.round.id}/submit-complete"
    response = client.post(path, data=data, follow_redirects=True)

    assert response.status_code == 200
    assert reread(db, ent).status == ReportStatus.SUBMITTED
    assert reread(db, pub).status == ReportStatus.PENDING
    shown = response.get_data(as_text=True)
    assert "已提交 1 条填报" in shown
    skipped = [m for m in messages(shown) if "以下填报未提交" in m]
    assert skipped and pub.project.code in skipped[0] and "进展情况不能为空" in skipped[0]
    assert db.scalar(select(ReportSnapshot).where(ReportSnapshot.report_id == ent.id))


def test_submit_complete_after_the_deadline_marks_late(rounds, db, clock, login_as) -> None:
    ent = rounds.report(db, "ent")
    fill(db, rounds.world.users["district_a"], ent)
    db.commit()
    # A minute after the deadline (signed in then: the session's idle limit runs on the clock).
    clock.current = rounds.round.district_deadline + dt.timedelta(minutes=1)
    client = login_as("district_a")
    _page, data = submit_complete_form(client, rounds.round.id)
    path = f"/rounds/{rounds.round.id}/submit-complete"
    response = client.post(path, data=data, follow_redirects=True)
    assert "其中 1 条逾期" in response.get_data(as_text=True)
    saved = reread(db, ent)
    assert saved.status == ReportStatus.SUBMITTED and saved.late


def test_grid_loads_reports_without_a_query_per_row(rounds, db, app, engine, login_as) -> None:
    client = login_as("city")
    path = f"/rounds/{rounds.round.id}/grid"

    def queries() -> int:
        seen: list[str] = []

        def count(*args: Any) -> None:
            seen.append(args[2])

        event.listen(engine, "before_cursor_execute", count)
        try:
            html(client, path)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    few = queries()
    with app.app_context():
        for n in range(6):
            make_project(db, rounds.world, status=PlanStatus.APPROVED, name=f"甲区扩容项目{n}")
    in_round = select(ProgressReport).where(ProgressReport.round_id == rounds.round.id)
    assert len(db.scalars(in_round).all()) == 9
    assert queries() == few


def test_closed_round_offers_no_grid(rounds, db, app, login_as) -> None:
    close(db, app, rounds)
    client = login_as("district_a")
    page = html(client, f"/rounds/{rounds.round.id}/grid")
    assert 'data-testid="round-closed"' in page and "grid-form" not in page
    report = rounds.report(db, "pub")
    response = client.get(f"/rounds/reports/{report.id}/edit", follow_redirects=True)
    assert "调度已关闭" in response.get_data(as_text=True)
    assert db.get(DispatchRound, rounds.round.id).status.value == "closed"  # type: ignore[union-attr]

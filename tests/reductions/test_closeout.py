"""Close-out (销号): refused with its Chinese reason unless the accounting is confirmed and
the archive complete; a close-out changes the plan status, writes the history and the
audit log; the project leaves later rounds, keeps its earlier reports and its credits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from dispatch.audit import Acting
from dispatch.core.catalog import get_catalog
from dispatch.errors import DomainError, StaleObjectError
from dispatch.reductions import closeout, queries
from dispatch.reductions.periods import parse_period
from dispatch.rounds import services as rounds
from models import (
    AuditEvent,
    DispatchRound,
    EvidenceFile,
    PlanStatus,
    ProgressReport,
    ProjectEvent,
)
from tests.conftest import csrf_token, login
from tests.projects.helpers import NOW, make_project
from tests.reductions.states import confirmed_project, enter, stable_project


def _close(db, world, project, *, actor="city", note="", version=None):  # type: ignore[no-untyped-def]
    closeout.close_out(
        db,
        Acting(world.users[actor], NOW),
        get_catalog(),
        project,
        note=note,
        version=project.version_id if version is None else version,
    )


def _refused(db, world, project, **kw):  # type: ignore[no-untyped-def]
    """The refusal's message; nothing was written (status and history as they were)."""
    events = len(project.events)
    status = project.plan_status
    with pytest.raises(DomainError) as refused:
        _close(db, world, project, **kw)
    db.rollback()
    db.expire_all()
    assert project.plan_status == status and len(project.events) == events
    return refused.value.message


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (PlanStatus.SUBMITTED, "待审核"),
        (PlanStatus.WITHDRAWN, "已调出"),
        (PlanStatus.DRAFT, "草稿"),
    ],
)
def test_refused_outside_the_plan_list(app, db, world, status, label):  # type: ignore[no-untyped-def]
    with app.app_context():
        project = make_project(db, world, status=status)
        db.commit()
        message = _refused(db, world, project)
    assert message == f"项目当前状态为“{label}”，只有计划清单中（已入库）的项目可以销号"


def test_refused_without_confirmed_accounting(app, db, world):  # type: ignore[no-untyped-def]
    with app.app_context():
        project = stable_project(db, world)
        assert _refused(db, world, project) == closeout.NOT_CONFIRMED
        # A draft awaiting 核定 is not a confirmation, and it blocks on its own.
        enter(db, world, project)
        message = _refused(db, world, project)
    assert message == (
        "项目尚无市局核定的减排量，不能销号：请先完成减排量核算并核定；"
        "2025年有待核定的实际运行参数（第 1 版），请先核定后再销号"
    )


def test_refused_while_a_correction_awaits_confirmation(app, db, world):  # type: ignore[no-untyped-def]
    with app.app_context():
        project = confirmed_project(db, world)
        enter(db, world, project, params={"gas_flow": "520000", "nox_before": "150",
              "nox_after": "50", "hours": "7920"}, reason="烟气量复核")  # fmt: skip
        message = _refused(db, world, project)
    assert message == "2025年有待核定的实际运行参数（第 2 版），请先核定后再销号"


def test_refused_with_an_incomplete_archive_naming_the_missing_items(app, db, world):  # type: ignore[no-untyped-def]
    with app.app_context():
        project = confirmed_project(db, world)
        # After 核定 the accepted A1-02 file stops counting (as when it is no longer the
        # current version): the archive is no longer complete.
        old = db.scalars(
            select(EvidenceFile).where(
                EvidenceFile.project_id == project.id, EvidenceFile.item_code == "A1-02"
            )
        ).all()
        assert old
        for row in old:
            row.current = False
        db.commit()
        done, total, missing = closeout.missing_items(db, get_catalog(), project)
        message = _refused(db, world, project)
    assert done == total - 1 and len(missing) == 1
    assert missing[0].split(" ")[1] == "A1-02" and missing[0].endswith("（缺失）")
    assert message == f"佐证材料不完整（{done}/{total}），不能销号，缺少：{missing[0]}"


def test_refused_to_a_district_a_stale_page_and_twice(app, db, world):  # type: ignore[no-untyped-def]
    with app.app_context():
        project = confirmed_project(db, world)
        assert _refused(db, world, project, actor="district_a") == "当前账户无权执行此操作"
        with pytest.raises(StaleObjectError):
            _close(db, world, project, version=project.version_id - 1)
        db.rollback()
        _close(db, world, project)
        db.commit()
        assert _refused(db, world, project) == "项目已销号"


def test_close_out_changes_the_status_writes_history_and_audit(app, db, world):  # type: ignore[no-untyped-def]
    with app.app_context():
        project = confirmed_project(db, world)
        period = parse_period("2025")
        before = queries.credits_total(db, world.users["city"], period)
        _close(db, world, project, note="  核算与档案均已完成\n同意销号 ")
        db.commit()
        db.expire_all()
        after = queries.credits_total(db, world.users["city"], period)
    assert project.plan_status == PlanStatus.CLOSED and project.updated_at == NOW
    event = db.scalars(
        select(ProjectEvent)
        .where(ProjectEvent.project_id == project.id)
        .order_by(ProjectEvent.id.desc())
    ).first()
    assert event is not None
    assert (event.action, event.from_status, event.to_status) == ("close", "approved", "closed")
    assert event.actor_id == world.users["city"].id and event.occurred_at == NOW
    assert event.comment == "核算与档案均已完成\n同意销号"
    audit = db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert audit is not None and audit.action == "project.close"
    assert audit.object_id == str(project.id) and audit.actor_id == world.users["city"].id
    assert audit.details == {"code": project.code, "comment": "核算与档案均已完成\n同意销号"}
    # The confirmed credit stays in the totals (worked example 2: 297 t in 2025).
    assert before["NOx"] == after["NOx"] == Decimal("297")
    found = closeout.closed_out(db, project)
    assert found is not None and found.by is not None
    assert (found.at, found.by.id, found.note) == (NOW, world.users["city"].id, event.comment)


def test_a_closed_project_leaves_later_rounds_and_earlier_ones_keep_it(app, db, world):  # type: ignore[no-untyped-def]
    city = Acting(world.users["city"], NOW)
    with app.app_context():
        closing = confirmed_project(db, world)
        staying = stable_project(db, world)
        may = rounds.open_round(db, city, world.city, 2025, 5)
        db.commit()
        _close(db, world, closing)
        db.commit()
        june = rounds.open_round(db, city, world.city, 2025, 6)
        db.commit()

    def members(rnd: DispatchRound) -> set[int]:
        stmt = select(ProgressReport.project_id).where(ProgressReport.round_id == rnd.id)
        return set(db.scalars(stmt))

    assert {closing.id, staying.id} <= members(may)
    assert staying.id in members(june) and closing.id not in members(june)


def test_the_city_closes_out_through_the_page(app, db, world, client):  # type: ignore[no-untyped-def]
    with app.app_context():
        project = confirmed_project(db, world)
        waiting = stable_project(db, world)
    login(client, world.users["city"].username, world.password)
    # Not confirmed: the page lists why and disables the button; a post is refused.
    path = f"/reductions/projects/{waiting.id}/close"
    page = client.get(path).get_data(as_text=True)
    assert closeout.NOT_CONFIRMED in page and 'type="submit" disabled>确认销号' in page
    refused = client.post(
        path, data={"csrf_token": csrf_token(client, path), "version": str(waiting.version_id)}
    )
    assert refused.status_code == 200 and closeout.NOT_CONFIRMED in refused.get_data(as_text=True)
    db.expire_all()
    assert waiting.plan_status == PlanStatus.APPROVED

    path = f"/reductions/projects/{project.id}/close"
    page = client.get(path).get_data(as_text=True)
    assert 'data-testid="close-refusals"' not in page and "确认销号</button>" in page
    done = client.post(
        path,
        data={"csrf_token": csrf_token(client, path), "version": str(project.version_id),
              "reason": "同意销号"},
        follow_redirects=True,
    )  # fmt: skip
    html = done.get_data(as_text=True)
    assert "项目已销号" in html and 'data-testid="closed"' in html and "同意销号" in html
    db.expire_all()
    assert project.plan_status == PlanStatus.CLOSED
    # Read-only in the plan list: listed, shown, its history says 销号, no actions left.
    listing = client.get("/projects/?year=2025").get_data(as_text=True)
    assert project.code in listing
    shown = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "已销号" in shown and "销号" in shown
    for action in ("edit", "withdraw", "withdrawal-request", "change"):
        assert f"/projects/{project.id}/{action}" not in shown, action


def test_only_the_city_in_scope_reaches_the_close_out(app, db, world, client):  # type: ignore[no-untyped-def]
    with app.app_context():
        project = confirmed_project(db, world)
    for key in ("district_a", "other_city"):
        browser = app.test_client()
        login(browser, world.users[key].username, world.password)
        assert browser.get(f"/reductions/projects/{project.id}/close").status_code == 404, key
    login(client, world.users["district_a"].username, world.password)
    # The district sees the accounting page but no close-out action.
    page = client.get(f"/reductions/projects/{project.id}").get_data(as_text=True)
    assert "销号…" not in page

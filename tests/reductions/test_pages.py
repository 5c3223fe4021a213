"""The flow through the pages: the district enters (prefilled from the plan), the city
confirms or is told why not; the city sets targets with history; scope on every page."""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select

from models import (
    ConfirmationStatus,
    ReductionConfirmation,
    ReductionTarget,
    ReductionTargetChange,
)
from tests.conftest import csrf_token, login
from tests.reductions.states import complete_archive, confirm, enter, stable_project

VALUE = re.compile(r'name="(p_\w+)"[^>]*value="([^"]*)"')


def _page(client, path):  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', html
    )
    assert match, name
    return match.group(1)


def test_district_enters_through_the_form_and_the_city_confirms(app, db, world, client):
    with app.app_context():
        plan = {"gas_flow": "480000", "nox_before": "150", "nox_after": "50", "hours": "7920"}
        project = stable_project(db, world, params=plan)
    login(client, world.users["district_a"].username, world.password)
    path = f"/reductions/projects/{project.id}/enter?year=2025"
    html = _page(client, path)
    # Fill once: the plan's parameters are in the form.
    assert dict(VALUE.findall(html))["p_gas_flow"] == "480000"
    data = {
        "csrf_token": csrf_token(client, path),
        "version": _hidden(html, "version"),
        "draft_version": "0",
        "year": "2025",
        "p_gas_flow": "500000",
        "p_nox_before": "150",
        "p_nox_after": "200",
        "p_hours": "7920",
    }
    refused = client.post(path, data=data)
    assert refused.status_code == 200
    assert "不能高于" in refused.get_data(as_text=True) or "高于" in refused.get_data(as_text=True)
    assert db.scalars(select(ReductionConfirmation)).all() == []
    saved = client.post(path, data=data | {"p_nox_after": "50"})
    assert saved.status_code == 302
    draft = db.scalars(select(ReductionConfirmation)).one()
    assert draft.status == ConfirmationStatus.DRAFT and draft.credit("NOx") == Decimal("297")
    # The district has no 核定 button.
    assert "核定</button>" not in _page(client, f"/reductions/projects/{project.id}")

    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, world.users["city"].username, world.password)
    page = _page(client, f"/reductions/projects/{project.id}")
    assert "297.0000" in page and "核定</button>" in page
    done = client.post(
        f"/reductions/projects/{project.id}/confirm",
        data={"csrf_token": csrf_token(client, "/"), "version": str(draft.version_id),
              "year": "2025"},
    )  # fmt: skip
    assert done.status_code == 302
    db.expire_all()
    assert db.get(ReductionConfirmation, draft.id).status == ConfirmationStatus.CURRENT
    page = _page(client, f"/reductions/projects/{project.id}")
    assert "NOx = 500000 Nm³/h × (150 − 50) mg/Nm³ × 7920 h × 10⁻⁹ = 396.0000 t/a" in page
    assert "2025年当年减排量 NOx = 396.0000 t/a × 9 / 12 = 297.0000 t" in page


def test_the_city_is_told_why_it_cannot_confirm(app, db, world, client):
    with app.app_context():
        project = stable_project(db, world, complete=False)
        complete_archive(db, project, skip="A1-02")
        db.commit()
        draft = enter(db, world, project)
    login(client, world.users["city"].username, world.password)
    response = client.post(
        f"/reductions/projects/{project.id}/confirm",
        data={"csrf_token": csrf_token(client, "/"), "version": str(draft.version_id),
              "year": "2025"},
        follow_redirects=True,
    )  # fmt: skip
    html = response.get_data(as_text=True)
    assert "运行阶段佐证材料不完整" in html and "A1-02" in html
    db.expire_all()
    assert db.get(ReductionConfirmation, draft.id).status == ConfirmationStatus.DRAFT


def test_the_city_sets_targets_and_each_change_is_kept(app, db, world, client, clock):
    login(client, world.users["city"].username, world.password)
    path = "/reductions/targets?period=2025"
    html = _page(client, path)
    field = f"t_{world.district_a.id}_NOx"
    post = {"csrf_token": csrf_token(client, path), "period": "2025", "seen": "0", field: "120"}
    assert client.post("/reductions/targets", data=post).status_code == 302
    html = _page(client, path)
    seen = _hidden(html, "seen")
    assert client.post("/reductions/targets", data=post | {"seen": seen, field: "150.5"}
                       ).status_code == 302  # fmt: skip
    # A page showing the old state is stale: refused, nothing written.
    stale = client.post("/reductions/targets", data=post | {"seen": seen, field: "99"})
    assert "已被他人修改" in stale.get_data(as_text=True)
    target = db.scalars(select(ReductionTarget)).one()
    assert (target.region_id, target.pollutant, target.year_from, target.year_to) == (
        world.district_a.id, "NOx", 2025, 2025,
    )  # fmt: skip
    assert target.tonnes == Decimal("150.5")
    changes = db.scalars(select(ReductionTargetChange).order_by(ReductionTargetChange.id)).all()
    assert [(c.old_tonnes, c.new_tonnes) for c in changes] == [
        (None, Decimal("120")), (Decimal("120"), Decimal("150.5")),
    ]  # fmt: skip
    assert all(c.changed_by_id == world.users["city"].id for c in changes)
    # The five-year period is a grid of its own.
    five = _page(client, "/reductions/targets?period=2021-2025")
    assert "2021—2025年（五年规划期）" in five and 'value="150.5"' not in five


def test_pages_answer_only_in_scope(app, db, world, client):
    with app.app_context():
        project = stable_project(db, world, district="district_b")
        enter(db, world, project, actor="district_b")
        confirm(db, world, project)
    login(client, world.users["district_a"].username, world.password)
    assert client.get(f"/reductions/projects/{project.id}").status_code == 404
    index = _page(client, "/reductions/?period=2025")
    assert project.code not in index and "乙区" not in index
    assert client.get("/reductions/targets").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, world.users["enterprise_b"].username, world.password)
    assert client.get(f"/reductions/projects/{project.id}").status_code == 404
    assert client.get("/reductions/").status_code == 404


def test_the_project_page_leads_to_its_accounting(app, db, world, client):
    """From the project, the regions reach its accounting; the enterprise sees no link."""
    with app.app_context():
        project = stable_project(db, world)
    link = f'href="/reductions/projects/{project.id}" data-testid="accounting-link"'
    for key, shown in (("district_a", True), ("city", True), ("enterprise_a", False)):
        browser = app.test_client()
        login(browser, world.users[key].username, world.password)
        assert (link in _page(browser, f"/projects/{project.id}")) is shown, key

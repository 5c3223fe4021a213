"""The project accounting page: planned against confirmed per pollutant with the deviation
(computed here independently from the parameters), both substituted formulas, every version
with who replaced it, when and why, the calculation-sheet links and the close-out state."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from flask import Flask, url_for
from sqlalchemy import select

from dispatch.audit import Acting
from dispatch.core.catalog import get_catalog
from dispatch.reductions import closeout
from models import ReductionConfirmation
from tests.conftest import login
from tests.projects.helpers import NOW
from tests.reductions.states import ACTUAL, confirm, confirmed_project, enter, stable_project

LATER = NOW + dt.timedelta(days=30)
FOUR = Decimal("0.0001")


def _page(client, path):  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def _cells(html: str, table: str, pollutant: str) -> dict[str, str]:
    """The cells (by data-testid) of one pollutant's row of one table."""
    body = html.split(f'data-testid="{table}"', 1)[1].split("</table>", 1)[0]
    row = body.split(f'data-pollutant="{pollutant}"', 1)[1].split("</tr>", 1)[0]
    return dict(re.findall(r'data-testid="(\w+)">([^<]*)<', row))


def _nox(gas_flow: str) -> Decimal:
    """flue_gas NOx, t/a = V × (C_before − C_after) × H × 10⁻⁹ (accounting.md)."""
    return Decimal(gas_flow) * (Decimal(150) - Decimal(50)) * Decimal(7920) / Decimal(10**9)


def _signed(value: Decimal, places: Decimal) -> str:
    shown = value.quantize(places, rounding=ROUND_HALF_UP)
    return f"+{shown}" if shown > 0 else f"{shown}"


def _plan(gas_flow: str) -> dict[str, str]:
    return {"gas_flow": gas_flow, "nox_before": "150", "nox_after": "50", "hours": "7920"}


@pytest.mark.parametrize("planned_flow", ["480000", "520000"])
def test_planned_against_confirmed_with_the_deviation(app, db, world, client, planned_flow):  # type: ignore[no-untyped-def]
    with app.app_context():
        project = stable_project(db, world, params=_plan(planned_flow))
        enter(db, world, project)
        confirm(db, world, project)
    planned, confirmed = _nox(planned_flow), _nox(ACTUAL["gas_flow"])
    deviation = confirmed - planned
    percent = deviation * 100 / planned
    login(client, world.users["district_a"].username, world.password)
    html = _page(client, f"/reductions/projects/{project.id}")
    assert _cells(html, "comparison-2025", "NOx") == {
        "planned": f"{planned.quantize(FOUR)}",
        "confirmed": f"{confirmed.quantize(FOUR)}",
        "deviation": _signed(deviation, FOUR),
        "percent": _signed(percent, Decimal("0.1")) + "%",
        # Worked example 2: stable from 2025-03-15 → 9 months of 2025.
        "credit": f"{(confirmed * 9 / 12).quantize(FOUR)}",
    }
    # Both substituted formulas: the plan's parameters and the confirmed ones.
    formula = "NOx = {} Nm³/h × (150 − 50) mg/Nm³ × 7920 h × 10⁻⁹ = {} t/a"
    plan_list = html.split('data-testid="planned-formula"', 1)[1].split("</ul>", 1)[0]
    assert formula.format(planned_flow, planned.quantize(FOUR)) in plan_list
    confirmed_list = html.split('data-testid="formula"', 1)[1].split("</ul>", 1)[0]
    assert formula.format(ACTUAL["gas_flow"], confirmed.quantize(FOUR)) in confirmed_list


def test_before_confirmation_only_the_plan_is_shown(app, db, world, client):  # type: ignore[no-untyped-def]
    with app.app_context():
        project = stable_project(db, world, params=_plan("480000"))
    login(client, world.users["city"].username, world.password)
    html = _page(client, f"/reductions/projects/{project.id}")
    assert _cells(html, "comparison-planned", "NOx") == {"planned": "380.1600"}
    assert 'data-testid="comparison-2025"' not in html


def test_version_history_shows_who_replaced_a_version_when_and_why(app, db, world, client):  # type: ignore[no-untyped-def]
    with app.app_context():
        project = confirmed_project(db, world)
        enter(db, world, project, params=_plan("520000"), reason="烟气量按在线监测复核")
        confirm(db, world, project, at=LATER)
    login(client, world.users["city"].username, world.password)
    html = _page(client, f"/reductions/projects/{project.id}")
    table = html.split('data-testid="versions"', 1)[1].split("</table>", 1)[0]
    rows = dict(re.findall(r'<tr data-version="(\d+)" data-status="(\w+)"', table))
    assert rows == {"1": "superseded", "2": "current"}
    old = table.split('data-version="1"', 1)[1].split("</tr>", 1)[0]
    city = world.users["city"].display_name
    # LATER is 2025-07-02 01:00 UTC: 09:00 in Beijing.
    superseded = old.split('data-testid="superseded">', 1)[1].split("</td>", 1)[0]
    assert superseded == (
        f"2025-07-02 09:00，由第 2 版更正（{city} 核定），更正原因：烟气量按在线监测复核"
    )
    # The old version's numbers stay readable; the comparison is with the current one.
    assert "NOx 297.0000" in old
    assert _cells(html, "comparison-2025", "NOx")["confirmed"] == f"{_nox('520000'):.4f}"


def test_calculation_sheet_links_follow_the_routes(app: Flask, db, world, client):  # type: ignore[no-untyped-def]
    """Each confirmed version links its sheet and PDF once those routes exist (another
    step builds them); a draft has no sheet."""
    with app.app_context():
        project = confirmed_project(db, world)
        enter(db, world, project, params=_plan("520000"), reason="复核")
        first = db.scalars(
            select(ReductionConfirmation).where(
                ReductionConfirmation.project_id == project.id, ReductionConfirmation.version == 1
            )
        ).one()
    login(client, world.users["city"].username, world.password)
    html = _page(client, f"/reductions/projects/{project.id}")
    for endpoint, testid in (("reductions.sheet", "sheet"), ("reductions.sheet_pdf", "sheet-pdf")):
        exists = endpoint in app.view_functions
        assert (f'data-testid="{testid}-1"' in html) is exists, endpoint
        assert f'data-testid="{testid}-2"' not in html, endpoint  # the draft
        if exists:
            with app.test_request_context():
                href = url_for(endpoint, confirmation_id=first.id)
            assert f'href="{href}" data-testid="{testid}-1"' in html


def test_close_out_state_on_the_page(app, db, world, client):  # type: ignore[no-untyped-def]
    with app.app_context():
        project = confirmed_project(db, world)
    login(client, world.users["city"].username, world.password)
    html = _page(client, f"/reductions/projects/{project.id}")
    panel = html.split('data-testid="closeout"', 1)[1].split("</div></div>", 1)[0]
    assert "可以销号" in panel and f"/reductions/projects/{project.id}/close" in panel
    with app.app_context():
        closeout.close_out(
            db,
            Acting(world.users["city"], NOW),
            get_catalog(),
            project,
            note="档案齐全",
            version=project.version_id,
        )
        db.commit()
    html = _page(client, f"/reductions/projects/{project.id}")
    assert 'data-testid="closeout"' not in html and "/close" not in html
    closed = html.split('data-testid="closed">', 1)[1].split("</div>", 1)[0]
    assert closed.startswith(
        f"已销号：2025-06-02 09:00 {world.users['city'].display_name}（说明：档案齐全）"
    )
    # Read-only: no entry, no 核定; the confirmed numbers are still there.
    assert "填报实际运行参数" not in html and "核定</button>" not in html
    assert _cells(html, "comparison-2025", "NOx")["confirmed"] == "396.0000"
    assert 'data-testid="plan-status">已销号<' in html


def test_the_page_is_scoped(app, db, world):  # type: ignore[no-untyped-def]
    with app.app_context():
        project = confirmed_project(db, world)
    for key, code in (("district_b", 404), ("enterprise_a", 404), ("other_city", 404),
                      ("district_a", 200), ("city", 200)):  # fmt: skip
        browser = app.test_client()
        login(browser, world.users[key].username, world.password)
        assert browser.get(f"/reductions/projects/{project.id}").status_code == code, key

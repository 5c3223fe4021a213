"""Dashboard pages: the caller's own region, or a city or district of its area, by year.

Guarded by ``accounting:view`` (districts and the city; enterprises, whose part is their
own projects' reports, and the three officers have no dashboards). A region outside the
caller's area, or one that is neither a city nor a district, is not found (404): a
district asking for its city's or another district's id sees nothing of it.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, render_template, request
from flask_login import current_user

from dispatch.access import Permission, require
from dispatch.clock import now, today
from dispatch.core.catalog import get_catalog
from dispatch.core.inputs import parse_id
from dispatch.dashboards import archive, charts, queries
from dispatch.db import get_session
from dispatch.reductions.periods import FIRST_YEAR, LAST_YEAR, five_year_period
from dispatch.reductions.queries import target_regions
from models import Project, Region, RegionKind

BAD_YEAR = "年份无效，已显示今年的数据"


def _year() -> int:
    raw = request.args.get("year")
    current = today().year
    if raw is None or raw == "":
        return current
    year = parse_id(raw)
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        flash(BAD_YEAR, "warning")
        return current
    return year


def _years(selected: int) -> list[int]:
    """The current and the previous five-year period, next year, and the one shown."""
    current = today().year
    first = five_year_period(current).year_from - 5
    return sorted({*range(first, current + 2), selected}, reverse=True)


def _rounds_label(rounds: list[Any]) -> str:
    if not rounds:
        return "尚无已到期的调度轮次"
    first, last = rounds[-1], rounds[0]
    return (
        f"统计最近 {len(rounds)} 个已到期轮次：{first.year}年{first.month}月—"
        f"{last.year}年{last.month}月"
    )


def _page(regions: list[Region], region: Region) -> Any:
    session = get_session()
    catalog = get_catalog()
    year = _year()
    instant, day = now(), today()
    districts = queries.districts_of(regions, region)

    cells = queries.against_target(session, current_user, region, year)
    per_month = queries.monthly_credits(session, current_user, region, year)
    running = queries.cumulative(per_month)
    monthly = [
        charts.monthly(
            c.pollutant,
            [per_month.get(m, {}).get(c.pollutant, 0) for m in range(1, 13)],
            running[c.pollutant],
            c.target,
        )
        for c in cells
    ]
    rounds = queries.due_rounds(session, current_user, year, instant)
    warned = queries.warnings_by_district(session, current_user, region, day)
    overview = [
        charts.targets(cells),
        *monthly,
        charts.by_type(catalog, queries.projects_by(
            session, current_user, region, year, Project.type_code)),
        charts.by_status(queries.projects_by(
            session, current_user, region, year, Project.construction_status)),
        charts.archive(
            districts, archive.completeness(session, catalog, current_user, region, year)
        ),
        charts.submission(
            districts, queries.submissions(session, current_user, region, rounds),
            _rounds_label(rounds),
        ),
        charts.warnings(districts, warned),
    ]  # fmt: skip
    return render_template(
        "dashboards/dashboard.html",
        region=region,
        year=year,
        years=_years(year),
        districts=districts if region.kind == RegionKind.CITY else [],
        charts=overview,
        options={chart.key: chart.option for chart in overview},
        warning_projects=queries.warning_projects(session, current_user, region, day),
        district_names={d.id: d.name for d in regions},
    )


@require(Permission.ACCOUNTING_VIEW)
def index() -> Any:
    """The dashboard of the caller's own region (the city's, or the district's)."""
    regions = target_regions(get_session(), current_user)
    own = next((r for r in regions if r.id == current_user.region_id), None)
    if own is None:
        abort(404)
    return _page(regions, own)


@require(Permission.ACCOUNTING_VIEW)
def region(region_id: int) -> Any:
    """The dashboard of a city or district of the caller's area; 404 for any other id."""
    regions = target_regions(get_session(), current_user)
    found = next((r for r in regions if r.id == region_id), None)
    if found is None:
        abort(404)
    return _page(regions, found)

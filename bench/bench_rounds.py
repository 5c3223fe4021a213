"""Measure the monthly dispatch at city scale: opening a round, filling and submitting.

On a throwaway SQLite database (migrations, one city with five districts, ``--projects``
approved projects cloned from one project per district built through the services), times
through the services, each followed by its one commit as a view would do it:

1. opening a round for every approved project (one report each, prefilled; one bulk
   insert and one audit event);
2. filling ``--submit`` reports of one district (validate_report + services.fill each, one
   transaction), which a submission needs first;
3. submitting those reports at once, as the district's "submit all complete" does: the
   reports loaded through the district's scoped select, then ``services.each`` with
   ``services.submit`` (state check, copy of record with its SHA-256, history, audit);
4. (for scale) writing the round's progress workbook, every report, to a temporary file.

``--repeat`` runs the three for that many months in turn (each month a new round on the
same projects) and prints every run, the best and the median. ``--db-url`` runs against
another database (e.g. an empty PostgreSQL database: it is migrated and written to).
Prints the numbers; asserts nothing.

    .venv/bin/python bench/bench_rounds.py
    .venv/bin/python bench/bench_rounds.py --projects 5000 --submit 500 --repeat 3
    .venv/bin/python bench/bench_rounds.py --db-url postgresql+psycopg://…/bench_empty
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import contains_eager, joinedload

from dispatch.access import visible_reports
from dispatch.app import create_app
from dispatch.audit import Acting
from dispatch.config import Settings
from dispatch.core.catalog import get_catalog
from dispatch.db import get_session
from dispatch.migrate import upgrade
from dispatch.orgs import accounts
from dispatch.orgs import services as orgs
from dispatch.projects import services as projects
from dispatch.projects.data import ProjectInput, validate_project
from dispatch.projects.samples import sample_params
from dispatch.rounds import services as rounds
from dispatch.rounds.data import ReportInput, validate_report
from dispatch.rounds.workbook_export import write_progress
from models import (
    PlanStatus,
    ProgressReport,
    Project,
    Region,
    RegionKind,
    ReportStatus,
    Role,
    User,
)

PASSWORD = "Bench@2025!pw"  # noqa: S105 (throwaway accounts of a throwaway database)
YEAR = 2025
# Acting times are given, as every service takes them: the plan built in March, round M
# opened on the 2nd of M+1 (so no round is in the future).
PLANNED_AT = dt.datetime(YEAR, 3, 2, 1, 0, tzinfo=dt.UTC)
DISTRICTS = 5
# Rounds from March on: the reports' actual start (March 10th) is then never in the future.
FIRST_MONTH = 3
SKIP = {"id", "code", "name", "version_id"}
INSERT_BATCH = 2000


def _region(db: Any, name: str, code: str, kind: RegionKind, parent: Region | None) -> Region:
    system = Acting(None, PLANNED_AT)
    return orgs.create_region(db, system, name=name, division_code=code, kind=kind, parent=parent)


def _user(db: Any, role: Role, region: Region, username: str) -> Any:
    system = Acting(None, PLANNED_AT)
    return accounts.create_user(
        db,
        system,
        username=username,
        display_name=username,
        role=role,
        password=PASSWORD,
        region=region,
        must_change_password=False,
    )


def _template(db: Any, district: Region, author: Any, city_user: Any) -> Project:
    """One approved W1 project of ``district``, through the services."""
    raw = ProjectInput(
        name=f"{district.name}污水处理厂扩建",
        type_code="W1",
        method="plant_new",
        plan_year=YEAR,
        district=district,
        owner_unit=f"{district.name}住房和城乡建设局",
        site_address=f"{district.name}测试路 1 号",
        longitude="117.1",
        latitude="36.6",
        planned_start="2025-03-01",
        planned_completion="2025-11-30",
        total_investment="1200",
        env_investment="900",
        contact_name="张工",
        contact_phone="0531-88888888",
        params=sample_params("plant_new"),
    )
    clean, errors = validate_project(get_catalog(), raw, today=PLANNED_AT.date())
    assert clean is not None, errors
    acting = Acting(author, PLANNED_AT)
    project = projects.create_project(db, acting, clean)
    projects.submit(db, acting, project, version=project.version_id)
    projects.approve(db, Acting(city_user, PLANNED_AT), project, version=project.version_id)
    return project


def seed(db: Any, count: int) -> dict[str, Any]:
    """The city, its districts and users, and ``count`` approved projects."""
    province = _region(db, "基准省", "980000", RegionKind.PROVINCE, None)
    city = _region(db, "基准市", "980100", RegionKind.CITY, province)
    city_user = _user(db, Role.CITY, city, "bench_city")
    districts, templates = [], []
    for n in range(1, DISTRICTS + 1):
        district = _region(db, f"基准{n}区", f"9801{n:02d}", RegionKind.DISTRICT, city)
        author = _user(db, Role.DISTRICT, district, f"bench_d{n}")
        districts.append((district, author))
        templates.append(_template(db, district, author, city_user))
    db.commit()
    columns = [c.key for c in Project.__table__.columns if c.key not in SKIP]
    rows = []
    for n in range(count - len(templates)):
        template = templates[n % len(templates)]
        row = {c: getattr(template, c) for c in columns}
        row.update(code=f"{template.code}-B{n:06d}", name=f"{template.name}（{n}）", version_id=1)
        rows.append(row)
        if len(rows) == INSERT_BATCH:
            db.execute(insert(Project), rows)
            rows.clear()
    if rows:
        db.execute(insert(Project), rows)
    db.commit()
    approved = db.scalar(
        select(func.count()).select_from(Project).where(Project.plan_status == PlanStatus.APPROVED)
    )
    # Ids, not objects: every month starts from a clean session.
    return {
        "city": city.id,
        "city_user": city_user.id,
        "district_user": districts[0][1].id,
        "projects": approved,
    }


def _timed(work: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def _report_values() -> ReportInput:
    return ReportInput(
        construction_status="under_construction",
        percent_complete="40",
        investment_month="120.5",
        investment_cumulative="300",
        actual_start="2025-03-10",
        description="主体工程施工中",
        problems="",
        next_steps="设备安装",
    )


def run_month(db: Any, world: dict[str, Any], month: int, submit: int) -> dict[str, float]:
    """Open the round of ``month``, fill and submit ``submit`` reports of one district."""
    opened_at = dt.datetime(YEAR, month + 1, 2, 1, 0, tzinfo=dt.UTC)
    city = db.get(Region, world["city"])
    city_acting = Acting(db.get(User, world["city_user"]), opened_at)
    district_user = db.get(User, world["district_user"])
    district_acting = Acting(district_user, opened_at)

    def open_round() -> Any:
        rnd = rounds.open_round(db, city_acting, city, YEAR, month)
        db.commit()
        return rnd

    open_s, rnd = _timed(open_round)
    reports = db.scalar(
        select(func.count()).select_from(ProgressReport).where(ProgressReport.round_id == rnd.id)
    )
    mine = (
        visible_reports(district_user)
        .where(ProgressReport.round_id == rnd.id)
        .order_by(ProgressReport.id)
        .limit(submit)
    )
    ids = [r.id for r in db.scalars(mine)]

    def fill() -> None:
        values = _report_values()
        chosen = (
            select(ProgressReport)
            .where(ProgressReport.id.in_(ids))
            .options(joinedload(ProgressReport.project))
        )
        for report in db.scalars(chosen):
            clean, errors = validate_report(values, project=report.project, today=opened_at.date())
            assert clean is not None, errors
            rounds.fill(db, district_acting, report, clean, version=report.version_id)
        db.commit()

    fill_s, _ = _timed(fill)

    def submit_all() -> int:
        # As a batch view loads them: scoped, with their projects (the copy of record and
        # the history name the project), not one lazy load per report.
        chosen = db.scalars(
            visible_reports(district_user)
            .where(ProgressReport.id.in_(ids))
            .options(contains_eager(ProgressReport.project))
        )
        done, skipped = rounds.each(
            db, district_acting, [(r, r.version_id) for r in chosen], rounds.submit
        )
        assert not skipped, skipped[:3]
        db.commit()
        return len(done)

    submit_s, submitted = _timed(submit_all)
    submitted_now = db.scalar(
        select(func.count())
        .select_from(ProgressReport)
        .where(ProgressReport.round_id == rnd.id, ProgressReport.status == ReportStatus.SUBMITTED)
    )
    assert submitted == submitted_now == len(ids)
    db.expunge_all()

    def export() -> int:
        everything = select(ProgressReport).join(ProgressReport.project)
        with tempfile.TemporaryFile() as out:
            return write_progress(db, rnd, everything, out, at=opened_at).rows

    export_s, rows = _timed(export)
    assert rows == reports
    # The next month starts cold, as the next request would.
    db.expunge_all()
    return {
        "reports": reports,
        "n": submitted,
        "open": open_s,
        "fill": fill_s,
        "submit": submit_s,
        "export": export_s,
    }


def report(runs: list[dict[str, float]], projects_count: int, backend: str) -> None:
    first = runs[0]
    reports, n = int(first["reports"]), int(first["n"])
    print(
        f"database: {backend}; {projects_count} approved projects in 1 city, {DISTRICTS} districts"
    )
    # (label, key, how many reports the step handles)
    steps = (
        (f"open round ({reports} reports)", "open", reports),
        (f"fill {n}", "fill", n),
        (f"submit {n} at once", "submit", n),
        (f"export progress workbook ({reports} rows)", "export", reports),
    )
    print("month  " + "  ".join(f"{label + ' (s)':>{len(label) + 4}}" for label, _k, _n in steps))
    for month, run in enumerate(runs, start=FIRST_MONTH):
        cells = [f"{run[key]:>{len(label) + 4}.3f}" for label, key, _n in steps]
        print(f"{month:>5}  " + "  ".join(cells))
    for label, key, count in steps:
        values = [r[key] for r in runs]
        print(
            f"{label:>36}: best {min(values):.3f} s, median {statistics.median(values):.3f} s"
            f" ({min(values) / count * 1000:.2f} ms per report, best)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=5000)
    parser.add_argument("--submit", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=1, help="months to run (at most 9)")
    parser.add_argument("--db-url", help="an empty database to use instead of throwaway SQLite")
    args = parser.parse_args()
    if not 1 <= args.repeat <= 13 - FIRST_MONTH:
        parser.error(f"--repeat must be between 1 and {13 - FIRST_MONTH}")
    if args.submit > args.projects // DISTRICTS:
        parser.error(f"--submit must be at most --projects / {DISTRICTS} (one district's)")
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        settings = Settings(instance_path=Path(tmp), database_url=url, secret_key="b" * 40)
        app = create_app(settings)
        try:
            with app.app_context():
                db = get_session()
                world = seed(db, args.projects)
                months = range(FIRST_MONTH, FIRST_MONTH + args.repeat)
                runs = [run_month(db, world, m, args.submit) for m in months]
                backend = db.get_bind().dialect.name
            report(runs, world["projects"], backend)
        finally:
            app.extensions["db"].engine.dispose()


if __name__ == "__main__":
    main()

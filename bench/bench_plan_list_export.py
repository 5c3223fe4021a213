"""Measure the plan-list workbook export: rows per second and peak Python memory.

Builds a throwaway SQLite database (migrations + demo city), clones the approved demo
projects up to ``--projects`` rows with bulk inserts, then exports the city's plan list
the way the ``/projects/export.xlsx`` view does. Prints the numbers; asserts nothing.

    .venv/bin/python bench/bench_plan_list_export.py --projects 20000
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import time
import tracemalloc
from pathlib import Path

from sqlalchemy import insert, select

from dispatch.app import create_app
from dispatch.config import Settings
from dispatch.db import get_session
from dispatch.demo import seed_demo
from dispatch.migrate import upgrade
from dispatch.projects.excel_export import write_plan_list
from models import PlanStatus, Project, User

SKIP = {"id", "code", "name", "version_id"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=20000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        settings = Settings(instance_path=Path(tmp), database_url=url, secret_key="b" * 40)
        app = create_app(settings)
        with app.app_context():
            db = get_session()
            seed_demo(db)
            db.commit()
            approved = list(
                db.scalars(select(Project).where(Project.plan_status == PlanStatus.APPROVED))
            )
            year = approved[0].plan_year
            templates = [p for p in approved if p.plan_year == year]
            columns = [c.key for c in Project.__table__.columns if c.key not in SKIP]
            rows = []
            for n, template in zip(
                range(args.projects - len(templates)), itertools.cycle(templates)
            ):
                row = {c: getattr(template, c) for c in columns}
                row.update(
                    code=f"{template.code}-B{n:06d}",
                    name=f"{template.name}（批量{n}）",
                    version_id=1,
                )
                rows.append(row)
                if len(rows) == 2000:
                    db.execute(insert(Project), rows)
                    rows.clear()
            if rows:
                db.execute(insert(Project), rows)
            db.commit()
            city = db.scalar(select(User).where(User.username == "city"))
            out_path = Path(tmp) / "plan.xlsx"
            # Timed run first (tracemalloc slows allocation-heavy code several times over),
            # then a traced run for the memory peak.
            started = time.perf_counter()
            with out_path.open("wb") as out:
                count = write_plan_list(db, city, year, [PlanStatus.APPROVED], out)
            elapsed = time.perf_counter() - started
            tracemalloc.start()
            with out_path.open("wb") as out:
                write_plan_list(db, city, year, [PlanStatus.APPROVED], out)
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            size = out_path.stat().st_size
    print(f"projects exported: {count}")
    print(f"time: {elapsed:.2f} s  ({count / elapsed:,.0f} rows/s)")
    print(f"peak traced Python memory: {peak / 2**20:.1f} MiB")
    print(f"workbook size: {size / 2**20:.2f} MiB")


if __name__ == "__main__":
    main()

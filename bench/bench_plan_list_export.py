"""Measure the plan-list workbook export against raw xlsxwriter, and its peak memory.

For each size: one process builds a throwaway SQLite database (migrations + demo city,
the approved demo projects cloned up to ``N`` rows with bulk inserts); a fresh process
(so its peak RSS belongs to the export alone) then

1. exports the city's plan list the way the ``/projects/export.xlsx`` view does (database
   query, cell values, summary, streaming writer), noting peak RSS before and after, and
   again under tracemalloc for the peak of traced Python memory;
2. records the cells of an export and writes the very same rows (same values, sheets,
   columns, number formats and sheet setup) with xlsxwriter directly in constant-memory
   mode: what any export built on it costs at the least;
3. times ``--repeat`` back-to-back pairs of export and raw (every other pair raw first,
   each run after a full garbage collection), wall clock and this process's CPU
   time, and prints rows per second of the best runs and the ratio export / raw (as
   throughput: raw seconds / export seconds), best against best and as the median of the
   back-to-back pairs.

On a shared machine both clocks swing by ±15 % with other work; the pairs' median is the
figure to quote. Prints the numbers; asserts nothing.

    .venv/bin/python bench/bench_plan_list_export.py                 # 20,000 and 100,000
    .venv/bin/python bench/bench_plan_list_export.py --projects 20000
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlsxwriter
from sqlalchemy import insert, select

from dispatch.app import create_app
from dispatch.config import Settings
from dispatch.db import get_session
from dispatch.demo import seed_demo
from dispatch.migrate import upgrade
from dispatch.projects.workbook_export import fill_plan_list, write_plan_list
from dispatch.workbooks.layout import Column
from dispatch.workbooks.writer import FOOTER, PAPER_A4, SheetWriter, WorkbookWriter
from models import PlanStatus, Project, User

SKIP = {"id", "code", "name", "version_id"}


# --- the database -----------------------------------------------------------------------


def seed(db: Any, projects: int) -> int:
    """The demo city plus clones of its approved projects; returns the plan year."""
    seed_demo(db)
    db.commit()
    approved = list(db.scalars(select(Project).where(Project.plan_status == PlanStatus.APPROVED)))
    year = approved[0].plan_year
    templates = [p for p in approved if p.plan_year == year]
    columns = [c.key for c in Project.__table__.columns if c.key not in SKIP]
    rows = []
    for n, template in zip(range(projects - len(templates)), itertools.cycle(templates)):
        row = {c: getattr(template, c) for c in columns}
        row.update(
            code=f"{template.code}-B{n:06d}", name=f"{template.name}（批量{n}）", version_id=1
        )
        rows.append(row)
        if len(rows) == 2000:
            db.execute(insert(Project), rows)
            rows.clear()
    if rows:
        db.execute(insert(Project), rows)
    db.commit()
    db.expunge_all()
    return year


# --- recording an export, replaying it with xlsxwriter alone ----------------------------


# Per sheet, in creation order: name, columns, and the writer calls made on it.
Recorded = list[tuple[str, tuple[Column, ...], list[tuple[Any, ...]]]]


class Recorder(WorkbookWriter):
    """The export's writer, also keeping every sheet's operations for the raw replay."""

    def __init__(self, out: Any):
        super().__init__(out)
        self.sheets: Recorded = []

    def sheet(self, name: str, columns: Sequence[Column]) -> SheetWriter:
        ops: list[tuple[Any, ...]] = [("header", None)]
        self.sheets.append((name, tuple(columns), ops))
        writer = super().sheet(name, columns)
        row, head, skip, filter_all = writer.row, writer.header, writer.skip, writer.filter_all

        texts = [c.kind == "text" for c in columns]

        def record_row(values: Sequence[Any]) -> None:
            # Cells as the writer hands them to xlsxwriter: text as str, empty text as no
            # cell at all, the rest as they are.
            kept = [str(v) if t and v is not None else v for v, t in zip(values, texts)]  # noqa: B905
            ops.append(("row", [None if v == "" else v for v in kept]))
            row(values)

        def record_header(first: str | None = None) -> None:
            ops.append(("header", first))
            head(first)

        def record_skip() -> None:
            ops.append(("skip",))
            skip()

        def record_filter() -> None:
            ops.append(("filter",))
            filter_all()

        writer.row, writer.header = record_row, record_header  # type: ignore[method-assign]
        writer.skip, writer.filter_all = record_skip, record_filter  # type: ignore[method-assign]
        return writer


def write_raw(path: Path, sheets: Recorded) -> None:
    """The recorded sheets written with xlsxwriter's own calls and nothing else."""
    book = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    bold = book.add_format({"bold": True})
    formats: dict[str, Any] = {}
    for name, columns, ops in sheets:
        sheet = book.add_worksheet(name)
        cells = []
        for col, column in enumerate(columns):
            fmt = None
            if column.number_format != "General":
                fmt = formats.get(column.number_format)
                if fmt is None:
                    fmt = formats[column.number_format] = book.add_format(
                        {"num_format": column.number_format}
                    )
            sheet.set_column(col, col, column.width, fmt)
            write = {
                "text": sheet.write_string, "date": sheet.write_datetime
            }.get(column.kind, sheet.write_number)  # fmt: skip
            cells.append((write, fmt))
        sheet.freeze_panes(1, 0)
        sheet.set_landscape()
        sheet.set_paper(PAPER_A4)
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(0)
        sheet.set_footer(FOOTER)
        row = 0
        for op in ops:
            if op[0] == "row":
                for col, value in enumerate(op[1]):
                    if value is not None:
                        write, fmt = cells[col]
                        write(row, col, value, fmt)
                row += 1
            elif op[0] == "header":
                for col, column in enumerate(columns):
                    text = op[1] if op[1] is not None and col == 0 else column.header
                    sheet.write_string(row, col, text, bold)
                row += 1
            elif op[0] == "skip":
                row += 1
            else:
                sheet.autofilter(0, 0, max(row - 1, 0), len(columns) - 1)
    book.close()


# --- one size, in its own process -------------------------------------------------------


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _app(folder: Path) -> Any:
    url = f"sqlite:///{folder / 'bench.db'}"
    return create_app(Settings(instance_path=folder, database_url=url, secret_key="b" * 40))


def build(folder: Path, projects: int) -> int:
    """The database for one size (in its own process, so seeding leaves no trace in the
    measuring process's memory); returns the plan year."""
    upgrade(f"sqlite:///{folder / 'bench.db'}")
    with _app(folder).app_context():
        return seed(get_session(), projects)


def _timed(work: Any) -> tuple[float, float]:
    """(wall, CPU) seconds of ``work()``; CPU time is this process's alone, so it shows
    the ratio even while other work shares the machine's two cores. Each run starts
    after a full garbage collection, so that none pays for another's garbage."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def measure(folder: Path, year: int, repeat: int) -> dict[str, Any]:
    with _app(folder).app_context():
        db = get_session()
        city = db.scalar(select(User).where(User.username == "city"))
        out_path, raw_path = folder / "plan.xlsx", folder / "raw.xlsx"
        statuses = [PlanStatus.APPROVED]

        def export() -> int:
            with out_path.open("wb") as out:
                count = write_plan_list(db, city, year, statuses, out)
            db.rollback()
            return count

        gc.collect()
        rss_before = peak_rss_mib()
        count = export()  # also the warm-up: catalog, layout, statement caches
        rss_after = peak_rss_mib()
        tracemalloc.start()
        export()
        _current, traced = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        with (folder / "recorded.xlsx").open("wb") as out, Recorder(out) as recorder:
            fill_plan_list(recorder, db, city, year, statuses)
        db.rollback()
        sheets = recorder.sheets
        export_times: list[tuple[float, float]] = []
        raw_times: list[tuple[float, float]] = []

        def raw() -> None:
            write_raw(raw_path, sheets)

        for n in range(repeat):
            # Every other pair writes raw first: the second of a pair inherits the first
            # one's garbage and warm caches, so that neither side always goes second.
            pair = [(export, export_times), (raw, raw_times)]
            if n % 2:
                pair.reverse()
            for work, times in pair:
                times.append(_timed(work))
        return {
            "projects": count,
            "export": export_times,
            "raw": raw_times,
            "traced_mib": traced / 2**20,
            "rss_before_mib": rss_before,
            "rss_after_mib": rss_after,
            "size_mib": out_path.stat().st_size / 2**20,
        }


def report(result: dict[str, Any]) -> None:
    count = result["projects"]
    print(f"projects exported: {count:,}  (workbook {result['size_mib']:.2f} MiB)")
    for index, clock in enumerate(("wall", "CPU")):
        exports = [t[index] for t in result["export"]]
        raws = [t[index] for t in result["raw"]]
        # Each export runs right before its raw twin, so a pair shares the machine's load;
        # the median of the pairs' ratios is the steadiest figure on a busy machine.
        pairs = sorted(r / e for e, r in zip(exports, raws, strict=True))
        median = statistics.median(pairs)
        runs = " / ".join(f"{e:.2f}:{r:.2f}" for e, r in zip(exports, raws, strict=True))
        print(
            f"  {clock:>4} time: plan-list export {count / min(exports):6,.0f} rows/s, "
            f"raw xlsxwriter {count / min(raws):6,.0f} rows/s (best runs); "
            f"ratio {min(raws) / min(exports):.2f} best/best, {median:.2f} median of pairs"
        )
        print(f"             export:raw seconds per pair {runs}")
    print(f"  peak traced Python memory during an export: {result['traced_mib']:.1f} MiB")
    print(
        f"  peak RSS: {result['rss_before_mib']:.0f} MiB before the first export, "
        f"{result['rss_after_mib']:.0f} MiB after it "
        f"(+{result['rss_after_mib'] - result['rss_before_mib']:.0f} MiB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, nargs="+", default=[20000, 100000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--year", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        print(build(args.build, args.projects[0]))
        return
    if args.measure:
        print(json.dumps(measure(args.measure, args.year, args.repeat)))
        return
    for projects in args.projects:
        with tempfile.TemporaryDirectory() as tmp:
            me = [sys.executable, __file__]
            built = subprocess.run(
                [*me, "--build", tmp, "--projects", str(projects)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            year = built.stdout.strip().splitlines()[-1]
            measured = subprocess.run(
                [*me, "--measure", tmp, "--year", year, "--repeat", str(args.repeat)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
        report(json.loads(measured.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()

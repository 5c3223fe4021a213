"""Feed hostile workbooks to the real import services; print refusal time and peak memory.

Each workbook fits the 20 MB upload limit and is built from the app's own import template
(so everything but the hostile part is what a user would upload):

- ``zip-bomb``: a shared-strings part inflating to 600 MiB (the issue's 617 KB file);
- ``lying-sizes``: the same bomb with the part's declared size forged down to 4 KiB, so
  the bound check on declared sizes passes and only zipfile's own stop protects;
- ``million-rows``: one million near-empty rows (a pre-filled 序号, or a cell outside the
  header for the enterprise import) after the header of the first sheet, the sheet's
  ``<dimension>`` removed (openpyxl reads no row beyond a declared one);
- ``row-gap``: one row numbered 3,000,000 (openpyxl yields every row of the gap);
- ``strings-at-bound``: a legitimate-looking shared-strings part just under the 20 MiB
  bound, of distinct two-character strings: the most openpyxl holds in memory for a file
  the bounds let through.

One process builds the workbooks and a throwaway SQLite database (migrations, a city with
its province, a city user and an administrator); then, per workbook and importer, a fresh
process reads the file, warms up (one import of the bare template, refused for having no
data: catalog, layout and openpyxl loaded), and runs the import the upload view runs
(``import_plan_list`` / ``import_enterprises`` in the app context, as the city user /
the administrator) twice: once for the wall time and the RSS high-water mark, once under
tracemalloc for the peak of traced Python memory. The high-water mark is reset just before
the import (Linux ``/proc/self/clear_refs``), so RSS growth is the peak during the import
minus the resident size before it; tracemalloc misses C allocations (libxml2, zlib), which
RSS includes.

Targets (issue 8): refused in under 2 s, peak growth under 100 MB. The CPU time of the
refusal is printed too: on a busy machine the wall clock swings with other work. Prints
the numbers; asserts nothing.

    .venv/bin/python bench/bench_hostile_workbooks.py
    .venv/bin/python bench/bench_hostile_workbooks.py --cases zip-bomb million-rows
    .venv/bin/python bench/bench_hostile_workbooks.py --importers plan
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gc
import io
import json
import re
import struct
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

MIB = 2**20
SECRET = "h" * 40
PASSWORD = "Bench@2025x!"  # noqa: S105 - a throwaway database's accounts
SHARED_STRINGS = "xl/sharedStrings.xml"
FIRST_SHEET = "xl/worksheets/sheet1.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SST_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
SST_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
BOMB_MIB = 600
ROWS = 1_000_000
GAP_ROW = 3_000_000
# Just under the reader's MAX_SHARED_STRINGS (20 MiB).
AT_BOUND_BYTES = 20 * MIB - 64 * 1024
# Where a near-empty row keeps its one value: the plan list's 序号 (ignored when telling
# blank rows), a column beyond the enterprise template's six.
NEAR_EMPTY_COLUMN = {"plan": "A", "enterprise": "H"}
IMPORTERS = ("plan", "enterprise")


# --- building the workbooks -------------------------------------------------------------


def template(importer: str) -> bytes:
    """The app's own empty import template."""
    from dispatch.admin.imports import write_template as enterprise_template
    from dispatch.projects.workbook_export import write_template as plan_template

    out = io.BytesIO()
    (plan_template if importer == "plan" else enterprise_template)(out)
    return out.getvalue()


Part = Callable[[Any], None]  # writes one zip member's content into an open member


def rebuild(base: bytes, parts: dict[str, Part], *, shared_strings: bool = False) -> bytes:
    """``base`` with ``parts`` written (streamed, deflated) in place of or beside its
    members; ``shared_strings`` also references a shared-strings part as Excel does."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for info in source.infolist():
            if info.filename in parts:
                continue
            data = source.read(info.filename)
            if shared_strings and info.filename == "[Content_Types].xml":
                override = f'<Override PartName="/{SHARED_STRINGS}" ContentType="{SST_CONTENT}"/>'
                data = data.replace(b"</Types>", override.encode() + b"</Types>")
            if shared_strings and info.filename == "xl/_rels/workbook.xml.rels":
                rel = f'<Relationship Id="rIdBench" Type="{SST_TYPE}" Target="sharedStrings.xml"/>'
                data = data.replace(b"</Relationships>", rel.encode() + b"</Relationships>")
            target.writestr(info.filename, data)
        for name, write in parts.items():
            with target.open(name, "w") as member:
                write(member)
    return out.getvalue()


def _sst(strings: Iterator[bytes], count: int) -> Part:
    def write(member: Any) -> None:
        member.write(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="{MAIN_NS}" '
            f'count="{count}" uniqueCount="{count}">'.encode()
        )
        for chunk in strings:
            member.write(chunk)
        member.write(b"</sst>")

    return write


@functools.cache  # built once per template, for the bomb and its lying twin
def zip_bomb(base: bytes) -> bytes:
    """A shared-strings part of ``BOMB_MIB`` MiB: 1 KiB strings, written a MiB at a time."""
    one = b"<si><t>" + b"A" * (1024 - 16) + b"</t></si>"
    chunk = one * 1024
    return rebuild(
        base, {SHARED_STRINGS: _sst(iter([chunk] * BOMB_MIB), BOMB_MIB * 1024)},
        shared_strings=True,
    )  # fmt: skip


def lying_sizes(bomb: bytes) -> bytes:
    """The bomb with its shared-strings part declared 4 KiB in both zip headers."""
    data = bytearray(bomb)
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        info = archive.getinfo(SHARED_STRINGS)
        entry = archive.start_dir  # type: ignore[attr-defined]
    # Local file header: uncompressed size at offset 22; central directory entry: at 24.
    struct.pack_into("<I", data, info.header_offset + 22, 4096)
    while data[entry : entry + 4] == b"PK\x01\x02":
        lengths = struct.unpack_from("<HHH", data, entry + 28)
        if data[entry + 46 : entry + 46 + lengths[0]] == SHARED_STRINGS.encode():
            struct.pack_into("<I", data, entry + 24, 4096)
        entry += 46 + sum(lengths)
    return bytes(data)


def _rows_after_header(base: bytes, rows: Callable[[], Iterator[bytes]]) -> bytes:
    """The first sheet of ``base`` with ``rows`` after its header row, and without the
    ``<dimension>`` element: openpyxl's read-only mode reads no row beyond the dimension
    a file declares, and a hostile file does not declare a small one."""
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        sheet = re.sub(rb"<dimension [^>]*/>", b"", archive.read(FIRST_SHEET))
    end = sheet.index(b"</sheetData>")

    def write(member: Any) -> None:
        member.write(sheet[:end])
        for chunk in rows():
            member.write(chunk)
        member.write(sheet[end:])

    return rebuild(base, {FIRST_SHEET: write})


def million_rows(base: bytes, column: str) -> bytes:
    def rows() -> Iterator[bytes]:
        for start in range(2, ROWS + 2, 10_000):
            yield "".join(
                f'<row r="{n}"><c r="{column}{n}"><v>{n}</v></c></row>'
                for n in range(start, min(start + 10_000, ROWS + 2))
            ).encode()

    return _rows_after_header(base, rows)


def row_gap(base: bytes, column: str) -> bytes:
    def rows() -> Iterator[bytes]:
        yield f'<row r="{GAP_ROW}"><c r="{column}{GAP_ROW}"><v>1</v></c></row>'.encode()

    return _rows_after_header(base, rows)


def strings_at_bound(base: bytes) -> bytes:
    """Distinct two-character strings (each a separate str in openpyxl's table)."""
    alphabet = [chr(c) for c in range(0x4E00, 0x4E00 + 2000)]
    one = len("<si><t>甲乙</t></si>".encode())
    count = (AT_BOUND_BYTES - 200) // one

    def strings() -> Iterator[bytes]:
        for start in range(0, count, 50_000):
            yield "".join(
                f"<si><t>{alphabet[n // 2000]}{alphabet[n % 2000]}</t></si>"
                for n in range(start, min(start + 50_000, count))
            ).encode()

    return rebuild(base, {SHARED_STRINGS: _sst(strings(), count)}, shared_strings=True)


def build_cases(
    folder: Path, wanted: list[str], importers: list[str]
) -> list[tuple[str, str, Path]]:
    """(case, importer, file) for every wanted case and importer."""
    made = []
    for importer in importers:
        base, column = template(importer), NEAR_EMPTY_COLUMN[importer]
        (folder / f"{importer}-template.xlsx").write_bytes(base)
        for case in wanted:
            path = folder / f"{importer}-{case}.xlsx"
            path.write_bytes(BUILDERS[case](base, column))
            made.append((case, importer, path))
    return made


BUILDERS: dict[str, Callable[[bytes, str], bytes]] = {
    "zip-bomb": lambda base, _column: zip_bomb(base),
    "lying-sizes": lambda base, _column: lying_sizes(zip_bomb(base)),
    "million-rows": million_rows,
    "row-gap": row_gap,
    "strings-at-bound": lambda base, _column: strings_at_bound(base),
}
CASES = tuple(BUILDERS)


# --- the database -----------------------------------------------------------------------


def _app(folder: Path) -> Any:
    from dispatch.app import create_app
    from dispatch.config import Settings

    url = f"sqlite:///{folder / 'bench.db'}"
    return create_app(Settings(instance_path=folder, database_url=url, secret_key=SECRET))


def build_database(folder: Path) -> None:
    """Migrations, a province and its city, a city user and an administrator."""
    from dispatch.audit import Acting
    from dispatch.db import get_session
    from dispatch.migrate import upgrade
    from dispatch.orgs import accounts
    from dispatch.orgs import services as orgs
    from models import RegionKind, Role

    upgrade(f"sqlite:///{folder / 'bench.db'}")
    with _app(folder).app_context():
        session = get_session()
        system = Acting(user=None, at=dt.datetime.now(dt.UTC))
        province = orgs.create_region(
            session, system, name="测试省", division_code="990000", kind=RegionKind.PROVINCE,
            parent=None,
        )  # fmt: skip
        city = orgs.create_region(
            session, system, name="测试市", division_code="990100", kind=RegionKind.CITY,
            parent=province,
        )  # fmt: skip
        for username, role in (("bench_city", Role.CITY), ("bench_admin", Role.ADMIN)):
            accounts.create_user(
                session, system, username=username, display_name=username, role=role,
                password=PASSWORD, region=city, must_change_password=False,
            )  # fmt: skip
        session.commit()


# --- measuring one workbook, in its own process -----------------------------------------


def _status_mib(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise LookupError(field)


def _reset_peak() -> bool:
    """Reset the RSS high-water mark (Linux ``clear_refs``), so that the next reading of
    VmHWM is the peak of what ran since; False where that is not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
    except OSError:
        return False
    return True


def measure(folder: Path, importer: str, path: Path) -> dict[str, Any]:
    from sqlalchemy import select

    from dispatch.admin.imports import import_enterprises
    from dispatch.audit import Acting
    from dispatch.db import get_session
    from dispatch.errors import DomainError
    from dispatch.projects.workbook_import import import_plan_list
    from models import User

    work = import_plan_list if importer == "plan" else import_enterprises
    username = "bench_city" if importer == "plan" else "bench_admin"
    data = path.read_bytes()
    bare = (folder / f"{importer}-template.xlsx").read_bytes()
    with _app(folder).app_context():
        session = get_session()
        acting = Acting(session.scalar(select(User).where(User.username == username)),
                        dt.datetime.now(dt.UTC))  # fmt: skip

        def attempt(upload: bytes) -> str:
            try:
                work(session, acting, upload, path.name)
            except DomainError as exc:
                errors = getattr(exc, "errors", None)
                return errors[0].message if errors else exc.message
            finally:
                session.rollback()
            return "imported (not refused)"

        attempt(bare)  # the warm-up
        gc.collect()
        exact = _reset_peak()
        rss_before = _status_mib("VmRSS")
        start, cpu = time.perf_counter(), time.process_time()
        message = attempt(data)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        rss_growth = _status_mib("VmHWM") - rss_before
        gc.collect()
        tracemalloc.start()
        attempt(data)
        _current, traced = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        declared = sum(info.file_size for info in archive.infolist())
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "rss_growth_mib": rss_growth,
        "rss_exact": exact,
        "traced_mib": traced / MIB,
        "message": message,
        "size_mib": len(data) / MIB,
        "declared_mib": declared / MIB,
    }


def report(case: str, importer: str, result: dict[str, Any]) -> None:
    print(
        f"{case:<17} {importer:<10} {result['size_mib']:6.2f} MiB file "
        f"({result['declared_mib']:7.1f} MiB declared inflated): "
        f"refused in {result['seconds']:5.2f} s ({result['cpu_seconds']:5.2f} s CPU), "
        "peak growth RSS "
        f"{result['rss_growth_mib']:5.1f} MiB{'' if result['rss_exact'] else ' (at most)'}, "
        f"traced {result['traced_mib']:5.1f} MiB",
        flush=True,
    )
    print(f"{'':<17} {'':<10} → {result['message'][:90]}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    parser.add_argument("--importers", nargs="+", choices=IMPORTERS, default=list(IMPORTERS))
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--importer", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.importer, args.file)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        build_database(folder)
        made = build_cases(folder, args.cases, args.importers)
        print(
            f"built the database and {len(made)} workbooks in {time.perf_counter() - start:.0f} s"
        )
        print("targets: refused in < 2 s, peak memory growth < 100 MB")
        for case, importer, path in made:
            measured = subprocess.run(
                [sys.executable, __file__, "--measure", tmp, "--importer", importer,
                 "--file", str(path)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            report(case, importer, json.loads(measured.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()

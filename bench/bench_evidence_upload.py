"""Measure a 150 MiB evidence upload through the page: the app's peak memory growth, and
its throughput against a raw ``minio`` put of the same bytes in the same run.

In one process: a real S3 server (SeaweedFS, ``tests.s3.TempS3``); the app on a throwaway
SQLite database with ``S3Storage`` (the fail-fast client), the test suite's world and an
approved project of its enterprise A made through the services; a valid PDF of ``--mb``
MiB on disk (a one-page PDF with a comment block before its cross-reference table). The
app runs in Werkzeug's threaded WSGI server on a loopback port; the client logs in with
the login page's CSRF token and takes the checklist's; a process of its own
(``bench/upload_client.py``, as a browser is never inside the server) posts the file to
the upload route, the file's bytes sent with ``sendfile``, timed from the word to go
until the answer. The route spools the body to disk as it parses it
(``dispatch.web.multipart``), scanning each piece for the sniffer on the way
(``dispatch.web.uploads``), while a thread puts the growing spool to S3 in parts, hashing
on the way (``dispatch.storage.early``, ``dispatch.storage.s3``); once the body is in, the
sniffer decides from the scan and the row adopts the object.

``--repeat`` times alternately: a raw put (``Minio.put_object(bucket, key, file,
length=-1, part_size=16 MiB)``, the SDK's defaults otherwise), then the upload through the
page, checked afterwards (the new row's size and SHA-256). Around each the peak RSS is
reset (``echo 5 > /proc/self/clear_refs``) and read back (VmHWM): growth = peak − RSS
before. The script re-executes itself with ``MALLOC_MMAP_THRESHOLD_`` fixed: glibc
otherwise raises its threshold after the first large free and keeps later buffers in the
heap, so a run's "before" may already hold freed memory and hide its growth. (The client
runs in its own process.) Throughput is the ratio raw seconds / upload seconds (goal ≥
0.8), best against best and the median of the pairs, the figure to quote on a shared
machine (every figure swings by ±15 % or more with other work). The CPU seconds of every
process in a run (this one, the S3 server, the browser's; see ``upload_measure.py``) show
how busy the machine's cores were: with all of them busy, a run's pace is its CPU seconds
over the cores.

The pairs run twice (``--cpus both``): with every process on every CPU, and with the S3
server on a CPU of its own (``--cpus apart``; every thread's affinity set), as in
production, where MinIO is a service of its own, usually on a host of its own. On a
machine of two cores the first measures the app's CPU seconds more than its pace: the app
parses, scans, spools and hashes what a raw put only sends, and every CPU second it takes
is one the S3 server does not get. The second asks whether the app keeps pace with the
storage. One more upload runs under tracemalloc, untimed.

Where the time goes (``upload_stages.py``): each stage alone on the same file, as the route
did before the early put (multipart parsing and spooling, also with Werkzeug's own parser
for comparison; the sniffer reading the file whole; reading + hashing as ``Metered``
does; ``S3Storage.put``) and, with ``--profile``, one more request under cProfile by
stage. Prints the numbers; asserts nothing.

    .venv/bin/python bench/bench_evidence_upload.py
    .venv/bin/python bench/bench_evidence_upload.py --mb 150 --repeat 5 --cpus apart --profile
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import tracemalloc
from pathlib import Path
from typing import Any

from sqlalchemy import select
from werkzeug.serving import make_server

# From the test suite: its throwaway SeaweedFS server, its factories of users and projects,
# and the padded PDF its S3 failure test uploads.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from upload_measure import Browser, Measured, measured
from upload_stages import profile, stages

from dispatch.app import create_app
from dispatch.config import Settings
from dispatch.db import get_session
from dispatch.migrate import upgrade
from dispatch.storage import S3Storage
from dispatch.storage.s3 import PARALLEL_PARTS, PART_SIZE, fail_fast_client
from models import EvidenceFile, Project, StoredFile
from tests.evidence.test_upload_s3_failure import write_padded_pdf
from tests.factories import PASSWORD, build_world
from tests.projects.excel_helpers import make_project, project_input
from tests.s3 import TempS3

CLIENT = Path(__file__).with_name("upload_client.py")

MB = 1024 * 1024
ITEM = "G03"
NAME = "竣工验收报告.pdf"
BUCKET = "bench-evidence"
RAW_PART = 16 * MB
MMAP_THRESHOLD = "MALLOC_MMAP_THRESHOLD_"


# --- set-up -----------------------------------------------------------------------------


def seed(app: Any) -> tuple[Project, str]:
    """The test suite's world and an approved project of its enterprise A; returns the
    project and the username of the enterprise's user, who uploads."""
    with app.app_context():
        db = get_session()
        world = build_world(db)
        raw = project_input(
            world.district_a, "A2", "fuel_elimination", "甲区燃煤锅炉淘汰",
            enterprise=world.enterprise_a,
        )  # fmt: skip
        project = make_project(
            db, app, world.users["district_a"], raw, approver=world.users["city"]
        )
        db.commit()
        return project, world.users["enterprise_a"].username


def sha256_of(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


# --- the runs ---------------------------------------------------------------------------


class Bench:
    def __init__(
        self, app: Any, storage: S3Storage, project_id: int, user: str, file: Path, base: str
    ):
        self.app, self.storage, self.project_id, self.file = app, storage, project_id, file
        self.sha256 = sha256_of(file)
        self.browser = Browser(base)
        self.browser.login(user, PASSWORD)
        self.page = f"/evidence/projects/{project_id}"
        self.token = self.browser.token(self.page)

    def raw_put(self) -> None:
        key = f"raw/{os.urandom(8).hex()}"
        with self.file.open("rb") as f:
            self.storage.client.put_object(BUCKET, key, f, length=-1, part_size=RAW_PART)
        self.storage.client.remove_object(BUCKET, key)

    def _rows(self) -> list[StoredFile]:
        with self.app.app_context():
            return list(
                get_session().scalars(
                    select(StoredFile).join(EvidenceFile, EvidenceFile.file_id == StoredFile.id)
                )
            )

    def client(self) -> Client:
        """The browser's upload, started in its own process and waiting for the word."""
        cookie = "; ".join(f"{k}={v}" for k, v in self.browser.cookies.items())
        path = f"{self.page}/items/{ITEM}/upload"
        args = [self.browser.base, path, cookie, self.token, str(self.file), NAME]
        return Client(args, self)

    def upload(self) -> None:
        client = self.client()
        client.go()
        client.check()


class Client:
    """One upload by ``bench/upload_client.py``: :meth:`go` is what is timed."""

    def __init__(self, args: list[str], bench: Bench) -> None:
        self.bench = bench
        self.before = {row.id for row in bench._rows()}
        self.process = subprocess.Popen(
            [sys.executable, str(CLIENT), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None and self.process.stdin is not None
        assert self.process.stdout.readline().strip() == "ready"
        self.answer: dict[str, Any] = {}

    def go(self) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("go\n")
        self.process.stdin.flush()
        self.answer = json.loads(self.process.stdout.readline())

    def check(self) -> None:
        self.process.wait(60)
        status, body = self.answer["status"], self.answer["body"]
        assert status == 200 and "location" in body, (status, body[:300])
        (row,) = [row for row in self.bench._rows() if row.id not in self.before]
        ok = row.size == self.bench.file.stat().st_size and row.sha256 == self.bench.sha256
        assert ok, "the stored file differs from the one sent"


def report(size: int, pairs: list[tuple[Measured, Measured]], apart: bool) -> None:
    """The runs of one placement on the CPUs."""
    mb = size / MB
    cores = os.cpu_count()
    print()
    print(
        f"CPUs: the S3 server on one of {cores}, the app, the raw put and the client on the"
        " others (as on hosts of their own)"
        if apart
        else f"CPUs: all {cores} shared by the S3 server, the app, the raw put and the client"
    )
    print(f"{'run':>4} {'raw s':>8} {'upload s':>9} {'ratio':>6} {'raw MB':>7} {'upload MB':>10}"
          f" {'raw CPU s':>10} {'upload CPU s':>13}")  # fmt: skip
    for n, (raw, app) in enumerate(pairs, start=1):
        print(
            f"{n:>4} {raw.seconds:8.2f} {app.seconds:9.2f} {raw.seconds / app.seconds:6.2f}"
            f" {raw.rss_growth / MB:7.1f} {app.rss_growth / MB:10.1f}"
            f" {raw.cpu_total:10.2f} {app.cpu_total:13.2f}"
        )
    raws = [raw for raw, _upload in pairs]
    uploads = [upload for _raw, upload in pairs]
    best_raw = min(raw.seconds for raw in raws)
    best_app = min(upload.seconds for upload in uploads)
    median = statistics.median(raw.seconds / app.seconds for raw, app in pairs)
    print(f"best: raw put {best_raw:.2f} s = {mb / best_raw:.0f} MiB/s, "
          f"through the page {best_app:.2f} s = {mb / best_app:.0f} MiB/s")  # fmt: skip
    print(f"throughput ratio (raw s / upload s): best/best {best_raw / best_app:.2f}, "
          f"median of pairs {median:.2f} (goal >= 0.8)")  # fmt: skip
    print(f"peak RSS growth: upload through the page max "
          f"{max(upload.rss_growth for upload in uploads) / MB:.1f} MiB (target < 50 MiB); "
          f"raw put max {max(raw.rss_growth for raw in raws) / MB:.1f} MiB")  # fmt: skip
    for label, runs in (("raw put", raws), ("upload", uploads)):
        by_process = ", ".join(
            f"{name} {statistics.median(run.cpu[name] for run in runs):.2f}" for name in runs[0].cpu
        )
        busy = statistics.median(run.cpu_total / run.seconds for run in runs)
        print(f"CPU seconds, median: {label}: {by_process}; {busy:.2f} of {cores} cores busy")
    cpu_ratio = statistics.median(raw.cpu_total / app.cpu_total for raw, app in pairs)
    print(f"CPU seconds ratio (raw / upload), median of pairs: {cpu_ratio:.2f}")


def place(s3_pid: int, *, apart: bool) -> None:
    """Every thread of the S3 server and of this process (the app, the raw put, and the
    client it starts: threads and processes started later inherit it) on every CPU, or
    (``apart``) the S3 server on the last CPU and this process on the others."""
    cpus = sorted(os.sched_getaffinity(0) | os.sched_getaffinity(s3_pid))
    if apart and len(cpus) < 2:
        raise SystemExit("--cpus apart needs two CPUs at least")
    s3_cpus, my_cpus = ({cpus[-1]}, set(cpus[:-1])) if apart else (set(cpus), set(cpus))
    for pid, mine in ((s3_pid, s3_cpus), (os.getpid(), my_cpus)):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(ProcessLookupError):  # a thread that ended meanwhile
                os.sched_setaffinity(int(task.name), mine)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=150, help="file size in MiB (under 200)")
    parser.add_argument("--repeat", type=int, default=3, help="raw/upload pairs")
    parser.add_argument("--profile", action="store_true", help="cProfile one more upload")
    parser.add_argument(
        "--cpus",
        choices=("shared", "apart", "both"),
        default="both",
        help="the S3 server on the CPUs everything else runs on, on one of its own, or both",
    )
    args = parser.parse_args()
    if MMAP_THRESHOLD not in os.environ:
        # Fixed, so that freed buffers leave the RSS (see the module docstring).
        env = {**os.environ, MMAP_THRESHOLD: str(128 * 1024)}
        os.execve(sys.executable, [sys.executable, *sys.argv], env)  # noqa: S606 (itself)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = TempS3().start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-evidence-") as tmp:
            run(Path(tmp), server, args)
    finally:
        server.stop()


def run(tmp: Path, s3: TempS3, args: argparse.Namespace) -> None:
    url = f"sqlite:///{tmp / 'bench.db'}"
    upgrade(url)
    client = fail_fast_client(s3.endpoint, s3.access_key, s3.secret_key, secure=False)
    storage = S3Storage(client, BUCKET)
    storage.ensure_bucket()
    settings = Settings(instance_path=tmp, database_url=url, secret_key="b" * 40)
    app = create_app(settings, storage=storage)
    project, user = seed(app)
    file = tmp / "upload.pdf"
    write_padded_pdf(file, args.mb * MB)
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{http.server_port}"
        bench = Bench(app, storage, project.id, user, file, base)
        bench.raw_put()  # the bucket's first write allocates its volume: not measured
        me, s3_pid = os.getpid(), s3.process.pid  # type: ignore[union-attr]
        size = file.stat().st_size
        print(
            f"file: {size / MB:.1f} MiB PDF; S3: SeaweedFS on loopback; raw put:"
            f" {RAW_PART // MB} MiB parts, 3 at a time; the app: {PART_SIZE // MB} MiB parts,"
            f" {PARALLEL_PARTS} at a time"
        )
        for apart in {"shared": [False], "apart": [True], "both": [False, True]}[args.cpus]:
            place(s3_pid, apart=apart)
            pairs = []
            for _ in range(args.repeat):
                raw = measured(bench.raw_put, {"this process": me, "S3": s3_pid})
                client = bench.client()
                pids = {"app": me, "S3": s3_pid, "browser": client.process.pid}
                upload = measured(client.go, pids)
                client.check()
                pairs.append((raw, upload))
            report(size, pairs, apart)
        place(s3_pid, apart=False)
        tracemalloc.start()
        bench.upload()
        traced = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"tracemalloc peak during one upload: {traced / MB:.1f} MiB")
        print("stages alone on the same file:")
        for label, seconds in stages(file, storage, NAME):
            print(f"  {seconds:6.2f} s  {size / MB / seconds:6.0f} MiB/s  {label}")
        if args.profile:
            print(profile(app, bench.upload))
    finally:
        http.shutdown()
        thread.join()
        app.extensions["db"].engine.dispose()


if __name__ == "__main__":
    main()

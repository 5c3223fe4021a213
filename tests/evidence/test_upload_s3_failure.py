"""The S3 server dying during an upload through the page: a clear Chinese message naming the
file, no row, and nothing for reconcile to find once the server is back.

Each test starts its own SeaweedFS (the session's server must survive) and really kills
it: no storage wrapper, no mock. In the mid-upload case a watcher thread kills the server
as soon as the first mebibyte of the upload has landed in the bucket's volume files; a
40 MB file leaves some 39 MB still to send at that moment (hundreds of milliseconds at
loopback speed, against a watcher that looks every 2 ms), so the kill always falls inside
the transfer. The server is then restarted on the same data directory and ports, and
``reconcile`` lists the bucket against the rows.
"""

from __future__ import annotations

import contextlib
import io
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from dispatch.app import create_app
from dispatch.audit import Acting
from dispatch.db import Database
from dispatch.evidence import samples
from dispatch.evidence.integrity import reconcile
from models import EvidenceFile, StoredFile
from tests.conftest import csrf_token, login
from tests.s3 import TempS3
from tests.storage.conftest import s3_storage

MB = 1024 * 1024
BUCKET = "dying"
NAME = "竣工验收报告.pdf"
UNAVAILABLE = f"文件“{NAME}”：对象存储服务不可用"
# The fail-fast client's promise: seconds at most, never the SDK's ~13 s of retries.
FAST = 3.0


def write_padded_pdf(path: Path, size: int) -> None:
    """A valid PDF of about ``size`` bytes: a real one-page PDF with a comment block before
    its cross-reference table (whose offset moves accordingly), written in 1 MiB pieces."""
    base = samples.pdf(["Completion acceptance report"])
    cut = base.index(b"\nxref\n") + 1
    body, table = base[:cut], base[cut + len(b"xref\n") : base.rindex(b"startxref\n")]
    line = b"%" + b"-" * 1022 + b"\n"
    lines = max(0, size - len(base)) // len(line)
    with path.open("wb") as out:
        out.write(body)
        for start in range(0, lines, 1024):
            out.write(line * min(1024, lines - start))
        xref = out.tell()
        out.write(b"xref\n" + table + b"startxref\n%d\n%%%%EOF\n" % xref)


def _volume_bytes(server: TempS3) -> int:
    """What the bucket's volumes hold on disk (SeaweedFS names them ``<bucket>_<n>.dat``)."""
    total = 0
    for path in server.root.glob(f"{BUCKET}_*.dat"):
        with contextlib.suppress(FileNotFoundError):  # a volume being replaced
            total += path.stat().st_size
    return total


class Killer(threading.Thread):
    """Kills the server (SIGKILL) once ``after`` bytes of a new upload reached its volumes."""

    def __init__(self, server: TempS3, after: int, timeout: float = 60.0) -> None:
        super().__init__(daemon=True)
        self.server, self.after, self.timeout = server, after, timeout
        self.baseline = _volume_bytes(server)
        self.killed_at: float | None = None
        self.landed = 0  # bytes of the upload in the volumes when the server died
        self.done = threading.Event()

    def run(self) -> None:
        deadline = time.monotonic() + self.timeout
        process = self.server.process
        assert process is not None
        while not self.done.is_set() and time.monotonic() < deadline:
            landed = _volume_bytes(self.server) - self.baseline
            if landed >= self.after:
                process.send_signal(signal.SIGKILL)
                self.killed_at = time.monotonic()
                process.wait()
                self.landed = _volume_bytes(self.server) - self.baseline
                return
            time.sleep(0.002)


@pytest.fixture
def dying_s3() -> Iterator[TempS3]:
    server = TempS3().start()
    try:
        yield server
    finally:
        server.stop()


def _uploader(settings, engine, session_factory, clock, world, server):  # type: ignore[no-untyped-def]
    storage = s3_storage(server, BUCKET)
    app = create_app(
        settings, database=Database(engine, session_factory), clock=clock, storage=storage
    )
    client = app.test_client()
    user = world.users["enterprise_a"]
    assert login(client, user.username, world.password).status_code == 302
    return storage, client


def _token(client, project_id: int) -> str:  # type: ignore[no-untyped-def]
    return csrf_token(client, f"/evidence/projects/{project_id}")


def _post(client, project_id: int, token: str, body):  # type: ignore[no-untyped-def]
    """The multipart body as a browser sends it, encoded here so that its temporary file
    is closed (the test client leaves the one it would make open)."""
    fields = {"csrf_token": token, "files": FileStorage(body, NAME, "files")}
    encoded, length, boundary = stream_encode_multipart(fields)
    with encoded:
        return client.post(
            f"/evidence/projects/{project_id}/items/G03/upload",
            input_stream=encoded,
            content_length=length,
            content_type=f"multipart/form-data; boundary={boundary}",
        )


def _counts(db) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    db.expire_all()
    return (
        db.scalar(select(func.count()).select_from(EvidenceFile)),
        db.scalar(select(func.count()).select_from(StoredFile)),
    )


def test_server_killed_mid_upload_leaves_a_message_no_row_and_no_orphan(
    settings, engine, session_factory, clock, db, ev, dying_s3, tmp_path
) -> None:
    storage, client = _uploader(settings, engine, session_factory, clock, ev.world, dying_s3)
    big = tmp_path / "big.pdf"
    write_padded_pdf(big, 40 * MB)
    token = _token(client, ev.project.id)
    killer = Killer(dying_s3, after=MB)
    killer.start()
    try:
        with big.open("rb") as body:
            response = _post(client, ev.project.id, token, body)
        answered = time.monotonic()
    finally:
        killer.done.set()
        killer.join()
    assert killer.killed_at is not None, "the upload never reached the store"
    assert killer.landed < big.stat().st_size  # it died in the middle of the transfer
    assert answered - killer.killed_at < FAST
    assert response.status_code == 302

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert UNAVAILABLE in page
    assert "已上传" not in page
    assert _counts(db) == (0, 0)

    dying_s3.start()  # the same data directory and ports
    report = reconcile(db, storage, Acting(None, clock()))
    assert report.orphans == [] and report.missing == [] and report.objects == 0
    assert report.ok
    # The store works again: the same file now goes through.
    with big.open("rb") as body:
        assert _post(client, ev.project.id, token, body).status_code == 302
    assert _counts(db) == (1, 1)
    stored = db.scalar(select(StoredFile))
    assert stored is not None and stored.size == big.stat().st_size
    assert reconcile(db, storage, Acting(None, clock())).ok


def test_server_down_before_the_upload_answers_at_once(
    settings, engine, session_factory, clock, db, ev, dying_s3
) -> None:
    _storage, client = _uploader(settings, engine, session_factory, clock, ev.world, dying_s3)
    token = _token(client, ev.project.id)
    assert dying_s3.process is not None
    dying_s3.process.send_signal(signal.SIGKILL)
    dying_s3.process.wait()
    body = io.BytesIO(samples.pdf(["Completion acceptance report"]))
    started = time.monotonic()
    response = _post(client, ev.project.id, token, body)
    assert time.monotonic() - started < FAST
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert UNAVAILABLE in page
    assert _counts(db) == (0, 0)

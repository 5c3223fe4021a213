"""Where an upload's time goes, for ``bench_evidence_upload.py``: each stage of the route
alone on the same file, and one request profiled by stage."""

from __future__ import annotations

import cProfile
import datetime as dt
import io
import pstats
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from upload_client import framing  # this folder's: the body the client sends
from werkzeug.formparser import FormDataParser

from dispatch.evidence import sniff
from dispatch.storage import S3Storage, new_key
from dispatch.storage.base import Metered
from dispatch.storage.s3 import PART_SIZE
from dispatch.web.multipart import FastFormDataParser

MB = 1024 * 1024


class Sink(io.RawIOBase):
    """A file part's stream that keeps nothing (``stream_factory``: any arguments)."""

    def __init__(self, **_part: Any) -> None:
        super().__init__()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        return len(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0


def stages(file: Path, storage: S3Storage, name: str) -> list[tuple[str, float]]:
    """Each stage of the route alone on the same bytes (seconds)."""
    found = []
    preamble, epilogue = framing("stages", {}, name)
    with tempfile.TemporaryFile() as body:
        body.write(preamble)
        with file.open("rb") as f:
            while chunk := f.read(MB):
                body.write(chunk)
        body.write(epilogue)
        body.seek(0)
        held = body.read()  # for the decoding alone: read from memory
        parsers = (
            ("the app: parse the multipart body, spool the file", FastFormDataParser(), body),
            ("  the same with Werkzeug's own parser", FormDataParser(), body),
            ("  the app's decoding alone (from memory to nowhere)", FastFormDataParser(Sink), None),
            ("  Werkzeug's own decoding alone", FormDataParser(Sink), None),
        )
        best: dict[str, float] = {}
        for _round in range(3):  # alternately, the best of three: the first pays for the cache
            for label, parser, source in parsers:
                source = source or io.BytesIO(held)
                source.seek(0)
                environ = {
                    "REQUEST_METHOD": "POST",
                    "CONTENT_TYPE": "multipart/form-data; boundary=stages",
                    "CONTENT_LENGTH": str(len(held)),
                    "wsgi.input": source,
                }
                started = time.perf_counter()
                _stream, _form, files = parser.parse_from_environ(environ)
                best[label] = min(best.get(label, float("inf")), _since(started))
                files["files"].close()
        found.extend(best.items())
    with file.open("rb") as f:
        started = time.perf_counter()
        sniff.sniff(f, "a.pdf", ("pdf",))
        found.append(("sniff (PDF: signature, tail, scan for active content)", _since(started)))
        started = time.perf_counter()
        metered = Metered(f, None)
        while metered.read(PART_SIZE):
            pass
        found.append(("read + SHA-256 as Metered does (part-size reads)", _since(started)))
        f.seek(0)
        key = new_key("bench", dt.datetime.now(dt.UTC))
        started = time.perf_counter()
        storage.put(key, f, content_type="application/pdf")
        found.append(("S3Storage.put (Metered + the SDK's multipart upload)", _since(started)))
        storage.delete(key)
    return found


def _since(started: float) -> float:
    return time.perf_counter() - started


# Where a profiled request spends its time: (label, file suffix, function name).
PROFILED = (
    ("the request (Flask's wsgi_app)", "flask/app.py", "wsgi_app"),
    ("  multipart parse + spool", "dispatch/web/multipart.py", "parse"),
    ("    of which the scan on the way", "dispatch/core/filescan.py", "feed"),
    ("  sniff (from the scan)", "dispatch/evidence/sniff.py", "sniff"),
    # The put runs in its own thread (not profiled): the request waits for its end here.
    ("  waiting for the early put to end", "dispatch/storage/early.py", "take"),
)


def profile(app: Any, upload: Callable[[], object]) -> str:
    """One more ``upload()`` under cProfile (inside the server's thread), by stage."""
    profiler = cProfile.Profile()
    wsgi = app.wsgi_app

    def profiled(environ: dict[str, Any], start_response: Any) -> Any:
        return profiler.runcall(wsgi, environ, start_response)

    app.wsgi_app = profiled
    try:
        upload()
    finally:
        app.wsgi_app = wsgi
    stats = pstats.Stats(profiler)
    cumulative = {
        (file, name): entry[3]
        for (file, _line, name), entry in stats.stats.items()  # type: ignore[attr-defined]
    }
    lines = ["profiled upload (cProfile slows Python code; cumulative seconds):"]
    for label, suffix, name in PROFILED:
        seconds = sum(
            t for (file, fn), t in cumulative.items() if fn == name and file.endswith(suffix)
        )
        lines.append(f"  {seconds:6.2f} s  {label}")
    return "\n".join(lines)

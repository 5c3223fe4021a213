"""Streaming downloads: a finished file sent in chunks, named for every browser.

Exports are written to a temporary file first (so an error is a 500 page, not a cut-off
download) and then streamed from it; the file is closed when the response is done,
whether or not the client read it to the end.
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any
from urllib.parse import quote

from flask import Response, render_template

UNLOGGED = "下载记录未能写入审计日志，请稍后重试。"
CHUNK_BYTES = 64 * 1024
# Files up to this size stay in memory while written; larger ones spill to disk.
SPOOL_BYTES = 8 * 1024 * 1024
# What a quoted-string fallback name may not hold as it is (RFC 6266 §4.1 and appendix D:
# no quotes, backslashes or "%", which some browsers would decode).
_NOT_FALLBACK = re.compile(r"[^A-Za-z0-9 !#$&\'()+,.;=@\[\]^_`{}~-]+")


def ascii_fallback(filename: str) -> str:
    """An ASCII name for clients that ignore ``filename*``: accents and full-width forms
    folded, anything else non-ASCII dropped, unsafe characters replaced, "download" where
    nothing is left but the extension."""
    decomposed = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    stem, dot, extension = decomposed.rpartition(".")
    if not dot:
        stem, extension = decomposed, ""
    stem = _NOT_FALLBACK.sub("-", stem).strip(" -.") or "download"
    extension = _NOT_FALLBACK.sub("", extension)
    return f"{stem}.{extension}" if extension else stem


def content_disposition(filename: str, fallback: str | None = None) -> str:
    """``attachment`` with an ASCII ``filename`` and the real name as RFC 5987 ``filename*``."""
    plain = ascii_fallback(fallback or filename)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


@contextmanager
def spooled() -> Iterator[IO[bytes]]:
    """A temporary file to write a download into; closed if writing it fails (on success
    :func:`send_file_stream` closes it when the response is done)."""
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    try:
        yield out  # type: ignore[misc]
    except BaseException:
        out.close()
        raise


def send_file_stream(
    out: IO[bytes], filename: str, *, mimetype: str, fallback: str | None = None
) -> Response:
    """Stream ``out`` from its start as an attachment; the response closes it."""
    size = out.seek(0, 2)
    out.seek(0)

    def chunks() -> Iterator[bytes]:
        try:
            while chunk := out.read(CHUNK_BYTES):
                yield chunk
        finally:
            out.close()

    response = Response(chunks(), mimetype=mimetype)
    response.headers["Content-Length"] = str(size)
    response.headers["Content-Disposition"] = content_disposition(filename, fallback)
    # Also when the client goes away before the last chunk (closing twice is harmless).
    response.call_on_close(out.close)
    return response


def send_written(
    write: Callable[[IO[bytes]], Any], filename: str, *, mimetype: str, fallback: str | None = None
) -> Response:
    """``write`` a file into a temporary file, then stream it as :func:`send_file_stream`."""
    with spooled() as out:
        write(out)
    return send_file_stream(out, filename, mimetype=mimetype, fallback=fallback)


def _close(thing: object) -> None:
    close = getattr(thing, "close", None)
    if close is not None:
        close()


def send_chunks(chunks: Iterator[bytes], size: int, *, mimetype: str, disposition: str) -> Response:
    """Stream a stored object's ``chunks`` (its storage's reader, closed when the response
    is done) with its exact length; ``disposition`` names it (see :func:`content_disposition`)."""

    def closing() -> Iterator[bytes]:
        try:
            yield from chunks
        finally:
            _close(chunks)

    response = Response(closing(), mimetype=mimetype)
    response.headers["Content-Length"] = str(size)
    response.headers["Content-Disposition"] = disposition
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def unlogged(*opened: object) -> tuple[str, int]:
    """The answer to a download whose audit event could not be written: it is not handed
    out. Closes what was ``opened`` for it (a storage reader, a spooled file)."""
    for thing in opened:
        _close(thing)
    page = render_template("errors/error.html", code=503, title="暂时无法下载", message=UNLOGGED)
    return page, 503

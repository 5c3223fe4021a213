"""Uploaded files as they arrive: spooled to disk, scanned on the way, bounded per file.

Werkzeug parses a multipart body and writes each file's bytes, as they come off the
socket, into a file its request asks for (``Request._get_file_stream``). The app's
:class:`UploadRequest` answers with a :class:`ScannedSpool`: a temporary file on disk
that feeds every piece to a :class:`~dispatch.core.filescan.Scan` (size, head, tail, PDF
active content) while writing it, so the sniffer decides about a 150 MB file without
reading it again, and that stops the transfer as soon as one file passes its limit.

A view says what one file may weigh with :func:`upload_limit`: a function of the route's
arguments (an evidence item's own limit), looked up when the first file part arrives.
Before any byte is read, a body longer than ``files`` such files (plus the form's
fields) is refused from its ``Content-Length``; the app's ``MAX_CONTENT_LENGTH`` bounds
every request. Both refusals are :class:`FileTooLarge` (413) with a Chinese message naming
the file (when known) and the limit.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable
from typing import IO, Any

from flask import Flask, Request, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from dispatch.clock import now
from dispatch.core.filescan import Scan
from dispatch.storage.base import Storage, new_key
from dispatch.storage.early import EarlyPut
from dispatch.web.multipart import FastFormDataParser

MB = 1024 * 1024
FIELDS_ALLOWANCE = MB  # the form's own fields and the multipart framing
Limit = Callable[..., int | None]


def size_text(size: int) -> str:
    """A limit as staff read it: whole MB, or KB below one MB."""
    return f"{size // MB} MB" if size >= MB else f"{max(1, size // 1024)} KB"


class FileTooLarge(RequestEntityTooLarge):
    """A file (or the whole body) over its limit; ``description`` is the Chinese message."""

    def __init__(self, limit: int, name: str | None = None) -> None:
        shown = f"文件“{name}”" if name else "上传的文件"
        super().__init__(f"{shown}超过大小上限 {size_text(limit)}，未能上传")
        self.limit = limit


@dataclasses.dataclass(frozen=True)
class Declared:
    """What a view declared with :func:`upload_limit`."""

    limit: Limit
    files: int
    store_as: str | None
    target: Callable[..., Storage | None] | None


def upload_limit(
    limit: Limit,
    *,
    files: int = 1,
    store_as: str | None = None,
    target: Callable[..., Storage | None] | None = None,
) -> Callable[[Any], Any]:
    """Declare a view's per-file limit: ``limit(**view_args)`` in bytes (None: the app's).

    ``files`` is how many files one request may carry, for the check before reading.
    ``target(**view_args)`` (with the key prefix ``store_as``) names the storage its files
    go to when the signed-in caller may upload there (else None): each file is then put
    while it arrives (dispatch.storage.early) and :func:`dispatch.storage.files.store`
    adopts it. Put the decorator outermost, so that it sits on the function the app
    routes to.
    """

    def decorate(view: Any) -> Any:
        view.upload_limit = Declared(limit, files, store_as, target)
        return view

    return decorate


class ScannedSpool:
    """A spooled upload on disk with the :class:`Scan` of what was written to it, and
    maybe the :class:`EarlyPut` reading it as it grows."""

    def __init__(self, name: str | None, limit: int | None) -> None:
        # Unbuffered: every piece is in the file at once, for the early put's reader.
        self._file: IO[bytes] = tempfile.TemporaryFile("w+b", buffering=0)  # noqa: SIM115 (FileStorage closes it)
        self.scan = Scan()
        self.name, self.limit = name, limit
        self.early: EarlyPut | None = None

    def write(self, data: bytes) -> int:
        self.scan.feed(data)
        if self.limit is not None and self.scan.size > self.limit:
            if self.early is not None:
                self.early.reader.abandon()
            raise FileTooLarge(self.limit, self.name)
        written = 0
        while written < len(data):  # a raw file may take less than it is given
            written += self._file.write(data[written:]) or 0
        if self.early is not None:
            self.early.reader.wrote(written)
        return written

    def __getattr__(self, name: str) -> Any:
        # Everything else (read, seek, tell, close, …) is the temporary file's.
        return getattr(self._file, name)

    def __iter__(self) -> Any:
        return iter(self._file)


class UploadRequest(Request):
    """The app's request: uploads spooled by :class:`ScannedSpool`, bounded per file,
    multipart bodies decoded by python-multipart (dispatch.web.multipart)."""

    form_data_parser_class = FastFormDataParser

    def _declared(self) -> tuple[Declared, int | None] | None:
        view = current_app.view_functions.get(self.endpoint or "")
        declared = getattr(view, "upload_limit", None)
        if not isinstance(declared, Declared):
            return None
        try:
            return declared, declared.limit(**(self.view_args or {}))
        except LookupError:
            return None  # the view answers 404 for what does not exist

    def _load_form_data(self) -> None:
        if "form" in self.__dict__:
            return
        found = self._declared()
        self._upload = found
        self._spools: list[ScannedSpool] = []
        if found is not None and found[1] is not None:
            declared, limit = found
            allowed = limit * declared.files + FIELDS_ALLOWANCE
            if self.content_length is not None and self.content_length > allowed:
                raise FileTooLarge(limit)
        try:
            super()._load_form_data()
        except BaseException:
            for spool in self._spools:
                if spool.early is not None:
                    spool.early.reader.abandon()
            raise
        for spool in self._spools:
            if spool.early is not None:
                spool.early.reader.finish()

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        found = getattr(self, "_upload", None)
        spool = ScannedSpool(filename, found[1] if found else None)
        if found is not None and found[0].target is not None and found[0].store_as:
            storage = found[0].target(**(self.view_args or {}))
            if storage is not None:
                key = new_key(found[0].store_as, now())
                spool.early = EarlyPut(storage, key, spool.fileno(), found[1])
        getattr(self, "_spools", []).append(spool)
        return spool  # type: ignore[return-value]

    def discard_uploads(self) -> None:
        """The request is over: delete what was put early and not adopted, close the
        spools (one refused half-way was never handed to a FileStorage to close)."""
        for spool in getattr(self, "_spools", []):
            if spool.early is not None:
                spool.early.discard()
            spool.close()


def init_uploads(app: Flask) -> None:
    app.request_class = UploadRequest

    @app.teardown_request
    def _discard(_exc: BaseException | None) -> None:
        if isinstance(request, UploadRequest):
            request.discard_uploads()

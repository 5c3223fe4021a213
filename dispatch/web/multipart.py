"""Multipart bodies parsed by python-multipart, into Werkzeug's form and files.

Werkzeug's own decoder is pure Python that copies every piece several times over (into
its buffer, a search of the buffer, the slice it hands out, the buffer's trim), where
python-multipart finds the boundary with ``bytes.find`` in the piece it was given and
hands out offsets into it: decoding the bench's 150 MiB PDF alone takes 0.12–0.13 CPU
seconds against Werkzeug's 0.17–0.22 (bench/bench_evidence_upload.py, "stages"; less
still on bytes that are not runs of dashes like its padding), seconds a large upload
otherwise takes from the storage put running beside it.

Only the decoding changes. The request's :class:`FormDataParser` (its stream factory,
the per-field ``max_form_memory_size``, ``max_form_parts``, silent failure) is Werkzeug's,
and so are the results: a :class:`MultiDict` of fields and one of :class:`FileStorage`,
each file in the stream its factory gave (dispatch.web.uploads spools and scans it).
A malformed body is a ``ValueError`` (answered with an empty form, as before); a field
over its size or a body with too many parts is a 413.

Stricter than Werkzeug in two ways no browser notices: line breaks must be CRLF (RFC
7578) and no text may come before the first boundary. Each part's header lines are
limited in number and length by python-multipart.
"""

from __future__ import annotations

from typing import IO, Any, cast

from python_multipart.multipart import MultipartParser
from werkzeug.datastructures import FileStorage, Headers, MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser, MultiPartParser
from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import File

# Bytes read from the body at a time: under glibc's first mmap threshold (128 KiB), so that
# each piece comes from the heap, not from a mapping of its own, whose page faults cost
# more than the parsing (0.49 instead of 0.18 CPU-s for 150 MiB in 256 KiB pieces where
# the threshold stays at 128 KiB, as bench/bench_evidence_upload.py holds it).
PIECE = 120 * 1024
Parsed = tuple[IO[bytes], MultiDict[str, Any], MultiDict[str, Any]]  # FormDataParser.parse


class _NoBody(Exception):
    """The part just begun ends at its headers; ``rest`` starts with the next delimiter."""

    def __init__(self, rest: bytes) -> None:
        super().__init__("part without a body")
        self.rest = rest


class _Body:
    """The parts of one body, built from python-multipart's callbacks.

    RFC 2046 lets a part end at its headers (``body-part := MIME-part-headers [CRLF
    *OCTET]``), as Werkzeug's test client and some servers send an empty field: the
    delimiter comes right after the line that ends the headers, without the CRLF that
    python-multipart looks for before it, so that it would read the delimiter and the next
    part as this part's data. The first bytes of each part's data are therefore held back
    while they may be ``--boundary`` and a CRLF or ``--``: when they are, the part ends
    empty (:class:`_NoBody`) and a new parser goes on from that delimiter.
    """

    def __init__(self, owner: FastMultiPartParser, boundary: bytes, length: int | None) -> None:
        self.owner, self.content_length = owner, length
        dash = b"--" + boundary
        self._marks = (dash + b"\r\n", dash + b"--")
        self.fields: list[tuple[str, str]] = []
        self.files: list[tuple[str, FileStorage]] = []
        self.parts = 0
        self.ended = False
        self.chunk = b""  # the piece being parsed: the ``data`` of most callbacks
        self._lines: list[tuple[str, str]] = []
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._headers = Headers()
        self._name = ""
        self._filename: str | None = None
        self._stream: IO[bytes] | None = None  # a file part's container
        self._value = bytearray()  # a field's bytes
        self._held: bytearray | None = None  # a part's first bytes, while undecided

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self.part_begin,
            "on_header_field": self.header_field,
            "on_header_value": self.header_value,
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
            "on_end": self.end,
        }

    def part_begin(self) -> None:
        self.parts += 1
        limit = self.owner.max_form_parts
        if limit is not None and self.parts > limit:
            raise RequestEntityTooLarge()
        self._lines = []
        self._stream, self._value = None, bytearray()

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def header_end(self) -> None:
        # Strict UTF-8 as Werkzeug decodes header lines (UnicodeDecodeError: a ValueError).
        name, value = self._header_name.decode(), self._header_value.decode()
        self._lines.append((name.strip(" \t"), value.strip(" \t")))
        self._header_name, self._header_value = bytearray(), bytearray()

    def headers_finished(self) -> None:
        self._headers = Headers(self._lines)
        disposition = self._headers.get("content-disposition")
        if disposition is None:
            raise ValueError("Missing Content-Disposition header")
        _kind, options = parse_options_header(disposition)
        self._name = cast(str, options.get("name"))
        self._filename = options.get("filename")
        if self._filename is not None:
            part = File(name=self._name, filename=self._filename, headers=self._headers)
            self._stream = self.owner.start_file_streaming(part, self.content_length)
        self._held = bytearray()

    def part_data(self, data: bytes, start: int, end: int) -> None:
        if self._held is None:
            self._write(memoryview(data)[start:end])
            return
        held = self._held
        held += memoryview(data)[start:end]
        head = bytes(held[: len(self._marks[0])])
        if any(mark.startswith(head) for mark in self._marks):
            if len(head) < len(self._marks[0]):
                return  # not yet decided
            self._held = None
            self.part_end()
            # What is left of this piece; or all of it, when ``data`` is what
            # python-multipart held back from earlier pieces (a possible delimiter that
            # was not one), which it hands out before any byte of this piece.
            rest = data[end:] if data is self.chunk else self.chunk
            raise _NoBody(bytes(held) + rest)
        self._held = None
        self._write(held)

    def _write(self, data: bytes | bytearray | memoryview) -> None:
        if self._stream is not None:
            self._stream.write(data)  # type: ignore[arg-type]
            return
        self._value += data
        limit = self.owner.max_form_memory_size
        if limit is not None and len(self._value) > limit:
            raise RequestEntityTooLarge()

    def part_end(self) -> None:
        if self._held is not None:  # a short part: its bytes were held back
            held, self._held = self._held, None
            self._write(held)
        if self._stream is not None:
            self._stream.seek(0)
            self.files.append(
                (
                    self._name,
                    FileStorage(self._stream, self._filename, self._name, headers=self._headers),
                )
            )
        else:
            charset = self.owner.get_part_charset(self._headers)
            self.fields.append((self._name, self._value.decode(charset, "replace")))

    def end(self) -> None:
        self.ended = True


class FastMultiPartParser(MultiPartParser):
    """Werkzeug's multipart parser with python-multipart doing the decoding."""

    def parse(
        self, stream: IO[bytes], boundary: bytes, content_length: int | None
    ) -> tuple[MultiDict[str, str], MultiDict[str, FileStorage]]:
        if b"\r" in boundary or b"\n" in boundary:
            raise ValueError("A line break in the boundary")
        body = _Body(self, boundary, content_length)
        parser = MultipartParser(boundary, body.callbacks())
        while data := stream.read(PIECE):
            while True:
                body.chunk = data
                try:
                    parser.write(data)
                    break
                except _NoBody as no_body:
                    parser, data = MultipartParser(boundary, body.callbacks()), no_body.rest
        parser.finalize()
        if not body.ended:
            raise ValueError("The body ends before its closing boundary")
        return self.cls(body.fields), self.cls(body.files)


class FastFormDataParser(FormDataParser):
    """Werkzeug's form parser, its multipart bodies decoded by :class:`FastMultiPartParser`."""

    def parse(
        self,
        stream: IO[bytes],
        mimetype: str,
        content_length: int | None,
        options: dict[str, str] | None = None,
    ) -> Parsed:
        if mimetype != "multipart/form-data":
            return super().parse(stream, mimetype, content_length, options)
        parser = FastMultiPartParser(
            stream_factory=self.stream_factory,
            max_form_memory_size=self.max_form_memory_size,
            max_form_parts=self.max_form_parts,
            cls=self.cls,
        )
        try:
            boundary = (options or {}).get("boundary", "").encode("ascii")
            if not boundary:
                raise ValueError("Missing boundary")
            form, files = parser.parse(stream, boundary, content_length)
        except ValueError:
            if not self.silent:
                raise
            return stream, self.cls(), self.cls()
        return stream, form, files

"""Multipart bodies decoded by python-multipart (dispatch.web.multipart) give what
Werkzeug's own parser gives, keep its limits, and fail as quietly.

The reference is Werkzeug's ``MultiPartParser`` on the same body. Bodies are read in
pieces of every size, as a socket hands them out, so that a boundary, a CRLF or a part
of a boundary lands across two pieces; file contents are made of the bytes that look
most like a boundary.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask, request
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import MultiPartParser
from werkzeug.test import encode_multipart

from dispatch.web.multipart import FastMultiPartParser
from dispatch.web.uploads import init_uploads

BOUNDARY = "----dispatch-test-boundary-7Kq"


class Trickle(io.BytesIO):
    """A body that hands out at most ``step`` bytes per read, as a socket may."""

    def __init__(self, data: bytes, step: int) -> None:
        super().__init__(data)
        self.step = step

    def read(self, size: int | None = -1) -> bytes:
        limit = self.step if size is None or size < 0 else min(size, self.step)
        return super().read(limit)


def _in_memory(**_part: Any) -> io.BytesIO:
    return io.BytesIO()


def _fragments() -> st.SearchStrategy[bytes]:
    """Bytes that a boundary scan can trip over: the delimiter cut short, line breaks,
    dashes, and arbitrary bytes."""
    delimiter = f"\r\n--{BOUNDARY}".encode()
    cut = st.integers(min_value=0, max_value=len(delimiter) - 1).map(lambda n: delimiter[:n])
    return st.one_of(
        cut, st.sampled_from([b"\r", b"\n", b"\r\n", b"-", b"--", b"\r\n\r\n"]), st.binary()
    )


def _parsed(parser_class: type[MultiPartParser], body: bytes, step: int) -> Any:
    parser = parser_class(_in_memory, max_form_memory_size=500_000)
    form, files = parser.parse(Trickle(body, step), BOUNDARY.encode(), len(body))
    return (
        list(form.items(multi=True)),
        [(k, f.filename, f.content_type, f.read()) for k, f in files.items(multi=True)],
    )


@settings(max_examples=300, deadline=None)
@given(
    contents=st.lists(st.lists(_fragments(), max_size=12).map(b"".join), max_size=3),
    names=st.lists(
        st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=12),
        min_size=3,
        max_size=3,
    ),
    values=st.lists(st.one_of(st.just(""), st.text(max_size=40)), min_size=1, max_size=4),
    step=st.integers(min_value=1, max_value=300),
)
def test_bodies_decode_as_werkzeug_decodes_them(
    contents: list[bytes], names: list[str], values: list[str], step: int
):
    # Werkzeug's encoder ends an empty part at its headers (RFC 2046 allows it).
    fields: MultiDict[str, Any] = MultiDict([("csrf_token", values[0])])
    for content, name, value in zip(contents, names, [*values[1:], "", "", ""], strict=False):
        name = name.replace('"', "").replace("\\", "") or "x"
        fields.add("files", FileStorage(io.BytesIO(content), filename=f"{name}.pdf"))
        fields.add("note", value)
    _boundary, body = encode_multipart(fields, boundary=BOUNDARY)
    expected = _parsed(MultiPartParser, body, 64 * 1024)
    assert _parsed(FastMultiPartParser, body, step) == expected
    assert [f[3] for f in expected[1]] == contents  # the reference itself is right


def _body(*parts: bytes, end: bytes = b"--\r\n") -> bytes:
    return b"".join(b"--%s\r\n%s\r\n" % (BOUNDARY.encode(), p) for p in parts) + (
        b"--%s%s" % (BOUNDARY.encode(), end)
    )


FIELD = b'Content-Disposition: form-data; name="csrf_token"\r\n\r\ntoken'
FILE = (
    'Content-Disposition: form-data; name="files"; filename="竣工验收报告.pdf"\r\n'
    "Content-Type: application/pdf\r\n\r\n%PDF-1.7 body"
).encode()


@pytest.fixture
def app() -> Flask:
    app = Flask(__name__)
    init_uploads(app)  # the app's request class, its spools closed after each request
    app.config.update(MAX_FORM_PARTS=5, MAX_FORM_MEMORY_SIZE=1000)

    @app.post("/")
    def form() -> dict[str, Any]:
        return {
            "form": request.form.to_dict(flat=False),
            "files": {k: [f.filename, f.read().decode()] for k, f in request.files.items()},
        }

    return app


def _post(app: Flask, body: bytes) -> Any:
    response = app.test_client().post(
        "/", data=body, content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )
    return response.status_code, response.get_json(silent=True)


def test_the_app_reads_fields_and_files_with_chinese_names(app: Flask):
    assert _post(app, _body(FIELD, FILE)) == (
        200,
        {
            "form": {"csrf_token": ["token"]},
            "files": {"files": ["竣工验收报告.pdf", "%PDF-1.7 body"]},
        },
    )


@pytest.mark.parametrize(
    "body",
    [
        _body(FIELD, FILE, end=b"\r\n"),  # the closing boundary never comes
        _body(FIELD, FILE)[:-40],  # cut off inside the file
        _body(b"X-Other: 1\r\n\r\nno disposition"),
        _body(b'Content-Disposition: form-data; name="\xff\xfe"\r\n\r\nnot UTF-8'),
        _body(FIELD).replace(b"\r\n", b"\n"),  # line breaks must be CRLF (RFC 7578)
        b"preamble text\r\n" + _body(FIELD),
        b"not multipart at all",
    ],
    ids=["unclosed", "truncated", "no-disposition", "not-utf8", "bare-lf", "preamble", "junk"],
)
def test_malformed_bodies_give_an_empty_form(app: Flask, body: bytes):
    assert _post(app, body) == (200, {"form": {}, "files": {}})


def test_a_boundary_missing_from_the_header_gives_an_empty_form(app: Flask):
    response = app.test_client().post("/", data=_body(FIELD), content_type="multipart/form-data")
    assert (response.status_code, response.get_json()) == (200, {"form": {}, "files": {}})


def test_more_parts_than_allowed_is_too_large(app: Flask):
    assert _post(app, _body(*[FIELD] * 5))[0] == 200
    assert _post(app, _body(*[FIELD] * 6))[0] == 413


def test_a_field_over_the_form_memory_limit_is_too_large(app: Flask):
    field = b'Content-Disposition: form-data; name="note"\r\n\r\n'
    assert _post(app, _body(field + b"x" * 1000))[0] == 200
    assert _post(app, _body(field + b"x" * 1001))[0] == 413


def test_files_are_not_held_to_the_form_memory_limit():
    parser = FastMultiPartParser(_in_memory, max_form_memory_size=10)
    body = _body(FILE + b"x" * 100)
    _form, files = parser.parse(io.BytesIO(body), BOUNDARY.encode(), len(body))
    assert len(files["files"].read()) == len("%PDF-1.7 body") + 100
    with pytest.raises(RequestEntityTooLarge):
        parser.parse(io.BytesIO(_body(FIELD + b"x" * 10)), BOUNDARY.encode(), None)

"""Streaming downloads: RFC 6266 names for every browser, and the file closed afterwards."""

from __future__ import annotations

import io
from urllib.parse import unquote

import pytest
from flask import Flask

from dispatch.web.downloads import ascii_fallback, content_disposition, send_file_stream, spooled


@pytest.mark.parametrize(
    ("name", "fallback"),
    [
        ("重点减排工程计划清单（2025年）.xlsx", "(2025).xlsx"),
        ("企业导入模板.xlsx", "download.xlsx"),
        ('Café "report" 100%.xlsx', "Cafe -report- 100.xlsx"),
        ("plain-name.xlsx", "plain-name.xlsx"),
        ("no extension", "no extension"),
    ],
)
def test_ascii_fallback(name: str, fallback: str) -> None:
    assert ascii_fallback(name) == fallback


def test_content_disposition_names_the_file_twice() -> None:
    header = content_disposition("计划清单 (2025).xlsx", "plan-list-2025.xlsx")
    plain, encoded = header.removeprefix("attachment; ").split("; ")
    assert plain == 'filename="plan-list-2025.xlsx"'
    assert encoded.startswith("filename*=UTF-8''") and " " not in encoded
    assert unquote(encoded.removeprefix("filename*=UTF-8''")) == "计划清单 (2025).xlsx"


def test_stream_sends_everything_and_closes_the_file(app: Flask) -> None:
    data = bytes(range(256)) * 1000  # several chunks
    with app.test_request_context(), spooled() as out:
        out.write(data)
    with app.test_request_context():
        response = send_file_stream(out, "数据.bin", mimetype="application/octet-stream")
        assert response.headers["Content-Length"] == str(len(data))
        assert "filename*=UTF-8''%E6%95%B0%E6%8D%AE.bin" in response.headers["Content-Disposition"]
        assert b"".join(response.response) == data
        assert out.closed


def test_response_closed_early_closes_the_file(app: Flask) -> None:
    out = io.BytesIO(b"x" * 10)
    with app.test_request_context():
        response = send_file_stream(out, "a.txt", mimetype="text/plain")
        response.close()
    assert out.closed


def test_failed_write_closes_the_file() -> None:
    with pytest.raises(RuntimeError), spooled() as out:
        out.write(b"partial")
        raise RuntimeError("export failed")
    assert out.closed

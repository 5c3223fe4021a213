"""An item's own size limit holds before and during the transfer, not after it.

The item's limit is made small here (the unit the views multiply the catalog's
``max_file_mb`` by is patched to 1 KiB, so 200 "MB" are 200 KiB); the body is posted from a
stream that counts what the app read of it. A file over the limit is refused once the
bytes past the limit arrive, before the rest of the body is read; a replacement whose body
is longer than one file may be is refused from its Content-Length without reading a byte.
Nothing is stored either way, and the message names the file and the limit.
"""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select

from dispatch.evidence import samples, views_files
from dispatch.storage.current import current_storage
from models import EvidenceFile, StoredFile
from tests.conftest import csrf_token
from tests.evidence.browse import evidence_rows, keys
from tests.evidence.states import evidence_at

KIB = 1024
LIMIT = 200 * KIB  # the item's "200 MB" once the unit is 1 KiB


class Counted(io.BytesIO):
    """A request body that remembers how much of it was read."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.taken = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.taken += len(data)
        return data

    def readline(self, size: int | None = -1) -> bytes:
        data = super().readline(size)
        self.taken += len(data)
        return data

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def,override]
        n = super().readinto(buffer)
        self.taken += n
        return n


def padded_pdf(size: int) -> bytes:
    """A valid PDF of about ``size`` bytes."""
    return samples.pdf(["Padded evidence"], padding=size)


def multipart(token: str, files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = "limit-test-boundary"
    field = 'Content-Disposition: form-data; name="csrf_token"'
    parts = [f"--{boundary}\r\n{field}\r\n\r\n{token}\r\n".encode()]
    for name, data in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            "Content-Type: application/pdf\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@pytest.fixture
def small_items(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views_files, "MB", KIB)


def _post(client, path: str, body: bytes, content_type: str, *, xhr: bool = True):  # type: ignore[no-untyped-def]
    stream = Counted(body)
    headers = {"X-Requested-With": "XMLHttpRequest"} if xhr else {}
    response = client.post(
        path,
        input_stream=stream,
        content_type=content_type,
        content_length=len(body),
        headers=headers,
    )
    return response, stream.taken


def _stored(db) -> int:  # type: ignore[no-untyped-def]
    db.expire_all()
    return db.scalar(select(func.count()).select_from(StoredFile)) or 0


def test_a_file_over_its_items_limit_is_refused_while_it_arrives(
    app, db, ev, login_as, small_items
) -> None:
    client = login_as("enterprise_a")
    token = csrf_token(client, f"/evidence/projects/{ev.project.id}")
    big = padded_pdf(600 * KIB)
    body, content_type = multipart(token, [("竣工验收报告.pdf", big)])
    path = f"/evidence/projects/{ev.project.id}/items/G03/upload"
    response, taken = _post(client, path, body, content_type)
    assert response.status_code == 413
    message = json.loads(response.get_data())["error"]
    assert message == "文件“竣工验收报告.pdf”超过大小上限 200 KB，未能上传"
    # Stopped once the limit was passed: far from the whole body.
    assert LIMIT < taken < LIMIT + 128 * KIB < len(body)
    assert evidence_rows(db, ev.project.id) == [] and _stored(db) == 0 and keys(app) == []
    # A plain form post gets the message on the error page.
    response, _taken = _post(client, path, body, content_type, xhr=False)
    assert response.status_code == 413
    assert "超过大小上限 200 KB" in response.get_data(as_text=True)


def test_a_file_within_its_items_limit_is_stored(app, db, ev, login_as, small_items) -> None:
    client = login_as("enterprise_a")
    token = csrf_token(client, f"/evidence/projects/{ev.project.id}")
    fits = padded_pdf(150 * KIB)
    body, content_type = multipart(token, [("竣工验收报告.pdf", fits)])
    path = f"/evidence/projects/{ev.project.id}/items/G03/upload"
    response, taken = _post(client, path, body, content_type)
    assert response.status_code == 200 and taken == len(body)
    (row,) = evidence_rows(db, ev.project.id)
    assert row.file.size == len(fits)


def test_a_replacement_too_long_to_be_one_file_is_refused_unread(
    app, db, world, login_as, small_items
) -> None:
    with app.app_context():
        filed = evidence_at(db, world, current_storage())
    client = login_as("enterprise_a")
    token = csrf_token(client, f"/evidence/projects/{filed.project_id}")
    big = padded_pdf(1400 * KIB)  # over one file's 200 KiB plus the fields' 1 MiB
    boundary = "limit-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="新版.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + big
        + f"\r\n--{boundary}--\r\n".encode()
    )
    before = _stored(db)
    response, taken = _post(
        client,
        f"/evidence/files/{filed.id}/replace",
        body,
        f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 413 and taken == 0
    assert json.loads(response.get_data())["error"] == "上传的文件超过大小上限 200 KB，未能上传"
    db.expire_all()
    assert _stored(db) == before
    assert db.scalar(select(func.count()).select_from(EvidenceFile)) == 1

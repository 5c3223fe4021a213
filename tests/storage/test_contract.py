"""The storage contract: every backend (memory, a local directory, S3 on a real
SeaweedFS server) stores, streams, lists, refuses and forgets objects the same way."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os

import pytest
import urllib3

from dispatch.storage import ObjectMissing, ObjectTooLarge, Storage, StorageError, new_key

AT = dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.UTC)


class CountingReader(io.BytesIO):
    """Counts what the store read, to prove an oversize body is not read to its end."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.taken = 0

    def read(self, n: int | None = -1) -> bytes:
        data = super().read(n)
        self.taken += len(data)
        return data


class BrokenReader(io.RawIOBase):
    """A client connection that drops after ``after`` bytes."""

    def __init__(self, after: int) -> None:
        self.left = after

    def read(self, n: int = -1) -> bytes:
        if self.left <= 0:
            raise OSError("connection reset by peer")
        size = min(self.left, 64 * 1024 if n is None or n < 0 else n)
        self.left -= size
        return b"x" * size


def test_put_then_read_back_with_size_and_digest(storage: Storage) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)  # several chunks, not a multiple of one
    key = new_key("evidence", AT)
    stored = storage.put(key, io.BytesIO(data), content_type="application/pdf")
    assert (stored.key, stored.size) == (key, len(data))
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert b"".join(storage.open(key)) == data
    info = storage.stat(key)
    assert info.size == len(data) and info.modified.tzinfo is not None
    assert storage.exists(key)


def test_empty_object(storage: Storage) -> None:
    key = new_key("evidence", AT)
    stored = storage.put(key, io.BytesIO(b""))
    assert stored.size == 0 and stored.sha256 == hashlib.sha256(b"").hexdigest()
    assert b"".join(storage.open(key)) == b""


def test_missing_objects(storage: Storage) -> None:
    key = new_key("evidence", AT)
    assert not storage.exists(key)
    with pytest.raises(ObjectMissing):
        storage.stat(key)
    with pytest.raises(ObjectMissing):
        b"".join(storage.open(key))
    storage.delete(key)  # deleting what is not there is not an error


def test_delete_and_list_by_prefix(storage: Storage) -> None:
    a, b = new_key("evidence", AT), new_key("evidence", AT)
    other = new_key("archive", AT)
    for key in (a, b, other):
        storage.put(key, io.BytesIO(key.encode()))
    assert {o.key for o in storage.iter_keys("evidence/")} == {a, b}
    assert {o.key for o in storage.iter_keys()} == {a, b, other}
    storage.delete(a)
    assert not storage.exists(a)
    assert {o.key for o in storage.iter_keys("evidence/")} == {b}


def test_oversize_is_refused_early_and_leaves_nothing(storage: Storage) -> None:
    limit = 1024 * 1024
    body = CountingReader(b"y" * (40 * 1024 * 1024))
    key = new_key("evidence", AT)
    with pytest.raises(ObjectTooLarge) as refused:
        storage.put(key, body, max_size=limit)
    assert "大小上限" in refused.value.message
    assert body.taken < 20 * 1024 * 1024  # stopped long before the end of the body
    assert not storage.exists(key)
    assert list(storage.iter_keys()) == []


def test_a_dropped_upload_leaves_nothing(storage: Storage) -> None:
    key = new_key("evidence", AT)
    with pytest.raises((OSError, StorageError)):
        storage.put(key, BrokenReader(after=2 * 1024 * 1024))  # type: ignore[arg-type]
    assert not storage.exists(key)
    assert list(storage.iter_keys()) == []


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "a//b", "Upper", "中文", ""])
def test_keys_are_the_servers_own(storage: Storage, key: str) -> None:
    with pytest.raises(ValueError):
        storage.put(key, io.BytesIO(b"x"))


def test_generated_keys_are_unique_and_unrelated_to_names() -> None:
    keys = {new_key("evidence", AT) for _ in range(1000)}
    assert len(keys) == 1000
    assert all(
        k.startswith("evidence/2026/11/") and len(k) == len("evidence/2026/11/") + 32 for k in keys
    )


def test_check_answers(storage: Storage) -> None:
    assert storage.check()


def test_presign(storage: Storage) -> None:
    key = new_key("evidence", AT)
    storage.put(key, io.BytesIO(b"%PDF-1.7 test"), content_type="application/pdf")
    url = storage.presign(
        key,
        expires=dt.timedelta(hours=2),
        filename="竣工验收报告.pdf",
        content_type="application/pdf",
    )
    if storage.backend != "s3":
        assert url is None  # streamed through the app
        return
    assert url is not None and "X-Amz-Expires=300" in url  # never longer than 5 minutes
    response = urllib3.PoolManager().request("GET", url)
    assert response.status == 200 and response.data == b"%PDF-1.7 test"
    disposition = response.headers["Content-Disposition"]
    assert "filename*=UTF-8''%E7%AB%A3%E5%B7%A5" in disposition

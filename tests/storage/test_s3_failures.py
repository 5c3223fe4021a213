"""S3 failures arrive fast and in Chinese: a stopped server, a server dying mid-upload."""

from __future__ import annotations

import io
import time

import pytest

from dispatch.storage import StorageError, new_key
from dispatch.storage.s3 import S3Storage, fail_fast_client
from tests.pg import free_port
from tests.s3 import TempS3
from tests.storage.conftest import s3_storage
from tests.storage.test_contract import AT


def test_unreachable_server_fails_in_under_a_second() -> None:
    client = fail_fast_client(f"127.0.0.1:{free_port()}", "k", "s" * 16, secure=False)
    storage = S3Storage(client, "nobody-home")
    started = time.monotonic()
    with pytest.raises(StorageError) as failed:
        storage.put(new_key("evidence", AT), io.BytesIO(b"x" * 1000))
    assert time.monotonic() - started < 1.0
    assert "对象存储服务不可用" in failed.value.message
    with pytest.raises(StorageError):
        storage.check()


class KillingReader(io.RawIOBase):
    """An upload body that stops the server after ``after`` bytes, then keeps going."""

    def __init__(self, server: TempS3, size: int, after: int) -> None:
        self.server, self.left, self.after, self.sent = server, size, after, 0

    def read(self, n: int = -1) -> bytes:
        if self.sent >= self.after and self.server.process and self.server.process.poll() is None:
            self.server.process.kill()
            self.server.process.wait()
        size = min(self.left, 1024 * 1024 if n is None or n < 0 else n)
        self.left -= size
        self.sent += size
        return b"z" * size


def test_server_dying_mid_upload_gives_a_clear_error_quickly() -> None:
    server = TempS3().start()
    try:
        storage = s3_storage(server, "dying")
        body = KillingReader(server, size=40 * 1024 * 1024, after=20 * 1024 * 1024)
        started = time.monotonic()
        with pytest.raises(StorageError) as failed:
            storage.put(new_key("evidence", AT), body)  # type: ignore[arg-type]
        assert time.monotonic() - started < 5.0
        assert "对象存储服务不可用" in failed.value.message
    finally:
        server.stop()

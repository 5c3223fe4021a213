from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from dispatch.storage import LocalStorage, MemoryStorage, S3Storage, Storage
from dispatch.storage.s3 import fail_fast_client
from tests.s3 import TempS3

_buckets = itertools.count()


def s3_storage(server: TempS3, bucket: str | None = None) -> S3Storage:
    client = fail_fast_client(server.endpoint, server.access_key, server.secret_key, secure=False)
    storage = S3Storage(client, bucket or f"test-{next(_buckets)}")
    storage.ensure_bucket()
    return storage


@pytest.fixture(params=["memory", "local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    """Each backend in turn: the contract holds for all three."""
    if request.param == "memory":
        yield MemoryStorage()
    elif request.param == "local":
        yield LocalStorage(tmp_path / "objects")
    else:
        yield s3_storage(request.getfixturevalue("s3_server"))

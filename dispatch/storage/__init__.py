"""Object storage for evidence files: one protocol, three backends.

- :class:`~dispatch.storage.s3.S3Storage`: MinIO or any S3-compatible server (production);
- :class:`~dispatch.storage.local.LocalStorage`: a directory under the instance folder (the
  embedded default);
- :class:`~dispatch.storage.memory.MemoryStorage`: unit tests only.

:func:`make_storage` builds the one the settings name; the app keeps it in
``app.extensions["storage"]`` and :func:`current_storage` returns it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dispatch.storage.base import (
    ObjectInfo,
    ObjectMissing,
    ObjectTooLarge,
    Storage,
    StorageError,
    Stored,
    new_key,
)
from dispatch.storage.local import LocalStorage
from dispatch.storage.memory import MemoryStorage
from dispatch.storage.s3 import S3Storage, fail_fast_client

__all__ = [
    "LocalStorage",
    "MemoryStorage",
    "ObjectInfo",
    "ObjectMissing",
    "ObjectTooLarge",
    "S3Storage",
    "Storage",
    "StorageError",
    "Stored",
    "make_storage",
    "new_key",
]


def make_storage(settings: Any) -> Storage:
    """The backend the (validated) settings choose; S3 gets its bucket created if missing."""
    if settings.storage == "s3":
        client = fail_fast_client(
            settings.s3_endpoint,
            settings.s3_access_key,
            settings.s3_secret_key,
            secure=settings.s3_secure,
            region=settings.s3_region,
        )
        storage = S3Storage(client, settings.s3_bucket)
        storage.ensure_bucket()
        return storage
    root = (
        Path(settings.storage_dir) if settings.storage_dir else settings.instance_path / "evidence"
    )
    return LocalStorage(root)

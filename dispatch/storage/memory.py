"""In-memory storage for unit tests (never selectable by settings)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import IO

from dispatch.storage.base import (
    CHUNK,
    Metered,
    ObjectInfo,
    ObjectMissing,
    Stored,
    check_key,
)


class MemoryStorage:
    backend = "memory"

    def __init__(self) -> None:
        self._objects: dict[str, tuple[bytes, dt.datetime]] = {}

    def put(
        self,
        key: str,
        stream: IO[bytes],
        *,
        content_type: str = "application/octet-stream",
        max_size: int | None = None,
    ) -> Stored:
        metered = Metered(stream, max_size)
        data = b"".join(metered.chunks())
        self._objects[check_key(key)] = (data, dt.datetime.now(dt.UTC))
        return Stored(key, metered.size, metered.sha256)

    def open(self, key: str) -> Iterator[bytes]:
        data = self._get(key)
        return iter([data[i : i + CHUNK] for i in range(0, len(data), CHUNK)] or [b""])

    def _get(self, key: str) -> bytes:
        try:
            return self._objects[key][0]
        except KeyError:
            raise ObjectMissing(key) from None

    def stat(self, key: str) -> ObjectInfo:
        data = self._get(key)
        return ObjectInfo(key, len(data), self._objects[key][1])

    def exists(self, key: str) -> bool:
        return key in self._objects

    def delete(self, key: str) -> None:
        self._objects.pop(key, None)

    def iter_keys(self, prefix: str = "") -> Iterator[ObjectInfo]:
        for key in sorted(self._objects):
            if key.startswith(prefix):
                yield self.stat(key)

    def presign(
        self, key: str, *, expires: dt.timedelta, filename: str, content_type: str
    ) -> str | None:
        return None

    def check(self) -> str:
        return f"内存存储，{len(self._objects)} 个对象"

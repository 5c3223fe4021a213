"""The storage protocol every backend implements, and what they share.

Objects are addressed by keys the server generates (:func:`new_key`), never by uploaded
names. :meth:`Storage.put` reads the body as a stream, computing size and SHA-256 on the
way and stopping as soon as ``max_size`` is passed, so no backend holds a whole file in
memory and an oversize upload leaves nothing behind.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Iterator
from typing import IO, Protocol

CHUNK = 1024 * 1024
# Keys are generated here: lower-case hex and slashes under a known prefix.
KEY_PATTERN = re.compile(r"[a-z0-9][a-z0-9/_-]{0,254}")


class StorageError(Exception):
    """The store failed or refused; ``message`` is Chinese and safe to show."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ObjectTooLarge(StorageError):
    def __init__(self, limit: int):
        super().__init__(f"文件超过大小上限 {limit // (1024 * 1024)} MB")
        self.limit = limit


class ObjectMissing(StorageError):
    def __init__(self, key: str):
        super().__init__("存储中找不到该文件")
        self.key = key


@dataclasses.dataclass(frozen=True)
class Stored:
    """What a put wrote: the key, its size and SHA-256 (hex)."""

    key: str
    size: int
    sha256: str


@dataclasses.dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    modified: dt.datetime


def new_key(prefix: str, at: dt.datetime) -> str:
    """``{prefix}/{yyyy}/{mm}/{32 hex}``: unguessable, unrelated to any uploaded name."""
    return f"{prefix}/{at:%Y}/{at:%m}/{secrets.token_hex(16)}"


def check_key(key: str) -> str:
    if not KEY_PATTERN.fullmatch(key) or ".." in key or "//" in key:
        raise ValueError(f"invalid storage key {key!r}")
    return key


class Metered:
    """A read-through wrapper that hashes, counts and enforces the size limit."""

    def __init__(self, stream: IO[bytes], max_size: int | None):
        self._stream = stream
        self._max = max_size
        self.size = 0
        self._hash = hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        data = self._stream.read(CHUNK if n is None or n < 0 else n)
        self.size += len(data)
        if self._max is not None and self.size > self._max:
            raise ObjectTooLarge(self._max)
        self._hash.update(data)
        return data

    def chunks(self) -> Iterator[bytes]:
        while data := self.read(CHUNK):
            yield data

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()


class Storage(Protocol):
    """What the app asks of object storage."""

    backend: str  # "s3", "local" or "memory": stored with each file row

    def put(
        self,
        key: str,
        stream: IO[bytes],
        *,
        content_type: str = "application/octet-stream",
        max_size: int | None = None,
    ) -> Stored:
        """Write ``stream`` under ``key``; nothing stays behind when it fails."""
        ...

    def open(self, key: str) -> Iterator[bytes]:
        """The object's bytes in chunks (raises :class:`ObjectMissing`)."""
        ...

    def stat(self, key: str) -> ObjectInfo: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove the object; deleting a missing key is not an error."""
        ...

    def iter_keys(self, prefix: str = "") -> Iterator[ObjectInfo]: ...

    def presign(
        self, key: str, *, expires: dt.timedelta, filename: str, content_type: str
    ) -> str | None:
        """A time-limited direct download URL, or None when downloads go through the app."""
        ...

    def check(self) -> str:
        """Raise :class:`StorageError` unless the store answers; a short status otherwise."""
        ...

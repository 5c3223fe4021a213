"""A local directory as object store: the embedded default (under the instance folder).

Each object is a file at its key below the root. A put writes to a temporary file in the
same directory and renames it into place, so a reader never sees half an object and a
failed upload leaves only a temporary file that the next put's cleanup ignores.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from dispatch.storage.base import (
    CHUNK,
    Metered,
    ObjectInfo,
    ObjectMissing,
    StorageError,
    Stored,
    check_key,
)

TEMP_PREFIX = ".upload-"


class LocalStorage:
    backend = "local"

    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(
        self,
        key: str,
        stream: IO[bytes],
        *,
        content_type: str = "application/octet-stream",
        max_size: int | None = None,
    ) -> Stored:
        path = self._path(key)
        metered = Metered(stream, max_size)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
        except OSError as exc:
            raise StorageError(f"文件存储目录不可写：{exc.strerror}") from exc
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in metered.chunks():
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, path)
        except BaseException as exc:
            Path(temp).unlink(missing_ok=True)
            if isinstance(exc, OSError):
                raise StorageError(f"写入文件存储失败：{exc.strerror}") from exc
            raise
        return Stored(key, metered.size, metered.sha256)

    def open(self, key: str) -> Iterator[bytes]:
        path = self._path(key)
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            raise ObjectMissing(key) from None

        def chunks() -> Iterator[bytes]:
            with handle:
                while data := handle.read(CHUNK):
                    yield data

        return chunks()

    def stat(self, key: str) -> ObjectInfo:
        try:
            st = self._path(key).stat()
        except FileNotFoundError:
            raise ObjectMissing(key) from None
        return ObjectInfo(key, st.st_size, dt.datetime.fromtimestamp(st.st_mtime, dt.UTC))

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def iter_keys(self, prefix: str = "") -> Iterator[ObjectInfo]:
        if not self.root.is_dir():
            return
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames.sort()
            for name in sorted(filenames):
                if name.startswith(TEMP_PREFIX):
                    continue
                key = Path(dirpath, name).relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    yield self.stat(key)

    def presign(
        self, key: str, *, expires: dt.timedelta, filename: str, content_type: str
    ) -> str | None:
        return None  # files are streamed through the app

    def check(self) -> str:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(prefix=TEMP_PREFIX, dir=self.root):
                pass
        except OSError as exc:
            raise StorageError(f"文件存储目录不可写：{exc.strerror}") from exc
        return f"本地目录 {self.root}"

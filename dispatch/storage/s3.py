"""S3 storage through the ``minio`` SDK: MinIO in production, any S3-compatible server.

The client fails fast: urllib3 retries are off and timeouts are short, so a stopped
server surfaces in a fraction of a second as a :class:`StorageError` with a Chinese
message, instead of thirteen seconds of silent retries (see the test-infrastructure
note). Original file names never go into object metadata (the SDK refuses non-ASCII
values there); they live in the database row.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterator
from typing import IO, Any
from urllib.parse import quote

import urllib3
from minio import Minio
from minio.error import MinioException, S3Error

from dispatch.storage.base import (
    CHUNK,
    Metered,
    ObjectInfo,
    ObjectMissing,
    ObjectTooLarge,
    StorageError,
    Stored,
    check_key,
)

# The SDK holds each part whole in memory (it hashes it to sign it), those uploading and
# the one being read: its default of three 16 MiB parts uploading made a 150 MB upload
# grow the process by some 80 MB (bench/bench_evidence_upload.py). Two 8 MiB parts keep
# it near 30 MB, as fast against SeaweedFS, and still send one part while the next is
# read and hashed.
PART_SIZE = 8 * 1024 * 1024
PARALLEL_PARTS = 2
UNAVAILABLE = "对象存储服务不可用，请稍后重试或联系系统管理员"
MAX_PRESIGN = dt.timedelta(minutes=5)
# Everything the SDK and its transport raise when the server is gone or answers badly.
TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (
    MinioException,
    urllib3.exceptions.HTTPError,
    OSError,
)


def fail_fast_client(
    endpoint: str,
    access_key: str,
    secret_key: str,
    *,
    secure: bool,
    region: str | None = None,
    connect_timeout: float = 3.0,
    read_timeout: float = 60.0,
) -> Minio:
    http = urllib3.PoolManager(
        retries=urllib3.Retry(total=0),
        timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout),
        maxsize=10,
    )
    return Minio(
        endpoint,
        access_key=access_key,
        secret_key=secret_key,
        secure=secure,
        region=region or None,
        http_client=http,
    )


def _remaining(stream: IO[bytes]) -> int:
    """The bytes left in a seekable stream (an upload spooled to disk), else -1 (unknown).

    Known, the SDK reads each part once at its size; unknown, it reads one byte more per
    part and copies the part again to take it back.
    """
    try:
        if not stream.seekable():
            return -1
        here = stream.tell()
        end = stream.seek(0, os.SEEK_END)
        stream.seek(here)
    except (AttributeError, OSError, ValueError):
        return -1
    return end - here


class S3Storage:
    backend = "s3"

    def __init__(self, client: Minio, bucket: str):
        self.client = client
        self.bucket = bucket

    def ensure_bucket(self) -> None:
        """Create the bucket if it is missing (start-up)."""
        try:
            if not self.client.bucket_exists(self.bucket):
                self.client.make_bucket(self.bucket)
        except TRANSPORT_ERRORS as exc:
            raise StorageError(f"{UNAVAILABLE}（{type(exc).__name__}）") from exc

    def put(
        self,
        key: str,
        stream: IO[bytes],
        *,
        content_type: str = "application/octet-stream",
        max_size: int | None = None,
    ) -> Stored:
        length = _remaining(stream)
        if max_size is not None and length > max_size:
            raise ObjectTooLarge(max_size)
        metered = Metered(stream, max_size)
        try:
            self.client.put_object(
                self.bucket,
                check_key(key),
                metered,  # type: ignore[arg-type]  (read() is all the SDK uses)
                length=length,
                part_size=PART_SIZE,
                content_type=content_type,
                num_parallel_uploads=PARALLEL_PARTS,
            )
        except ObjectTooLarge:
            self._forget(key)
            raise
        except TRANSPORT_ERRORS as exc:
            self._forget(key)
            raise StorageError(UNAVAILABLE) from exc
        return Stored(key, metered.size, metered.sha256)

    def _forget(self, key: str) -> None:
        # The SDK aborts its multipart upload on failure; a single-part object written
        # before the failure is removed here (when the server still answers; otherwise
        # ``dispatch evidence reconcile`` finds it).
        with contextlib.suppress(*TRANSPORT_ERRORS):
            self.client.remove_object(self.bucket, key)

    def open(self, key: str) -> Iterator[bytes]:
        try:
            response = self.client.get_object(self.bucket, key)
        except S3Error as exc:
            if exc.code in ("NoSuchKey", "NoSuchObject"):
                raise ObjectMissing(key) from None
            raise StorageError(UNAVAILABLE) from exc
        except TRANSPORT_ERRORS as exc:
            raise StorageError(UNAVAILABLE) from exc

        def chunks() -> Iterator[bytes]:
            try:
                yield from response.stream(CHUNK)
            except TRANSPORT_ERRORS as exc:
                raise StorageError(UNAVAILABLE) from exc
            finally:
                response.close()
                response.release_conn()

        return chunks()

    def stat(self, key: str) -> ObjectInfo:
        try:
            st = self.client.stat_object(self.bucket, key)
        except S3Error as exc:
            if exc.code in ("NoSuchKey", "NoSuchObject", "ResourceNotFound"):
                raise ObjectMissing(key) from None
            raise StorageError(UNAVAILABLE) from exc
        except TRANSPORT_ERRORS as exc:
            raise StorageError(UNAVAILABLE) from exc
        modified = st.last_modified or dt.datetime.now(dt.UTC)
        return ObjectInfo(key, int(st.size or 0), modified)

    def exists(self, key: str) -> bool:
        try:
            self.stat(key)
        except ObjectMissing:
            return False
        return True

    def delete(self, key: str) -> None:
        try:
            self.client.remove_object(self.bucket, key)
        except TRANSPORT_ERRORS as exc:
            raise StorageError(UNAVAILABLE) from exc

    def iter_keys(self, prefix: str = "") -> Iterator[ObjectInfo]:
        try:
            for obj in self.client.list_objects(self.bucket, prefix=prefix, recursive=True):
                if obj.object_name is None or obj.is_dir:
                    continue
                modified = obj.last_modified or dt.datetime.now(dt.UTC)
                yield ObjectInfo(obj.object_name, int(obj.size or 0), modified)
        except TRANSPORT_ERRORS as exc:
            raise StorageError(UNAVAILABLE) from exc

    def presign(
        self, key: str, *, expires: dt.timedelta, filename: str, content_type: str
    ) -> str | None:
        headers: dict[str, Any] = {
            # RFC 6266 / 5987: the Chinese name percent-encoded as UTF-8.
            "response-content-disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
            "response-content-type": content_type,
        }
        try:
            return self.client.get_presigned_url(
                "GET",
                self.bucket,
                key,
                expires=min(expires, MAX_PRESIGN),
                response_headers=headers,
            )
        except TRANSPORT_ERRORS as exc:
            raise StorageError(UNAVAILABLE) from exc

    def check(self) -> str:
        try:
            if not self.client.bucket_exists(self.bucket):
                raise StorageError(f"存储桶 {self.bucket} 不存在")
        except TRANSPORT_ERRORS as exc:
            raise StorageError(UNAVAILABLE) from exc
        return f"S3 存储桶 {self.bucket}"

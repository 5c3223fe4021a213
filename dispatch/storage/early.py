"""Writing an upload to storage while it is still arriving.

A large upload otherwise costs two transfers one after the other: the body from the
client into a spool on disk, then the spool into storage. :class:`EarlyPut` overlaps
them: as the request's parser appends to the spool (dispatch.web.uploads), a thread
reads what has been written so far (:class:`Growing`) and puts it under a new key. When
the body is complete the object is too, or nearly.

The object is not yet a stored file: :func:`dispatch.storage.files.store` adopts it
(:meth:`EarlyPut.take`) once the file has passed its checks, and the request deletes
whatever it wrote and nobody adopted (:meth:`EarlyPut.discard`). Taken once only: a unit
of work that is rolled back deletes the object (as for any stored file) and its rerun
puts the spool again the ordinary way.
"""

from __future__ import annotations

import contextlib
import os
import threading

from dispatch.storage.base import Storage, StorageError, Stored

WAIT = 60.0  # seconds a reader waits for more bytes before it gives up (a stalled client)


class Abandoned(StorageError):
    """The upload stopped before its end (a refused or broken request)."""

    def __init__(self) -> None:
        super().__init__("上传未完成")


class Growing:
    """Reads a file that another thread is still appending to, by its descriptor.

    ``os.pread`` leaves the writer's file position alone; a read waits until the bytes
    asked for are there or the writer has finished (then it returns what is left, and
    ``b""`` at the end) or abandoned (then it raises :class:`Abandoned`).
    """

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._offset = 0
        self._written = 0
        self._wanted: float = 0  # the reader waits until this much has been written
        self._state = "open"  # open → finished | abandoned
        self._changed = threading.Condition()

    # -- the writer's side -----------------------------------------------------------------

    def wrote(self, n: int) -> None:
        with self._changed:
            self._written += n
            # Woken only once what it waits for is there: not once per piece written.
            if self._written >= self._wanted:
                self._changed.notify_all()

    def finish(self) -> None:
        self._end("finished")

    def abandon(self) -> None:
        self._end("abandoned")

    def _end(self, state: str) -> None:
        with self._changed:
            if self._state == "open":
                self._state = state
            self._changed.notify_all()

    # -- the reader's side -----------------------------------------------------------------

    def read(self, n: int = -1) -> bytes:
        with self._changed:
            while True:
                if self._state == "abandoned":
                    raise Abandoned()
                ready = self._written - self._offset
                if self._state == "finished" or (n > 0 and ready >= n):
                    break
                # All of it (n < 0) is there once finished, which wakes the reader anyway.
                self._wanted = self._offset + n if n > 0 else float("inf")
                if not self._changed.wait(WAIT):
                    raise Abandoned()
        size = ready if n is None or n < 0 else min(n, ready)
        data = os.pread(self._fd, size, self._offset) if size else b""
        self._offset += len(data)
        return data


class EarlyPut:
    """One upload being put while it arrives: started on the spool's descriptor."""

    def __init__(self, storage: Storage, key: str, fd: int, max_size: int | None) -> None:
        self.storage, self.key = storage, key
        self.reader = Growing(fd)
        self._max_size = max_size
        self._result: Stored | None = None
        self._error: BaseException | None = None
        self._taken = False
        self._thread = threading.Thread(target=self._run, name=f"early-put {key}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._result = self.storage.put(
                self.key,
                self.reader,
                max_size=self._max_size,  # type: ignore[arg-type]
            )
        except BaseException as exc:
            self._error = exc

    def take(self, storage: Storage) -> Stored | None:
        """The finished object, for the first caller storing into ``storage``; else None.

        Raises what the put raised (a :class:`StorageError` for a server gone).
        """
        if self._taken or storage is not self.storage:
            return None
        self._taken = True
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result

    def discard(self) -> None:
        """At the request's end: stop reading and delete the object if nobody took it."""
        self.reader.abandon()
        self._thread.join()
        if not self._taken and self._result is not None:
            # Best effort: a store that is down now leaves an orphan for reconcile.
            with contextlib.suppress(StorageError):
                self.storage.delete(self.key)

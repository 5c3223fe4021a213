"""Write the object, then the row; on any failure, delete the object.

:func:`store` is the one way a file enters the system. The object is written first (a
row must never point at nothing), then its :class:`~models.StoredFile` row is added and
flushed in the caller's transaction. The key is remembered on the session: if that
transaction rolls back for any reason — a later check in the same request, a constraint,
a lost race — the object is deleted again, so no view has to clean up. Only a process
dying between the write and the commit can leave an orphan; ``dispatch evidence
reconcile`` finds those.
"""

from __future__ import annotations

import contextlib
from typing import IO

from sqlalchemy import event
from sqlalchemy.orm import Session

from dispatch.audit import Acting
from dispatch.storage.base import Storage, StorageError, new_key
from dispatch.storage.early import EarlyPut
from models import StoredFile

_PENDING = "dispatch.storage.pending"


def store(
    session: Session,
    storage: Storage,
    acting: Acting,
    stream: IO[bytes],
    *,
    original_name: str,
    content_type: str,
    max_size: int | None = None,
    prefix: str = "evidence",
) -> StoredFile:
    """Stream ``stream`` into storage under a new key and add its row (flushed).

    An upload already put while it arrived (``stream.early``, dispatch.storage.early) is
    adopted instead of written again.
    """
    early = getattr(stream, "early", None)
    stored = early.take(storage) if isinstance(early, EarlyPut) else None
    if stored is None:
        stored = storage.put(
            new_key(prefix, acting.at), stream, content_type=content_type, max_size=max_size
        )
    key = stored.key
    session.info.setdefault(_PENDING, []).append((storage, key))
    row = StoredFile(
        backend=storage.backend,
        key=key,
        original_name=original_name,
        content_type=content_type,
        size=stored.size,
        sha256=stored.sha256,
        uploaded_by_id=acting.user.id if acting.user is not None else None,
        uploaded_at=acting.at,
    )
    session.add(row)
    session.flush()
    return row


@event.listens_for(Session, "after_commit")
def _keep(session: Session) -> None:
    session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    for storage, key in session.info.pop(_PENDING, []):
        # Best effort: a store that is down now leaves an orphan for reconcile.
        with contextlib.suppress(StorageError):
            storage.delete(key)

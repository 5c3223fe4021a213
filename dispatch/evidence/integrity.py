"""Storage and rows agree: verify every object's bytes, reconcile objects against rows.

- :func:`verify` re-reads every stored object of the current backend and compares its size
  and SHA-256 with its row;
- :func:`reconcile` lists objects without a row (orphans: a process died between writing
  the object and committing its row) and rows without an object; with ``fix`` it removes
  orphans older than an hour (younger ones may belong to an upload still committing) and
  marks rows whose object is missing (``missing_since``).

Both return a report; the commands print it and exit non-zero on problems.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch import audit
from dispatch.audit import Acting
from dispatch.storage import ObjectMissing, Storage
from models import StoredFile

ORPHAN_GRACE = dt.timedelta(hours=1)
PREFIXES = ("evidence/",)


@dataclasses.dataclass
class VerifyReport:
    checked: int = 0
    bytes: int = 0
    changed: list[str] = dataclasses.field(default_factory=list)  # key: size or digest differs
    missing: list[str] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.changed and not self.missing


def verify(session: Session, storage: Storage) -> VerifyReport:
    report = VerifyReport()
    rows = session.scalars(
        select(StoredFile).where(StoredFile.backend == storage.backend).order_by(StoredFile.id)
    )
    for row in rows:
        report.checked += 1
        digest, size = hashlib.sha256(), 0
        try:
            for chunk in storage.open(row.key):
                digest.update(chunk)
                size += len(chunk)
        except ObjectMissing:
            report.missing.append(row.key)
            continue
        report.bytes += size
        if size != row.size or digest.hexdigest() != row.sha256:
            report.changed.append(row.key)
    return report


@dataclasses.dataclass
class ReconcileReport:
    objects: int = 0
    rows: int = 0
    orphans: list[str] = dataclasses.field(default_factory=list)  # objects without a row
    missing: list[str] = dataclasses.field(default_factory=list)  # rows without an object
    removed: list[str] = dataclasses.field(default_factory=list)
    marked: list[str] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.orphans and not self.missing


def reconcile(
    session: Session, storage: Storage, acting: Acting, *, fix: bool = False
) -> ReconcileReport:
    report = ReconcileReport()
    rows = {
        row.key: row
        for row in session.scalars(select(StoredFile).where(StoredFile.backend == storage.backend))
    }
    report.rows = len(rows)
    seen: set[str] = set()
    for prefix in PREFIXES:
        for info in storage.iter_keys(prefix):
            report.objects += 1
            seen.add(info.key)
            if info.key in rows:
                continue
            report.orphans.append(info.key)
            if fix and info.modified < acting.at - ORPHAN_GRACE:
                storage.delete(info.key)
                report.removed.append(info.key)
    for key, row in rows.items():
        if key in seen:
            if fix and row.missing_since is not None:
                row.missing_since = None  # it came back (restored from a backup)
            continue
        report.missing.append(key)
        if fix and row.missing_since is None:
            row.missing_since = acting.at
            report.marked.append(key)
    if fix:
        audit.record(
            session,
            acting,
            "evidence.reconcile",
            object_type="storage",
            object_id=storage.backend,
            details={
                "orphans": len(report.orphans),
                "removed": len(report.removed),
                "missing": len(report.missing),
                "marked": len(report.marked),
            },
        )
    return report

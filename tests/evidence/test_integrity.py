"""verify finds a changed or missing object; reconcile finds both kinds of drift and fixes
what it may; the archive's layout, table of contents and manifest match its files."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import zipfile

import openpyxl
from sqlalchemy import select

from dispatch.audit import Acting
from dispatch.core.catalog import get_catalog
from dispatch.evidence import integrity, services
from dispatch.evidence.archive import ArchiveStats, stream_archive
from dispatch.storage import LocalStorage, new_key
from models import StoredFile
from tests.conftest import START
from tests.evidence.corpus import GOOD

CATALOG = get_catalog()
LATER = START + dt.timedelta(hours=2)


def _filed(db, storage, ev, item="G03", name="实施方案.pdf", data=None, accept=True):  # type: ignore[no-untyped-def]
    users = ev.world.users
    row = services.upload(
        db, storage, Acting(users["enterprise_a"], START), CATALOG, ev.project, item,
        io.BytesIO(data or GOOD["实施方案.pdf"]), name,
    )  # fmt: skip
    if accept:
        services.review(db, Acting(users["city"], START), row, True, "", version=row.version_id)
    db.commit()
    return row


def test_verify_detects_a_changed_and_a_missing_object(db, ev, store_backend) -> None:
    first, second = _filed(db, store_backend, ev), _filed(db, store_backend, ev, name="b.pdf")
    assert integrity.verify(db, store_backend).ok
    store_backend.put(first.file.key, io.BytesIO(b"%PDF-1.4 tampered %%EOF"))
    store_backend.delete(second.file.key)
    report = integrity.verify(db, store_backend)
    assert report.changed == [first.file.key] and report.missing == [second.file.key]
    assert not report.ok and report.checked == 2


def test_reconcile_finds_orphans_and_missing_rows_and_fixes_them(db, ev, store_backend) -> None:
    kept, lost = _filed(db, store_backend, ev), _filed(db, store_backend, ev, name="b.pdf")
    orphan = new_key("evidence", START)
    store_backend.put(orphan, io.BytesIO(b"left behind by a crash"))
    store_backend.delete(lost.file.key)
    report = integrity.reconcile(db, store_backend, Acting(None, START))
    assert report.orphans == [orphan] and report.missing == [lost.file.key] and not report.ok
    # A young orphan may belong to an upload still committing: --fix leaves it.
    now = dt.datetime.now(dt.UTC)
    report = integrity.reconcile(db, store_backend, Acting(None, now), fix=True)
    assert report.removed == [] and report.marked == [lost.file.key]
    report = integrity.reconcile(
        db, store_backend, Acting(None, now + dt.timedelta(hours=2)), fix=True
    )
    db.commit()
    assert report.removed == [orphan] and not store_backend.exists(orphan)
    assert store_backend.exists(kept.file.key)
    assert db.get(StoredFile, lost.file.id).missing_since is not None  # type: ignore[union-attr]


def test_archive_layout_contents_and_manifest(db, ev, tmp_path) -> None:
    storage = LocalStorage(tmp_path / "objects")
    accepted = _filed(db, storage, ev)
    _filed(db, storage, ev, name="实施方案.pdf", data=GOOD["实施方案.pdf"] + b"\n")  # same name
    waiting = _filed(
        db, storage, ev, item="G05", name="现场照片.jpg", data=GOOD["现场照片.jpg"], accept=False
    )
    stats = ArchiveStats()
    data = b"".join(stream_archive(db, storage, CATALOG, [ev.project], stats=stats))
    archive = zipfile.ZipFile(io.BytesIO(data))
    folder = f"甲区/A2/{ev.project.code}_{ev.project.name}"
    names = set(archive.namelist())
    assert f"{folder}/G03_实施方案/实施方案.pdf" in names
    assert sum(1 for n in names if n.startswith(f"{folder}/G03_实施方案/")) == 2
    assert not any("现场照片" in n for n in names)  # not accepted: left out by default
    assert stats.files == 2
    with archive.open("manifest.csv") as raw:
        rows = list(csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8-sig")))
    assert len(rows) == 2
    for row in rows:
        body = archive.read(row["path"])
        assert hashlib.sha256(body).hexdigest() == row["sha256"] and len(body) == int(row["size"])
    toc = openpyxl.load_workbook(
        io.BytesIO(archive.read(f"{folder}/卷内目录.xlsx")), read_only=True
    )
    values = list(toc.active.iter_rows(values_only=True))
    assert values[0][:3] == ("条目编号", "条目名称", "文件名") and len(values) == 3
    assert accepted.file.sha256 in {r[7] for r in values[1:]}
    everything = b"".join(stream_archive(db, storage, CATALOG, [ev.project], all_files=True))
    assert any(
        waiting.file.original_name in n for n in zipfile.ZipFile(io.BytesIO(everything)).namelist()
    )


def test_archive_is_streamed_in_chunks(db, ev, tmp_path) -> None:
    storage = LocalStorage(tmp_path / "objects")
    big = GOOD["实施方案.pdf"].replace(b"%%EOF", b"%" + b"1" * (3 * 1024 * 1024) + b"\n%%EOF")
    _filed(db, storage, ev, data=big)
    chunks = list(stream_archive(db, storage, CATALOG, [ev.project]))
    assert len(chunks) > 3 and max(len(c) for c in chunks) <= 1024 * 1024 + 4096
    assert db.scalar(select(StoredFile.size)) == len(big)

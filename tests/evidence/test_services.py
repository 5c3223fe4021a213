"""Evidence through the services: upload sniffed and stored, refusals leave nothing,
versions, district pre-review and the city's final review, and completeness."""

from __future__ import annotations

import dataclasses
import hashlib
import io

import pytest
from sqlalchemy import func, select

from dispatch.audit import Acting
from dispatch.core.catalog import get_catalog
from dispatch.errors import DomainError
from dispatch.evidence import checklist, services
from dispatch.storage import MemoryStorage
from models import AuditEvent, ConstructionStatus, EvidenceFile, EvidenceStatus, StoredFile
from tests.conftest import START
from tests.evidence.corpus import GOOD, HOSTILE

CATALOG = get_catalog()


def _upload(db, storage, user, project, item, name, data, **kw):  # type: ignore[no-untyped-def]
    return services.upload(
        db, storage, Acting(user, START), CATALOG, project, item, io.BytesIO(data), name, **kw
    )


def test_upload_stores_the_file_with_its_digest(db, ev, store_backend) -> None:
    data = GOOD["实施方案.pdf"]
    row = _upload(
        db, store_backend, ev.world.users["enterprise_a"], ev.project, "G03", "实施方案.pdf", data
    )
    db.commit()
    assert row.status == EvidenceStatus.UPLOADED and row.current
    assert row.file.sha256 == hashlib.sha256(data).hexdigest()
    assert row.file.content_type == "application/pdf" and row.file.original_name == "实施方案.pdf"
    assert b"".join(store_backend.open(row.file.key)) == data
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "evidence.upload"))
    assert event is not None and event.details["sha256"] == row.file.sha256


@pytest.mark.parametrize(
    ("name", "data", "reason"), HOSTILE, ids=[str(i) for i in range(len(HOSTILE))]
)
def test_hostile_uploads_leave_nothing_behind(db, ev, name, data, reason) -> None:
    storage = MemoryStorage()
    with pytest.raises(DomainError) as refused:
        _upload(db, storage, ev.world.users["enterprise_a"], ev.project, "G03", name, data)
    assert reason in refused.value.message and "文件“" in refused.value.message
    db.rollback()
    assert list(storage.iter_keys()) == []
    assert db.scalar(select(func.count()).select_from(StoredFile)) == 0


def test_item_size_limit_is_enforced(db, ev, monkeypatch) -> None:
    item = services.item_of(CATALOG, ev.project, "G03")
    tiny = dataclasses.replace(item, max_file_mb=1)
    monkeypatch.setattr(services, "item_of", lambda *a: tiny)
    storage = MemoryStorage()
    big = GOOD["实施方案.pdf"].replace(b"%%EOF", b"%" + b"0" * (2 * 1024 * 1024) + b"\n%%EOF")
    with pytest.raises(DomainError, match="大小上限 1 MB"):
        _upload(db, storage, ev.world.users["enterprise_a"], ev.project, "G03", "大.pdf", big)
    assert list(storage.iter_keys()) == []


def test_items_of_other_methods_and_unapproved_projects_are_refused(db, ev) -> None:
    storage = MemoryStorage()
    user = ev.world.users["enterprise_a"]
    with pytest.raises(DomainError, match="不适用"):
        _upload(db, storage, user, ev.project, "A1-02", "a.pdf", GOOD["实施方案.pdf"])
    with pytest.raises(DomainError, match="不能上传"):
        _upload(
            db,
            storage,
            ev.world.users["other_city"],
            ev.other,
            "G03",
            "a.pdf",
            GOOD["实施方案.pdf"],
        )


def test_review_versions_and_completeness(db, ev) -> None:
    storage = MemoryStorage()
    users = ev.world.users
    city, district = Acting(users["city"], START), Acting(users["district_a"], START)
    first = _upload(
        db, storage, users["enterprise_a"], ev.project, "G03", "方案.pdf", GOOD["实施方案.pdf"]
    )
    services.pre_review(db, district, first, False, "缺少盖章页", version=first.version_id)
    assert first.pre_status == EvidenceStatus.REJECTED and first.status == EvidenceStatus.UPLOADED
    with pytest.raises(DomainError, match="必须填写原因"):
        services.review(db, city, first, False, "", version=first.version_id)
    with pytest.raises(DomainError, match="无权"):
        services.review(db, district, first, True, "", version=first.version_id)
    services.review(db, city, first, False, "缺少盖章页", version=first.version_id)
    assert first.status == EvidenceStatus.REJECTED
    second = services.replace(
        db, storage, Acting(users["enterprise_a"], START), CATALOG, first,
        io.BytesIO(GOOD["实施方案.pdf"]), "方案（盖章）.pdf", version=first.version_id,
    )  # fmt: skip
    assert not first.current and second.replaces is first
    list_ = checklist.checklist(db, CATALOG, ev.project)
    assert list_.reached == "plan" and not list_.complete
    services.review(db, city, second, True, "", version=second.version_id)
    g03 = next(
        i
        for s in checklist.checklist(db, CATALOG, ev.project).stages
        for i in s.items
        if i.item.code == "G03"
    )
    assert g03.satisfied and g03.label == "合格"
    assert db.scalar(select(func.count()).select_from(EvidenceFile)) == 2  # nothing deleted


def test_completeness_follows_the_construction_status(db, ev) -> None:
    storage = MemoryStorage()
    users = ev.world.users
    city = Acting(users["city"], START)
    ev.project.construction_status = ConstructionStatus.STABLE_OPERATION
    found = checklist.checklist(db, CATALOG, ev.project)
    assert [s.stage for s in found.stages] == ["plan", "construction", "completion", "operation"]
    needed = [i.item for s in found.stages for i in s.items if checklist.blocking(i.item)]
    for item in needed:
        for n in range(item.min_files):
            row = _upload(
                db,
                storage,
                users["enterprise_a"],
                ev.project,
                item.code,
                f"{item.code}-{n}.pdf",
                GOOD["实施方案.pdf"],
            )
            services.review(db, city, row, True, "", version=row.version_id)
    done = checklist.checklist(db, CATALOG, ev.project)
    assert done.complete and done.progress[0] == done.progress[1] == len(needed)

"""The demo's evidence archive: real files in storage, uploaded and reviewed in the past, in
office hours, as the projects reached each stage, with a mix of complete and incomplete
archives that the checklist agrees with.

Seeded once per case (see tests.demo.seeded): in November, when most projects have reached
construction or operation, and early in January, when the plan list was approved three
weeks ago and last year's closed-out projects carry complete archives.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections import Counter
from collections.abc import Iterator

import filetype
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch.audit import verify_chain
from dispatch.core.catalog import STAGES, get_catalog
from dispatch.demo import seed_demo
from dispatch.evidence import sniff
from dispatch.evidence.checklist import blocking, checklists, reached_stage
from models import (
    AuditEvent,
    ConstructionStatus,
    EvidenceFile,
    EvidenceStatus,
    PlanStatus,
    Project,
    ReductionConfirmation,
    Role,
    StoredFile,
    User,
)
from tests.demo.seeded import SeededDemo, seed_demo_at

UTC = dt.UTC
CASES = {
    "november": dt.datetime(2026, 11, 22, 4, 50, tzinfo=UTC),
    "early-january": dt.datetime(2027, 1, 5, 2, 0, tzinfo=UTC),
}
OFFICE = (dt.time(9, 0), dt.time(17, 30))
BEIJING = dt.timezone(dt.timedelta(hours=8))
# The enterprises with an account upload their own projects' files (dispatch.demo.orgs).
ENTERPRISE_USERS = {"ent_lixia", "ent_shizhong"}


@pytest.fixture(scope="module", params=list(CASES))
def demo(
    request: pytest.FixtureRequest,
    new_database_url,  # type: ignore[no-untyped-def]
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SeededDemo]:
    instance = tmp_path_factory.mktemp("instance")
    seeded = seed_demo_at(new_database_url(), instance, CASES[request.param])
    try:
        yield seeded
    finally:
        seeded.engine.dispose()


@pytest.fixture
def db(demo: SeededDemo) -> Iterator[Session]:
    with demo.session() as session:
        yield session


def _sheets(db: Session) -> list[int]:
    """The calculation sheets the system filed on confirmation (tests.demo.test_demo_accounting)."""
    column = ReductionConfirmation.sheet_evidence_id
    return list(db.scalars(select(column).where(column.is_not(None))))


def _files(db: Session) -> list[EvidenceFile]:
    """The files the demo's users sent (not the system's calculation sheets)."""
    stmt = select(EvidenceFile).where(EvidenceFile.id.not_in(_sheets(db)))
    return list(db.scalars(stmt.order_by(EvidenceFile.id)))


def _archived(db: Session) -> list[Project]:
    """Projects that may hold evidence: in the plan list, or closed out of it."""
    stmt = select(Project).where(Project.plan_status.in_([PlanStatus.APPROVED, PlanStatus.CLOSED]))
    return list(db.scalars(stmt.order_by(Project.id)))


def _read(demo: SeededDemo, key: str) -> bytes:
    return b"".join(demo.storage.open(key))


def test_the_seed_counts_its_files(db: Session, demo: SeededDemo) -> None:
    files = _files(db)
    assert demo.created["evidence_files"] == len(files) >= 100
    assert {ev.project.plan_status for ev in files} <= {PlanStatus.APPROVED, PlanStatus.CLOSED}
    withdrawn = db.scalars(select(Project.id).where(Project.plan_status == PlanStatus.WITHDRAWN))
    assert not {ev.project_id for ev in files} & set(withdrawn)


def test_files_are_in_storage_with_their_size_and_hash(db: Session, demo: SeededDemo) -> None:
    rows = [ev.file for ev in _files(db)]
    stored = db.scalars(select(StoredFile.key)).all()
    assert len(stored) == len({row.id for row in rows}) + len(_sheets(db))
    keys = {info.key for info in demo.storage.iter_keys()}
    assert keys == set(stored)  # no orphan either way
    total = 0
    for row in rows:
        data = _read(demo, row.key)
        assert len(data) == row.size == demo.storage.stat(row.key).size
        assert hashlib.sha256(data).hexdigest() == row.sha256
        assert row.backend == "local"
        assert 0 < row.size <= 16 * 1024  # a few KB each
        total += row.size
    assert total <= 3 * 1024 * 1024
    assert len({row.sha256 for row in rows}) == len(rows)  # every file its own bytes


def test_every_file_sniffs_as_its_declared_type(db: Session, demo: SeededDemo) -> None:
    catalog = get_catalog()
    kinds: Counter[str] = Counter()
    for ev in _files(db):
        row = ev.file
        data = _read(demo, row.key)
        assert filetype.guess(data).mime == row.content_type
        item = next(
            i for i in catalog.type(ev.project.type_code).evidence_items if i.code == ev.item_code
        )
        found = sniff.sniff(io.BytesIO(data), row.original_name, item.formats)
        assert found.content_type == row.content_type
        assert found.format in item.formats
        # Chinese names, never the key: "环评批复.pdf", "现场照片-改造前.jpg".
        assert any("\u4e00" <= ch <= "\u9fff" for ch in row.original_name)
        assert row.original_name not in row.key
        kinds[row.content_type] += 1
        if ev.item_code == "G05":
            assert row.content_type in ("image/jpeg", "image/png")
        if ev.item_code in ("G02", "G03", "G04", "G06"):
            assert row.content_type == "application/pdf"
    assert set(kinds) == {"application/pdf", "image/jpeg", "image/png"}
    names = {ev.file.original_name for ev in _files(db)}
    assert {"环评批复.pdf", "实施方案.pdf"} <= names


def _status_at(project: Project, at: dt.datetime) -> ConstructionStatus:
    """The project's construction status at ``at``, from its approved progress history."""
    moves = sorted(
        (e.occurred_at, e.changes["construction_status"])
        for e in project.events
        if e.action == "progress" and "construction_status" in (e.changes or {})
    )
    if not moves:
        return project.construction_status
    status = moves[0][1][0]  # as filed, before the first move
    for when, (_before, after) in moves:
        if when < at:
            status = after
    return ConstructionStatus(status)


def test_files_follow_approval_and_stages_in_office_hours(db: Session, demo: SeededDemo) -> None:
    catalog = get_catalog()
    for ev in _files(db):
        project = ev.project
        times = [ev.created_at, ev.pre_reviewed_at, ev.reviewed_at]
        for at in [t for t in times if t is not None]:
            assert project.approved_at is not None and project.approved_at < at < demo.now
            assert OFFICE[0] <= at.astimezone(BEIJING).time() <= OFFICE[1]
        assert ev.file.uploaded_at == ev.created_at
        if ev.pre_reviewed_at is not None:
            assert ev.created_at < ev.pre_reviewed_at
        if ev.reviewed_at is not None:
            assert max(ev.created_at, ev.pre_reviewed_at or ev.created_at) < ev.reviewed_at
        if ev.replaces is not None:
            assert ev.replaces.reviewed_at is not None
            assert ev.replaces.reviewed_at < ev.created_at
        # An item's files come once the project has reached the item's stage.
        item = next(
            i for i in catalog.type(project.type_code).evidence_items if i.code == ev.item_code
        )
        reached = reached_stage(_status_at(project, ev.created_at))
        assert STAGES.index(item.stage) <= STAGES.index(reached), (project.code, item.code)
        if ev.report is not None:
            assert ev.report.reviewed_at is not None and ev.report.reviewed_at < ev.created_at
    # Files for later stages are there too, not only the plan's.
    stages = {
        i.stage
        for ev in _files(db)
        for i in get_catalog().type(ev.project.type_code).evidence_items
        if i.code == ev.item_code
    }
    # In November every stage has files; in January the plan's and the closed-out projects'.
    expected = set(STAGES) if demo.now.month == 11 else {"plan", "operation"}
    assert expected <= stages


def test_uploaders_and_reviewers_are_the_demo_users(db: Session) -> None:
    district_users = {
        u.region_id: u for u in db.scalars(select(User).where(User.role == Role.DISTRICT))
    }
    enterprise_users = {
        u.enterprise_id: u for u in db.scalars(select(User).where(User.role == Role.ENTERPRISE))
    }
    for ev in _files(db):
        uploader = ev.file.uploaded_by
        project = ev.project
        # The enterprise if it has an account, else its district's user, else the city.
        expected = enterprise_users.get(project.enterprise_id) or district_users.get(
            project.district_id
        )
        assert uploader is not None
        assert uploader.username == (expected.username if expected else "city"), project.code
        if uploader.role == Role.ENTERPRISE:
            assert uploader.username in ENTERPRISE_USERS
        if ev.pre_reviewed_by is not None:
            # The district pre-reviews what an enterprise sent.
            assert ev.pre_reviewed_by.role == Role.DISTRICT
            assert uploader.role == Role.ENTERPRISE
        if ev.reviewed_by is not None:
            assert ev.reviewed_by.username == "city"
    pre = [ev for ev in _files(db) if ev.pre_status is not None]
    assert {ev.pre_status for ev in pre} == {EvidenceStatus.ACCEPTED, EvidenceStatus.REJECTED}
    assert all(ev.pre_reason for ev in pre if ev.pre_status == EvidenceStatus.REJECTED)


def test_archives_mix_complete_missing_rejected_and_awaiting(db: Session) -> None:
    projects = _archived(db)
    found = checklists(db, get_catalog(), projects)
    complete = [p for p in projects if found[p.id].complete]
    labels = {
        p.id: {
            state.label
            for stage in found[p.id].stages
            for state in stage.items
            if blocking(state.item)
        }
        for p in projects
    }
    missing = [p for p in projects if "缺失" in labels[p.id]]
    rejected = [p for p in projects if "不合格" in labels[p.id]]
    awaiting = [p for p in projects if "待审核" in labels[p.id]]
    assert len(complete) >= 10
    assert len(missing) >= 3 and len(rejected) >= 2 and len(awaiting) >= 2
    assert len(complete) > len(projects) // 3
    # Complete archives of every stage reached so far: some beyond the plan stage.
    assert {found[p.id].reached for p in complete} - {"plan"}
    # Closed-out projects (运行阶段档案齐全) are complete through operation.
    closed = [p for p in projects if p.plan_status == PlanStatus.CLOSED]
    assert closed and all(found[p.id].complete_through("operation") for p in closed)


def test_rejected_files_carry_reasons_and_one_was_replaced(db: Session) -> None:
    files = _files(db)
    rejected = [ev for ev in files if ev.status == EvidenceStatus.REJECTED]
    assert len(rejected) >= 3
    for ev in rejected:
        assert ev.review_reason and any("\u4e00" <= ch <= "\u9fff" for ch in ev.review_reason)
    still = [ev for ev in rejected if ev.current]
    assert still  # the uploader has something to fix
    versions = [ev for ev in files if ev.replaces is not None]
    assert versions
    for new in versions:
        old = new.replaces
        assert old is not None and not old.current and new.current
        assert old.status == EvidenceStatus.REJECTED
        assert new.status == EvidenceStatus.ACCEPTED
        assert new.item_code == old.item_code and new.project_id == old.project_id
        assert new.file.original_name == old.file.original_name
        assert new.file.sha256 != old.file.sha256
        assert new.note


def test_some_files_await_review(db: Session, demo: SeededDemo) -> None:
    waiting = [ev for ev in _files(db) if ev.status == EvidenceStatus.UPLOADED]
    assert len(waiting) >= 5
    assert all(ev.reviewed_at is None and ev.current for ev in waiting)
    # Sent in the last days: the late uploaders.
    assert max(ev.created_at for ev in waiting) > demo.now - dt.timedelta(days=10)


def test_the_checklist_agrees_with_the_files(db: Session) -> None:
    """Completeness counted straight from the rows, as engineering-types.md defines it."""
    catalog = get_catalog()
    projects = _archived(db)
    found = checklists(db, catalog, projects)
    accepted = Counter(
        (ev.project_id, ev.item_code)
        for ev in _files(db)
        if ev.current and ev.status == EvidenceStatus.ACCEPTED
    )
    for project in projects:
        reached = reached_stage(project.construction_status)
        items = catalog.type(project.type_code).items_up_to(reached, project.method)
        complete = all(accepted[(project.id, i.code)] >= i.min_files for i in items if blocking(i))
        assert found[project.id].complete == complete, project.code
        assert found[project.id].reached == reached


def test_audit_chain_verifies_with_the_evidence_events(db: Session) -> None:
    assert verify_chain(db).ok
    times = db.scalars(select(AuditEvent.occurred_at).order_by(AuditEvent.id)).all()
    assert times == sorted(times)
    actions = Counter(
        dict(
            db.execute(
                select(AuditEvent.action, func.count())
                .where(AuditEvent.action.startswith("evidence."))
                .group_by(AuditEvent.action)
            ).all()
        )
    )
    files = _files(db)
    versions = sum(1 for ev in files if ev.replaces_id is not None)
    assert actions["evidence.upload"] + actions["evidence.replace"] == len(files)
    assert actions["evidence.replace"] == versions
    assert actions["evidence.accept"] == sum(ev.status == EvidenceStatus.ACCEPTED for ev in files)
    assert actions["evidence.reject"] == sum(ev.status == EvidenceStatus.REJECTED for ev in files)
    assert actions["evidence.pre_review"] == sum(ev.pre_status is not None for ev in files)


def test_a_second_run_stores_nothing(demo: SeededDemo) -> None:
    keys = sorted(info.key for info in demo.storage.iter_keys())
    with demo.session() as session:
        before = session.scalar(select(func.count()).select_from(EvidenceFile))
        again = seed_demo(session)
        session.commit()
        after = session.scalar(select(func.count()).select_from(EvidenceFile))
    assert again["evidence_files"] == 0 and set(again.values()) == {0}
    assert after == before
    assert sorted(info.key for info in demo.storage.iter_keys()) == keys

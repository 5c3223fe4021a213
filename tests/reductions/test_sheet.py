"""The calculation sheet (削减量计算书) filed on confirmation: its PDF's text, its place in
the archive under the system item, a correction's sheet replacing the old one, and the
object in each storage backend passing ``dispatch evidence verify``."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from dispatch.core.catalog import get_catalog
from dispatch.evidence import checklist as checklists
from dispatch.evidence import integrity
from dispatch.reductions import sheet as sheets
from dispatch.storage import LocalStorage, MemoryStorage, Storage
from models import AuditEvent, ConfirmationStatus, EvidenceFile, EvidenceStatus
from tests.conftest import START
from tests.reductions.states import confirm, drafted_project, enter, stable_project
from tests.storage.conftest import s3_storage

LATER = START.replace(month=12)
# 500000 Nm³/h × (150 − 50) mg/Nm³ × 7920 h × 10⁻⁹ = 396 t/a; 9 months of 2025 credited.
FORMULA = "NOx = 500000 Nm³/h × (150 − 50) mg/Nm³ × 7920 h × 10⁻⁹ = 396.0000 t/a"
CREDIT = "297.0000"


@pytest.fixture(params=["memory", "local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    if request.param == "memory":
        return MemoryStorage()
    if request.param == "local":
        return LocalStorage(tmp_path / "objects")
    return s3_storage(request.getfixturevalue("s3_server"))


def pdf_text(data: bytes) -> str:
    """The PDF's text with all white space removed (lines wrap where the page ends)."""
    assert data.startswith(b"%PDF-")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", "", text)


def _bytes(storage: Storage, ev: EvidenceFile) -> bytes:
    return b"".join(storage.open(ev.file.key))


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_confirming_files_the_sheet_with_formula_and_result(db, world, store) -> None:
    project = drafted_project(db, world)
    row = confirm(db, world, project, storage=store)
    ev = row.sheet_evidence
    assert ev is not None and ev.id == row.sheet_evidence_id
    item = get_catalog().type(project.type_code).system_item
    assert item is not None and item.code == "G08" and item.name_zh == "削减量计算书"
    assert (ev.project_id, ev.item_code, ev.status, ev.current) == (
        project.id, "G08", EvidenceStatus.ACCEPTED, True,
    )  # fmt: skip
    assert ev.replaces_id is None and ev.reviewed_by_id == world.users["city"].id
    assert ev.file.original_name == f"削减量计算书_{project.code}-2025-V1.pdf"
    assert ev.file.content_type == "application/pdf" and ev.file.backend == store.backend
    text = pdf_text(_bytes(store, ev))
    for shown in (
        "削减量计算书", project.code, project.name, "甲区化工有限公司", FORMULA,
        f"2025年当年减排量NOx=396.0000t/a×9/12={CREDIT}t", "年削减能力", "396.0000t/a",
        f"{CREDIT}t", "months_after_stable", "计入9个月", row.fingerprint[:32],
        "标态干烟气量", "Nm³/h", "实际运行参数", "2025-03-15", "第1版",
        "核定", world.users["city"].display_name, "（北京时间）",
    ):  # fmt: skip
        assert _squeezed(shown) in text, shown
    # The stored object is a normal evidence object: verify reads it back unchanged.
    # (The archive's other files are rows only, tests.reductions.states: "missing" here.)
    report = integrity.verify(db, store)
    assert not report.changed and ev.file.key not in report.missing
    assert report.checked >= 1 and report.bytes == ev.file.size
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "accounting.confirm"))
    assert event is not None and event.details["sheet"] == {
        "evidence": ev.id, "sha256": ev.file.sha256,
    }  # fmt: skip


def test_a_correction_files_a_new_sheet_replacing_the_old(db, world) -> None:
    storage = MemoryStorage()
    project = drafted_project(db, world)
    first = confirm(db, world, project, storage=storage)
    old_sheet = first.sheet_evidence
    assert old_sheet is not None
    params = {"gas_flow": "400000", "nox_before": "150", "nox_after": "50", "hours": "7920"}
    enter(db, world, project, params=params, reason="CEMS 烟气量复核后更正")
    second = confirm(db, world, project, at=LATER, storage=storage)
    db.expire_all()
    assert first.status == ConfirmationStatus.SUPERSEDED
    new_sheet = second.sheet_evidence
    assert new_sheet is not None and new_sheet.id != old_sheet.id
    assert new_sheet.replaces_id == old_sheet.id and new_sheet.current
    assert not old_sheet.current and old_sheet.status == EvidenceStatus.ACCEPTED
    # The old sheet stays, object and row: the archive keeps the history.
    assert _bytes(storage, old_sheet).startswith(b"%PDF-")
    assert first.sheet_evidence_id == old_sheet.id
    text = pdf_text(_bytes(storage, new_sheet))
    assert _squeezed("NOx = 400000 Nm³/h × (150 − 50) mg/Nm³ × 7920 h × 10⁻⁹ = 316.8000") in text
    assert _squeezed("本版本更正并取代第 1 版") in text and "CEMS烟气量复核后更正" in text
    assert "第2版" in text
    # One current sheet for the year under the item; the checklist counts it.
    found = checklists.checklist(db, get_catalog(), project)
    state = next(s for st in found.stages for s in st.items if s.item.code == "G08")
    assert [f.id for f in state.files] == [new_sheet.id] and state.label == "合格"


def test_each_year_keeps_its_own_current_sheet(db, world) -> None:
    storage = MemoryStorage()
    project = drafted_project(db, world)
    first = confirm(db, world, project, storage=storage)
    enter(db, world, project, year=2026)
    second = confirm(db, world, project, year=2026, storage=storage)
    db.expire_all()
    assert second.sheet_evidence.replaces_id is None
    assert first.sheet_evidence.current and second.sheet_evidence.current


def test_the_sheet_data_names_units_and_sources(db, world) -> None:
    project = drafted_project(db, world)
    row = confirm(db, world, project)
    sheet = sheets.build(get_catalog(), row)
    assert next((p.label, p.value, p.unit) for p in sheet.parameters) == (
        "标态干烟气量", "500000", "Nm³/h",
    )  # fmt: skip
    assert all(p.source.startswith("实际运行参数") for p in sheet.parameters)
    assert sheet.results[0].formula[0] == FORMULA and sheet.results[0].credit == CREDIT
    assert sheet.correction == ()


def test_a_failing_store_leaves_the_confirmation_undone(db, world) -> None:
    from dispatch.errors import DomainError
    from dispatch.storage import StorageError

    class Down(MemoryStorage):
        def put(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            raise StorageError("存储服务不可用")

    project = drafted_project(db, world)
    with pytest.raises(DomainError) as refused:
        confirm(db, world, project, storage=Down())
    assert "削减量计算书未能存入" in refused.value.message
    db.rollback()
    rows = db.scalars(select(EvidenceFile).where(EvidenceFile.item_code == "G08")).all()
    assert rows == []
    from dispatch.reductions import services

    assert services.current_confirmation(db, project, 2025) is None
    assert services.open_draft(db, project, 2025) is not None


# Fuel elimination without the natural gas factor: the engine takes it from the table.
FUEL = {"fuel_use": "10000", "nox_factor": "2.0", "nox_removal": "0", "substitute_gas": "50"}


def test_a_table_coefficient_names_its_table_and_the_example_caveat(db, world) -> None:
    project = stable_project(
        db, world, type_code="A2", method="fuel_elimination", params=dict(FUEL)
    )
    enter(db, world, project, params=dict(FUEL))
    storage = MemoryStorage()
    row = confirm(db, world, project, storage=storage)
    sheet = sheets.build(get_catalog(), row)
    (gas,) = [c for c in sheet.coefficients if c.label == "天然气NOx产生系数"]
    assert (gas.value, gas.unit) == ("17.6", "kg/万m³")
    assert gas.source.startswith("系数表 gas_nox")
    assert "示例默认值，应以本省发布的系数为准" in gas.source
    # 10000 t/a × 2.0 kg/t × (1 − 0/100) × 10⁻³ − 50 万m³/a × 17.6 kg/万m³ × 10⁻³
    assert "17.6" in sheet.results[0].formula[0] and "19.1200" in sheet.results[0].formula[0]
    text = pdf_text(_bytes(storage, row.sheet_evidence))
    assert "系数表gas_nox" in text and "示例默认值" in text

"""The calculation sheet through the pages: the printable page, the audited PDF download,
and the system item in the archive (no upload offered or accepted, never blocking 核定)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from dispatch.audit import Acting
from dispatch.core.catalog import get_catalog
from dispatch.errors import DomainError
from dispatch.evidence import checklist as checklists
from dispatch.evidence import services as evidence
from dispatch.reductions import services
from dispatch.storage import MemoryStorage
from dispatch.storage.current import current_storage
from models import AuditEvent, EvidenceFile
from tests.conftest import START, csrf_token
from tests.evidence.corpus import GOOD
from tests.reductions.states import confirm, drafted_project, stable_project
from tests.reductions.test_sheet import CREDIT, FORMULA, pdf_text


def _confirmed(app, db, world):  # type: ignore[no-untyped-def]
    with app.app_context():
        project = drafted_project(db, world)
        row = confirm(db, world, project, storage=current_storage())
        return project, row, current_storage()


def test_the_printable_page_shows_the_sheet(app, db, world, login_as) -> None:
    project, row, _storage = _confirmed(app, db, world)
    client = login_as("district_a")
    page = client.get(f"/reductions/confirmations/{row.id}/sheet")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for shown in ("削减量计算书", project.code, FORMULA, f"{CREDIT} t", "稳定运行次月起按月折算"):
        assert shown in html, shown
    assert f'href="/reductions/confirmations/{row.id}/sheet.pdf"' in html
    assert "css/sheet.css" in html and "no-print" in html


def test_the_pdf_download_is_the_filed_sheet_and_is_audited(app, db, world, login_as) -> None:
    _project, row, storage = _confirmed(app, db, world)
    filed = row.sheet_evidence
    assert filed is not None
    client = login_as("city")
    response = client.get(f"/reductions/confirmations/{row.id}/sheet.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_data()
    assert data == b"".join(storage.open(filed.file.key))
    assert FORMULA.replace(" ", "") in pdf_text(data)
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "accounting.sheet_download"))
    assert event is not None and event.object_id == str(row.id)
    assert event.actor_id == world.users["city"].id
    assert event.details["evidence"] == filed.id and event.details["sha256"] == filed.file.sha256


def test_another_district_gets_not_found_and_nothing_is_audited(app, db, world, login_as):  # type: ignore[no-untyped-def]
    _project, row, _storage = _confirmed(app, db, world)
    client = login_as("district_b")
    assert client.get(f"/reductions/confirmations/{row.id}/sheet.pdf").status_code == 404
    assert client.get(f"/reductions/confirmations/{row.id}/sheet").status_code == 404
    count = select(func.count()).select_from(AuditEvent)
    assert db.scalar(count.where(AuditEvent.action == "accounting.sheet_download")) == 0


def test_users_cannot_upload_to_the_system_item(app, db, world, login_as) -> None:
    with app.app_context():
        project = stable_project(db, world)
    acting = Acting(world.users["enterprise_a"], START)
    with pytest.raises(DomainError) as refused:
        evidence.upload(
            db, MemoryStorage(), acting, get_catalog(), project, "G08",
            io.BytesIO(GOOD["实施方案.pdf"]), "计算书.pdf",
        )  # fmt: skip
    assert "由系统在市局核定减排量时自动生成" in refused.value.message
    db.rollback()
    client = login_as("enterprise_a")
    page = f"/evidence/projects/{project.id}"
    response = client.post(
        f"{page}/items/G08/upload",
        data={
            "csrf_token": csrf_token(client, page),
            "files": (io.BytesIO(GOOD["实施方案.pdf"]), "计算书.pdf"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "不能上传" in html
    stmt = select(func.count()).select_from(EvidenceFile).where(EvidenceFile.item_code == "G08")
    assert db.scalar(stmt) == 0
    # The checklist offers no upload form for the item, and says who fills it.
    item_html = html[html.index(' id="item-G08"') :]
    item_html = item_html[: item_html.index(' id="item-', 10)]
    assert 'data-testid="system-item"' in item_html and "upload-form" not in item_html
    assert "核定后生成" in item_html
    other = html[html.index(' id="item-G07"') :]
    assert "upload-form" in other[: other.index(' id="item-', 10)]


def test_the_confirm_check_ignores_the_sheet_item(app, db, world) -> None:
    with app.app_context():
        project = stable_project(db, world)  # every blocking item accepted, G08 empty
    catalog = get_catalog()
    item = catalog.type(project.type_code).system_item
    assert item is not None and item.requirement == "required" and item.stage == "operation"
    assert not checklists.blocking(item)
    found = checklists.checklist(db, catalog, project)
    assert found.complete_through("operation")
    assert "G08" not in [
        s.item.code for st in found.stages for s in st.items if checklists.blocking(s.item)
    ]
    assert services.blocked_reasons(db, catalog, project) == []


def test_every_type_defines_the_system_sheet_item() -> None:
    for etype in get_catalog().types:
        item = etype.system_item
        assert item is not None and item.name_zh == "削减量计算书", etype.code
        assert item.stage == "operation" and item.formats == ("pdf",)
        for method in etype.methods:
            assert item in etype.items_for("operation", method)

"""Downloading and previewing evidence: scope, audit, headers, exact bytes, missing objects,
and the S3 path (upload through the page, download by a presigned URL that works)."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
import urllib3
from sqlalchemy import select

from dispatch.app import create_app
from dispatch.db import Database
from dispatch.evidence.views_download import PREVIEW_CSP
from dispatch.storage.current import current_storage
from models import AuditEvent, EvidenceFile
from tests.conftest import csrf_token
from tests.evidence.browse import signed_in
from tests.evidence.corpus import GOOD
from tests.evidence.states import PDF, evidence_at
from tests.storage.conftest import s3_storage

NAME = "实施方案.pdf"


def _events(db, action: str) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    db.expire_all()
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.fixture
def filed(app, db, world) -> EvidenceFile:  # type: ignore[no-untyped-def]
    with app.app_context():
        return evidence_at(db, world, current_storage())


def test_download_is_the_exact_bytes_as_an_attachment_and_audited(app, db, world, filed) -> None:
    response = signed_in(app, world, "enterprise_a").get(f"/evidence/files/{filed.id}/download")
    assert response.status_code == 200
    assert response.get_data() == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Length"] == str(len(PDF))
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    assert f"filename*=UTF-8''{quote(NAME)}" in disposition
    assert response.headers["Cache-Control"] == "no-store"
    (event,) = _events(db, "evidence.download")
    assert event.object_id == str(filed.id) and event.actor_id == world.users["enterprise_a"].id
    assert event.details["sha256"] == filed.file.sha256 and event.details["via"] == "app"


def test_preview_is_inline_sandboxed_and_audited(app, db, world, filed) -> None:
    for key in ("enterprise_a", "district_a", "city"):
        response = signed_in(app, world, key).get(f"/evidence/files/{filed.id}/preview")
        assert response.status_code == 200, key
        assert response.get_data() == PDF
        assert response.headers["Content-Security-Policy"] == PREVIEW_CSP
        assert response.headers["Content-Security-Policy"].startswith("sandbox;")
        assert response.headers["Content-Disposition"].startswith("inline;")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert len(_events(db, "evidence.preview")) == 3
    # Every other page keeps the site's own policy.
    page = signed_in(app, world, "city").get(f"/evidence/projects/{filed.project_id}")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


def test_only_pdfs_and_images_are_previewed(app, db, world) -> None:
    with app.app_context():
        docx = evidence_at(
            db, world, current_storage(), name="验收意见.docx", data=GOOD["验收意见.docx"]
        )
        png = evidence_at(db, world, current_storage(), name="竣工图.png", data=GOOD["竣工图.png"])
    city = signed_in(app, world, "city")
    assert city.get(f"/evidence/files/{docx.id}/preview").status_code == 404
    page = city.get(f"/evidence/projects/{docx.project_id}").get_data(as_text=True)
    assert 'data-testid="preview"' not in page
    response = city.get(f"/evidence/files/{png.id}/preview")
    assert response.status_code == 200 and response.headers["Content-Type"] == "image/png"
    assert len(_events(db, "evidence.preview")) == 1  # the refused one is not a preview
    assert city.get(f"/evidence/files/{docx.id}/download").status_code == 200


@pytest.mark.parametrize("key", ["enterprise_b", "district_b", "other_city"])
def test_out_of_scope_users_find_nothing(app, db, world, filed, key) -> None:
    client = signed_in(app, world, key)
    for path in (
        f"/evidence/projects/{filed.project_id}",
        f"/evidence/files/{filed.id}/download",
        f"/evidence/files/{filed.id}/preview",
    ):
        assert client.get(path).status_code == 404, path
    token = csrf_token(client, "/")
    for path in ("replace", "pre-review", "review"):
        response = client.post(
            f"/evidence/files/{filed.id}/{path}",
            data={"csrf_token": token, "version": str(filed.version_id), "decision": "accept"},
        )
        assert response.status_code == 404, path
    assert _events(db, "evidence.download") == [] and _events(db, "evidence.preview") == []
    db.expire_all()
    assert filed.pre_status is None and filed.status.value == "uploaded" and filed.current


@pytest.mark.parametrize("action", ["download", "preview"])
def test_a_missing_object_is_a_chinese_page_not_a_500(app, db, world, filed, action) -> None:
    with app.app_context():
        current_storage().delete(filed.file.key)
    response = signed_in(app, world, "city").get(f"/evidence/files/{filed.id}/{action}")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "文件不可用" in page and "存储中找不到该文件" in page
    assert response.headers["Content-Type"].startswith("text/html")
    assert _events(db, f"evidence.{action}") == []


def test_s3_upload_through_the_page_and_download_by_a_presigned_url(
    settings, engine, session_factory, clock, db, world, s3_server
) -> None:
    storage = s3_storage(s3_server)
    app = create_app(
        settings, database=Database(engine, session_factory), clock=clock, storage=storage
    )
    with app.app_context():
        filed = evidence_at(db, world, storage)  # the project (its G03 has one file already)
    client = signed_in(app, world, "enterprise_a")
    page = f"/evidence/projects/{filed.project_id}"
    data = GOOD["竣工图.png"]
    response = client.post(
        f"{page}/items/G03/upload",
        data={"csrf_token": csrf_token(client, page), "files": [(io.BytesIO(data), "竣工图.png")]},
    )
    assert response.status_code == 302
    db.expire_all()
    new = db.scalar(
        select(EvidenceFile).where(
            EvidenceFile.project_id == filed.project_id, EvidenceFile.id != filed.id
        )
    )
    assert new is not None and new.file.backend == "s3"
    assert b"".join(storage.open(new.file.key)) == data

    response = client.get(f"/evidence/files/{new.id}/download")
    assert response.status_code == 302
    url = response.headers["Location"]
    assert url.startswith(f"http://{s3_server.endpoint}/") and "X-Amz-Expires=300" in url
    fetched = urllib3.PoolManager().request("GET", url)
    assert fetched.status == 200 and fetched.data == data
    assert quote("竣工图.png") in fetched.headers["Content-Disposition"]
    (event,) = _events(db, "evidence.download")
    assert event.details["via"] == "presigned" and event.object_id == str(new.id)

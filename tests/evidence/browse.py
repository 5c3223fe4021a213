"""Browsing the evidence pages in tests: as a signed-in user, posting the way a browser
does (the token of the page that shows the form), and reading back rows and objects."""

from __future__ import annotations

import io

from sqlalchemy import select

from dispatch.storage.current import current_storage
from models import EvidenceFile
from tests.conftest import csrf_token, login


def page_of(client, project_id: int) -> str:  # type: ignore[no-untyped-def]
    response = client.get(f"/evidence/projects/{project_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def upload(client, project_id: int, files, item: str = "G03", **data):  # type: ignore[no-untyped-def]
    token = csrf_token(client, f"/evidence/projects/{project_id}")
    payload = {
        "csrf_token": token,
        "files": [(io.BytesIO(body), name) for name, body in files],
        **data,
    }
    return client.post(
        f"/evidence/projects/{project_id}/items/{item}/upload",
        data=payload,
        content_type="multipart/form-data",
    )


def evidence_rows(db, project_id: int) -> list[EvidenceFile]:  # type: ignore[no-untyped-def]
    db.expire_all()
    return list(
        db.scalars(
            select(EvidenceFile)
            .where(EvidenceFile.project_id == project_id)
            .order_by(EvidenceFile.id)
        )
    )


def keys(app) -> list[str]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return sorted(info.key for info in current_storage().iter_keys())


def stored_bytes(app, key: str) -> bytes:  # type: ignore[no-untyped-def]
    with app.app_context():
        return b"".join(current_storage().open(key))


def signed_in(app, world, key: str):  # type: ignore[no-untyped-def]
    """A browser of its own, signed in as the world's user ``key``."""
    client = app.test_client()
    assert login(client, world.users[key].username, world.password).status_code == 302
    return client


def post(client, path: str, page: str, **data):  # type: ignore[no-untyped-def]
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})

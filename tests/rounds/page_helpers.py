"""Helpers of the round page tests: a browser of its own for a user, a page's HTML or its
visible text, and a report read again from the database."""

from __future__ import annotations

from typing import Any

import lxml.html

from models import ProgressReport
from tests.conftest import login


def signed_in(app: Any, world: Any, key: str) -> Any:
    """A browser of its own, signed in as the world's user ``key``."""
    client = app.test_client()
    user = world.users[key]
    assert login(client, user.username, world.password).status_code == 302
    return client


def html(client: Any, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status)
    return response.get_data(as_text=True)


def reread(db: Any, report: ProgressReport) -> ProgressReport:
    db.expire_all()
    found = db.get(ProgressReport, report.id)
    assert found is not None
    return found


def page_text(response: Any) -> str:
    """The response's visible text, whitespace runs collapsed to one space."""
    return " ".join(lxml.html.fromstring(response.get_data(as_text=True)).text_content().split())

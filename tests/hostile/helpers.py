"""What the hostile-input tests share: the form posts and reading what the page said."""

from __future__ import annotations

import html
import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch.audit import Acting
from dispatch.projects import services
from models import ChangeRequest, PlanStatus, Project
from tests.conftest import post_form
from tests.projects.helpers import NOW, make_project
from tests.projects.test_project_forms import A1_FORM, NEW_A1

NEW_A4 = "/projects/new?type=A4&method=voc_substitution"
_FEEDBACK = re.compile(r'<div class="invalid-feedback d-block">(.*?)</div>', re.DOTALL)
_ALERT = re.compile(
    r'<div class="alert alert-(?:danger|warning)[^"]*"[^>]*>\s*(.*?)\s*<', re.DOTALL
)


def project_form(world: Any, **overrides: str) -> dict[str, str]:
    """The valid A1 form of tests.projects.test_project_forms with ``overrides``."""
    data = dict(
        A1_FORM, district_id=str(world.district_a.id), enterprise_id=str(world.enterprise_a.id)
    )
    data.update(overrides)
    return data


def a4_form(world: Any, **overrides: str) -> dict[str, str]:
    """A valid A4 (VOCs source substitution) form: one material line."""
    data = project_form(world, name="涂装线源头替代")
    for key in ("p_gas_flow", "p_nox_before", "p_nox_after", "p_hours"):
        data.pop(key)
    data.update(
        {
            "p_materials__0__name": "溶剂型涂料",
            "p_materials__0__use_before": "120",
            "p_materials__0__voc_before": "60",
            "p_materials__0__use_after": "120",
            "p_materials__0__voc_after": "10",
        }
    )
    data.update(overrides)
    return data


def create(client: FlaskClient, data: dict[str, str], path: str = NEW_A1):  # type: ignore[no-untyped-def]
    return post_form(client, path, data, token_from=path)


def project_count(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Project)) or 0


def field_errors(page: str) -> list[str]:
    """The messages shown under the form's fields (as the user reads them)."""
    return [html.unescape(m).strip() for m in _FEEDBACK.findall(page)]


def alerts(page: str) -> list[str]:
    """The flashed danger / warning messages of a page."""
    return [html.unescape(m).strip() for m in _ALERT.findall(page)]


def pending_withdrawal(app: Any, db: Session, world: Any) -> tuple[Project, ChangeRequest]:
    """An approved project of district A with a pending withdrawal request."""
    with app.app_context():
        project = make_project(db, world, status=PlanStatus.APPROVED)
        request_ = services.request_change(
            db, Acting(world.users["district_a"], NOW), project, None, "企业关停",
            version=project.version_id,
        )  # fmt: skip
        db.commit()
    return project, request_

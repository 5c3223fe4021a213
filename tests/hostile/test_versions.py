"""Every state change of a project requires the version the user saw.

Findings: submit and approve without a ``version`` field (or with ``-1``) skipped the
stale check; return and withdraw never checked it; ``version=²`` was a 500.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from dispatch.audit import Acting
from dispatch.errors import DomainError, StaleObjectError
from dispatch.projects import services
from models import ChangeRequest, ChangeRequestStatus, PlanStatus, Project
from tests.conftest import post_form
from tests.hostile.helpers import alerts, pending_withdrawal, project_form
from tests.projects.helpers import NOW, make_project

D, S, A = PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.APPROVED

# action → (setup status, actor, path under /projects/<id>, extra form fields)
ACTIONS: dict[str, tuple[PlanStatus, str, str, dict[str, str]]] = {
    "submit": (D, "district_a", "submit", {}),
    "approve": (S, "city", "approve", {}),
    "return": (S, "city", "return", {"reason": "材料不全"}),
    "withdraw": (A, "city", "withdraw", {"reason": "项目取消"}),
    "withdrawal_request": (A, "district_a", "withdrawal-request", {"reason": "企业关停"}),
}
# None: the field is not sent at all.
BAD_VERSIONS = [None, "", " ", "-1", "0", "abc", "²", "1.0", "99999999999999999999"]
REFUSED = (
    "页面缺少版本信息，无法确认您看到的是最新内容，请刷新页面后重试",
    "页面版本信息无效，请刷新页面后重试",
    "已被他人修改，请刷新后重试",
)


def _state(db: Any, project_id: int) -> tuple[Any, ...]:
    db.expire_all()
    project = db.get(Project, project_id)
    requests = db.scalar(select(func.count()).where(ChangeRequest.project_id == project_id))
    return project.plan_status, project.version_id, requests


def _post(client: Any, path: str, fields: dict[str, str], version: str | None):  # type: ignore[no-untyped-def]
    data = dict(fields)
    if version is not None:
        data["version"] = version
    page = path.rsplit("/", 1)[0] if "change-requests" not in path else "/projects/review"
    return post_form(client, path, data, token_from=page, follow_redirects=True)


@pytest.mark.parametrize("version", BAD_VERSIONS, ids=repr)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_a_button_without_a_valid_version_changes_nothing(
    app, db, world, login_as, action, version
):
    status, actor, path, fields = ACTIONS[action]
    with app.app_context():
        project = make_project(db, world, status=status)
    before = _state(db, project.id)
    client = login_as(actor)

    response = _post(client, f"/projects/{project.id}/{path}", fields, version)

    assert response.status_code == 200
    assert set(alerts(response.get_data(as_text=True))) & set(REFUSED)
    assert _state(db, project.id) == before


@pytest.mark.parametrize("action", list(ACTIONS))
def test_a_stale_version_is_refused_for_every_action(app, db, world, login_as, action):
    status, actor, path, fields = ACTIONS[action]
    with app.app_context():
        project = make_project(db, world, status=status)
    before = _state(db, project.id)
    client = login_as(actor)
    # A version other than the project's current one (a draft has only ever had 1).
    stale = str(project.version_id + 1)
    response = _post(client, f"/projects/{project.id}/{path}", fields, stale)
    assert "已被他人修改，请刷新后重试" in alerts(response.get_data(as_text=True))
    assert _state(db, project.id) == before


@pytest.mark.parametrize("version", [None, "", "-1", "²"], ids=repr)
@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_deciding_a_request_requires_the_version(app, db, world, login_as, decision, version):
    project, request_ = pending_withdrawal(app, db, world)
    client = login_as("city")
    path = f"/projects/change-requests/{request_.id}/{decision}"
    response = _post(client, path, {"reason": "同意"}, version)
    assert set(alerts(response.get_data(as_text=True))) & set(REFUSED)
    db.expire_all()
    assert db.get(ChangeRequest, request_.id).status == ChangeRequestStatus.PENDING
    assert db.get(Project, project.id).plan_status == A


def test_a_change_request_form_without_a_version_is_refused(app, db, world, login_as):
    with app.app_context():
        project = make_project(db, world, status=A)
    client = login_as("district_a")
    data = project_form(world, name=project.name, p_gas_flow="600000", reason="调整")
    response = post_form(client, f"/projects/{project.id}/change", data)
    assert response.status_code == 200
    assert REFUSED[0] in response.get_data(as_text=True)
    assert _state(db, project.id)[2] == 0


def test_an_edit_without_a_version_is_refused(app, db, world, login_as):
    with app.app_context():
        project = make_project(db, world)
    client = login_as("district_a")
    data = project_form(world, name=project.name, contact_name="无版本")
    response = post_form(client, f"/projects/{project.id}/edit", {**data, "version": "-1"})
    assert response.status_code == 200
    assert REFUSED[1] in response.get_data(as_text=True)
    db.refresh(project)
    assert project.contact_name != "无版本"


@pytest.mark.parametrize(
    "call",
    [
        lambda db, acting, p: services.submit(db, acting, p, version=None),
        lambda db, acting, p: services.submit(db, acting, p, version="1"),
        lambda db, acting, p: services.submit(db, acting, p, version=True),
    ],
)
def test_services_refuse_a_missing_version(app, db, world, call):
    with app.app_context():
        project = make_project(db, world)
        with pytest.raises(DomainError) as caught:
            call(db, Acting(world.users["district_a"], NOW), project)
        assert not isinstance(caught.value, StaleObjectError)
        assert project.plan_status == D


def _posting_forms(page: str) -> list[str]:
    forms = [f.split("</form>")[0] for f in page.split("<form")[1:]]
    return [f for f in forms if 'method="post"' in f and "/logout" not in f]


@pytest.mark.parametrize(
    ("status", "actor", "buttons"),
    [
        (D, "district_a", 1),  # submit
        (S, "city", 2),  # approve, return
        (A, "city", 1),  # withdraw
        (A, "district_a", 1),  # withdrawal request
        ("pending", "city", 2),  # approve or reject the request
    ],
)
def test_the_project_page_sends_the_version_with_every_button(
    app, db, world, login_as, status, actor, buttons
):
    if status == "pending":
        project, _request = pending_withdrawal(app, db, world)
    else:
        with app.app_context():
            project = make_project(db, world, status=status)
    page = login_as(actor).get(f"/projects/{project.id}").get_data(as_text=True)
    forms = _posting_forms(page)
    assert len(forms) == buttons
    for form in forms:
        assert f'name="version" type="hidden" value="{project.version_id}"' in form, form

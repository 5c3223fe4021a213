"""Plan-status transitions, allowed and forbidden; change requests; optimistic locking."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from dispatch.audit import Acting
from dispatch.core.catalog import get_catalog
from dispatch.errors import DomainError, StaleObjectError
from dispatch.projects import services
from dispatch.projects.data import validate_project
from models import AuditEvent, ChangeRequestStatus, PlanStatus, ProjectEvent
from tests.conftest import post_form
from tests.projects.helpers import NOW, TODAY, make_project, project_input
from tests.projects.test_project_forms import A1_FORM


def _version(project):
    return {"version": str(project.version_id)}


def _actions(db, project):
    return [
        e.action
        for e in db.scalars(
            select(ProjectEvent)
            .where(ProjectEvent.project_id == project.id)
            .order_by(ProjectEvent.id)
        )
    ]


def test_submit_approve_through_the_ui(app, db, world, login_as, client):
    with app.app_context():
        project = make_project(db, world)
    login_as("district_a")
    page = f"/projects/{project.id}"
    assert (
        post_form(client, f"{page}/submit", _version(project), token_from=page).status_code == 302
    )
    db.refresh(project)
    assert project.plan_status == PlanStatus.SUBMITTED
    post_form(client, "/logout", {}, token_from="/")
    login_as("city")
    assert project.code in client.get("/projects/review").get_data(as_text=True)
    post_form(client, f"{page}/approve", _version(project), token_from=page)
    db.refresh(project)
    assert project.plan_status == PlanStatus.APPROVED
    assert _actions(db, project) == ["create", "submit", "approve"]
    audited = db.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "project")).all()
    assert audited == ["project.create", "project.submit", "project.approve"]


def test_return_requires_reason_and_district_sees_it(app, db, world, login_as, client):
    with app.app_context():
        project = make_project(db, world, status=PlanStatus.SUBMITTED)
    login_as("city")
    page = f"/projects/{project.id}"
    post_form(client, f"{page}/return", {"reason": "  ", **_version(project)}, token_from=page)
    db.refresh(project)
    assert project.plan_status == PlanStatus.SUBMITTED
    reason = {"reason": "经纬度与厂址不符，请核实", **_version(project)}
    post_form(client, f"{page}/return", reason, token_from=page)
    db.refresh(project)
    assert project.plan_status == PlanStatus.RETURNED
    post_form(client, "/logout", {}, token_from="/")
    login_as("district_a")
    assert "经纬度与厂址不符，请核实" in client.get(page).get_data(as_text=True)
    # A returned project can be fixed and submitted again.
    assert (
        post_form(client, f"{page}/submit", _version(project), token_from=page).status_code == 302
    )
    db.refresh(project)
    assert project.plan_status == PlanStatus.SUBMITTED


def test_district_cannot_approve(app, db, world, login_as, client):
    with app.app_context():
        project = make_project(db, world, status=PlanStatus.SUBMITTED)
    login_as("district_a")
    page = f"/projects/{project.id}"
    assert (
        post_form(client, f"{page}/approve", _version(project), token_from=page).status_code == 404
    )
    db.refresh(project)
    assert project.plan_status == PlanStatus.SUBMITTED


def test_approved_project_cannot_be_edited_without_change_request(app, db, world, login_as, client):
    with app.app_context():
        project = make_project(db, world, status=PlanStatus.APPROVED)
        clean, _ = validate_project(get_catalog(), project_input(world, name="改名"), today=TODAY)
        with pytest.raises(DomainError, match="变更申请"):
            services.update_draft(
                db,
                Acting(world.users["district_a"], NOW),
                project,
                clean,
                version=project.version_id,
            )
    login_as("district_a")
    response = client.get(f"/projects/{project.id}/edit")
    assert response.status_code == 302
    data = dict(
        A1_FORM,
        name="改名",
        district_id=str(world.district_a.id),
        enterprise_id=str(world.enterprise_a.id),
        version=str(project.version_id),
    )
    post_form(client, f"/projects/{project.id}/edit", data, token_from=f"/projects/{project.id}")
    db.refresh(project)
    assert project.name != "改名"


def test_enterprise_cannot_change_anything(app, db, world, login_as, client):
    with app.app_context():
        draft = make_project(db, world, name="草稿项目")
        approved = make_project(db, world, status=PlanStatus.APPROVED)
    login_as("enterprise_a")
    assert client.get(f"/projects/{approved.id}").status_code == 200
    token_page = f"/projects/{approved.id}"
    for path in (
        f"/projects/{draft.id}/submit",
        f"/projects/{approved.id}/withdrawal-request",
        f"/projects/{approved.id}/withdraw",
    ):
        assert (
            post_form(
                client, path, {"reason": "x", **_version(approved)}, token_from=token_page
            ).status_code
            == 404
        )
    assert client.get(f"/projects/{approved.id}/change").status_code == 404
    assert client.get("/projects/new").status_code == 404


def test_change_request_approved_applies_values_and_keeps_old(app, db, world, login_as, client):
    with app.app_context():
        project = make_project(db, world, status=PlanStatus.APPROVED)
    login_as("district_a")
    page = f"/projects/{project.id}/change"
    data = dict(
        A1_FORM,
        name=project.name,
        district_id=str(world.district_a.id),
        enterprise_id=str(world.enterprise_a.id),
        p_gas_flow="600000",
        planned_completion="2026-03-31",
        reason="烟气量核定值调整",
        version=str(project.version_id),
    )
    assert post_form(client, page, data).status_code == 302
    request_ = project.change_requests[-1] if project.change_requests else None
    db.refresh(project)
    request_ = project.change_requests[-1]
    assert request_.status == ChangeRequestStatus.PENDING
    assert request_.proposed["planned_completion"] == "2026-03-31"
    assert project.expected_nox == Decimal("396.000000")  # nothing applied yet
    post_form(client, "/logout", {}, token_from="/")
    login_as("city")
    show = f"/projects/{project.id}"
    assert (
        post_form(
            client,
            f"/projects/change-requests/{request_.id}/approve",
            {"reason": "", **_version(project)},
            token_from=show,
        ).status_code
        == 302
    )
    db.refresh(project)
    db.refresh(request_)
    assert request_.status == ChangeRequestStatus.APPROVED
    assert project.planned_completion.isoformat() == "2026-03-31"
    assert project.expected_nox == Decimal("475.200000")
    assert request_.previous["planned_completion"] == "2025-10-31"
    assert request_.previous["params"]["gas_flow"] == "500000"
    assert _actions(db, project)[-2:] == ["change_request", "change_approve"]


def test_change_request_rejection_needs_reason(app, db, world, login_as, client):
    with app.app_context():
        project = make_project(db, world, status=PlanStatus.APPROVED)
        clean, _ = validate_project(
            get_catalog(), project_input(world, contact_name="王工"), today=TODAY
        )
        request_ = services.request_change(
            db, Acting(world.users["district_a"], NOW), project, clean, "联系人变更",
            version=project.version_id,
        )  # fmt: skip
        db.commit()
    login_as("city")
    show = f"/projects/{project.id}"
    post_form(
        client,
        f"/projects/change-requests/{request_.id}/reject",
        {"reason": "", **_version(project)},
        token_from=show,
    )
    db.refresh(request_)
    assert request_.status == ChangeRequestStatus.PENDING
    post_form(
        client,
        f"/projects/change-requests/{request_.id}/reject",
        {"reason": "无需变更", **_version(project)},
        token_from=show,
    )
    db.refresh(request_)
    db.refresh(project)
    assert request_.status == ChangeRequestStatus.REJECTED
    assert project.contact_name == "张工"


def test_withdrawal_request_and_direct_withdrawal(app, db, world, login_as, client):
    with app.app_context():
        requested = make_project(db, world, status=PlanStatus.APPROVED, name="申请调出的项目")
        direct = make_project(db, world, status=PlanStatus.APPROVED, name="直接调出的项目")
    login_as("district_a")
    post_form(
        client,
        f"/projects/{requested.id}/withdrawal-request",
        {"reason": "企业关停", **_version(requested)},
        token_from=f"/projects/{requested.id}",
    )
    db.refresh(requested)
    request_ = requested.change_requests[-1]
    assert request_.kind.value == "withdrawal"
    post_form(client, "/logout", {}, token_from="/")
    login_as("city")
    post_form(
        client,
        f"/projects/change-requests/{request_.id}/approve",
        _version(requested),
        token_from=f"/projects/{requested.id}",
    )
    post_form(
        client,
        f"/projects/{direct.id}/withdraw",
        {"reason": "重复申报", **_version(direct)},
        token_from=f"/projects/{direct.id}",
    )
    db.refresh(requested)
    db.refresh(direct)
    assert requested.plan_status == PlanStatus.WITHDRAWN
    assert direct.plan_status == PlanStatus.WITHDRAWN
    assert direct.review_comment == "重复申报"


@pytest.mark.parametrize(
    "status, action",
    [
        (PlanStatus.DRAFT, "approve"),
        (PlanStatus.APPROVED, "submit"),
        (PlanStatus.APPROVED, "approve"),
        (PlanStatus.WITHDRAWN, "approve"),
        (PlanStatus.RETURNED, "approve"),
        (PlanStatus.DRAFT, "withdraw"),
        (PlanStatus.SUBMITTED, "withdraw"),
    ],
)
def test_forbidden_transitions(app, db, world, status, action):
    with app.app_context():
        project = make_project(db, world, status=status)
        city = Acting(world.users["city"], NOW)
        calls = {
            "approve": lambda: services.approve(db, city, project, version=project.version_id),
            "submit": lambda: services.submit(db, city, project, version=project.version_id),
            "withdraw": lambda: services.withdraw(
                db, city, project, "原因", version=project.version_id
            ),
        }
        with pytest.raises(DomainError, match="不能执行此操作"):
            calls[action]()
        assert project.plan_status == status


def test_two_concurrent_edits_second_is_refused_and_keeps_input(app, db, world, login_as, client):
    with app.app_context():
        project = make_project(db, world)
    first = login_as("district_a")
    second = app.test_client()
    from tests.conftest import login

    login(second, "city_user", world.password)
    page = f"/projects/{project.id}/edit"
    token_first = first.get(page).get_data(as_text=True)
    token_second = second.get(page).get_data(as_text=True)
    assert (
        f'value="{project.version_id}"' in token_first
        and f'value="{project.version_id}"' in token_second
    )
    base = dict(
        A1_FORM,
        name=project.name,
        district_id=str(world.district_a.id),
        enterprise_id=str(world.enterprise_a.id),
        version=str(project.version_id),
    )
    assert post_form(first, page, dict(base, contact_name="甲先保存")).status_code == 302
    response = post_form(second, page, dict(base, contact_name="乙后保存"))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "已被他人修改，请刷新后重试" in body
    assert 'value="乙后保存"' in body
    db.refresh(project)
    assert project.contact_name == "甲先保存"


def test_stale_version_in_service(app, db, world):
    with app.app_context():
        project = make_project(db, world)
        clean, _ = validate_project(get_catalog(), project_input(world), today=TODAY)
        with pytest.raises(StaleObjectError):
            services.update_draft(
                db,
                Acting(world.users["district_a"], NOW),
                project,
                clean,
                version=project.version_id - 1,
            )

"""Honest messages: each refusal says what is wrong with which field, and never sends a
huge input back.

Findings: a 2,001-character reason said 请填写原因; a too-long approval comment said
驳回申请必须填写原因; a number-field error echoed the whole input.
"""

from __future__ import annotations

from models import ChangeRequestStatus, PlanStatus
from tests.conftest import post_form
from tests.hostile.helpers import (
    alerts,
    create,
    field_errors,
    pending_withdrawal,
    project_count,
    project_form,
)
from tests.projects.helpers import make_project

TOO_LONG_REASON = "原因过长：最多 2000 个字符，当前 2001 个"


def test_a_too_long_return_reason_says_so(app, db, world, login_as):
    with app.app_context():
        project = make_project(db, world, status=PlanStatus.SUBMITTED)
    client = login_as("city")
    page = f"/projects/{project.id}"
    data = {"reason": "理" * 2001, "version": str(project.version_id)}
    response = post_form(client, f"{page}/return", data, token_from=page, follow_redirects=True)
    messages = alerts(response.get_data(as_text=True))
    assert TOO_LONG_REASON in messages
    assert "请填写原因" not in messages
    db.refresh(project)
    assert project.plan_status == PlanStatus.SUBMITTED


def test_an_empty_reason_still_asks_for_one(app, db, world, login_as):
    with app.app_context():
        project = make_project(db, world, status=PlanStatus.APPROVED)
    client = login_as("city")
    page = f"/projects/{project.id}"
    data = {"reason": " \n ", "version": str(project.version_id)}
    response = post_form(client, f"{page}/withdraw", data, token_from=page, follow_redirects=True)
    assert "请填写原因" in alerts(response.get_data(as_text=True))


def test_a_too_long_approval_comment_says_too_long(app, db, world, login_as):
    project, request_ = pending_withdrawal(app, db, world)
    client = login_as("city")
    page = f"/projects/{project.id}"
    data = {"reason": "意" * 2001, "version": str(project.version_id)}
    path = f"/projects/change-requests/{request_.id}/approve"
    response = post_form(client, path, data, token_from=page, follow_redirects=True)
    messages = alerts(response.get_data(as_text=True))
    assert "意见过长：最多 2000 个字符，当前 2001 个" in messages
    assert "驳回申请必须填写原因" not in messages
    db.refresh(request_)
    assert request_.status == ChangeRequestStatus.PENDING


def test_a_rejection_without_a_reason_asks_for_one(app, db, world, login_as):
    project, request_ = pending_withdrawal(app, db, world)
    client = login_as("city")
    page = f"/projects/{project.id}"
    data = {"reason": "", "version": str(project.version_id)}
    path = f"/projects/change-requests/{request_.id}/reject"
    response = post_form(client, path, data, token_from=page, follow_redirects=True)
    assert "驳回申请必须填写原因" in alerts(response.get_data(as_text=True))


def test_number_errors_do_not_echo_the_input(login_as, db, world):
    client = login_as("district_a")
    for field in ("p_gas_flow", "total_investment", "longitude", "plan_year"):
        response = create(client, project_form(world, **{field: "9x" * 50_000}))
        assert response.status_code == 200
        errors = field_errors(response.get_data(as_text=True))
        assert errors, field
        assert all(len(error) < 200 for error in errors), (field, [e[:300] for e in errors])
    assert project_count(db) == 0


def test_a_field_error_names_the_field_once(login_as, db, world):
    """The message alone when it names the field, else "label：message" (a shown label
    followed by a message naming it again read "项目名称：项目名称过长")."""
    client = login_as("district_a")
    response = create(client, project_form(world, name="名" * 256, district_id="999999999"))
    assert response.status_code == 200
    errors = field_errors(response.get_data(as_text=True))
    assert "项目名称过长：最多 200 个字符，当前 256 个" in errors
    assert "所在区县：所选区县无效" in errors
    assert not [e for e in errors if e.startswith("项目名称：项目名称")]
    assert project_count(db) == 0

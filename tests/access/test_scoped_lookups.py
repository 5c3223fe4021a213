"""Ids and codes a user types go through the scoped selects: out of scope is "not found".

Moved here from the admin and plan-list access tests when the two matrices became one
(``tests.access.matrix``); the other-city cases are new with the second city of the world.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dispatch.audit import Acting
from models import ChangeRequest, ChangeRequestStatus, PlanStatus, Project
from tests.conftest import csrf_token, login, post_form
from tests.projects.helpers import NOW, make_project
from tests.projects.test_project_forms import A1_FORM

A = PlanStatus.APPROVED


def _other_city_project(db, world, status=A):  # type: ignore[no-untyped-def]
    return make_project(
        db, world, status=status, name="邻市项目", district=world.other_district,
        enterprise=world.other_enterprise, actor_key="other_city",
    )  # fmt: skip


# --- plan list -----------------------------------------------------------------------


def test_out_of_scope_ids_are_404_not_403(app, db, world, client):
    with app.app_context():
        project = make_project(db, world, status=A)
    login(client, "dist_b", world.password)
    assert client.get(f"/projects/{project.id}").status_code == 404
    assert client.get("/projects/999999").status_code == 404


def test_lists_never_leak_other_districts(app, db, world, client):
    with app.app_context():
        mine = make_project(db, world, status=A, name="甲区项目")
        make_project(
            db, world, status=A, name="乙区项目", district=world.district_b,
            enterprise=world.enterprise_b, actor_key="district_b",
        )  # fmt: skip
    login(client, "dist_a", world.password)
    page = client.get("/projects/?year=2025").get_data(as_text=True)
    assert mine.code in page and "乙区项目" not in page
    other = app.test_client()
    login(other, "ent_b", world.password)
    page = other.get("/projects/?year=2025").get_data(as_text=True)
    assert "甲区项目" not in page and "乙区项目" in page


def test_lists_and_review_queue_never_leak_another_city(app, db, world, client):
    with app.app_context():
        make_project(db, world, status=PlanStatus.SUBMITTED, name="本市待审项目")
        theirs = _other_city_project(db, world, status=PlanStatus.SUBMITTED)
    login(client, "city_user", world.password)
    listed = client.get("/projects/?year=2025").get_data(as_text=True)
    queue = client.get("/projects/review").get_data(as_text=True)
    for page in (listed, queue):
        assert "本市待审项目" in page and theirs.code not in page and "邻市项目" not in page
    assert client.get(f"/projects/{theirs.id}").status_code == 404


def test_change_request_of_another_city_is_404_and_stays_pending(app, db, world, client):
    with app.app_context():
        project = _other_city_project(db, world)
        from dispatch.projects import services

        acting = Acting(world.users["other_city"], at=NOW)
        request_ = services.request_change(
            db, acting, project, None, "企业关停", version=project.version_id
        )
        db.commit()
    login(client, "city_user", world.password)
    token = csrf_token(client, "/")
    for decision in ("approve", "reject"):
        response = client.post(
            f"/projects/change-requests/{request_.id}/{decision}",
            data={"csrf_token": token, "reason": "越权"},
        )
        assert response.status_code == 404
    db.expire_all()
    assert db.get(ChangeRequest, request_.id).status == ChangeRequestStatus.PENDING
    assert db.get(Project, project.id).plan_status == A
    assert "邻市项目" not in client.get("/projects/review").get_data(as_text=True)


@pytest.mark.parametrize("field", ["district_id", "enterprise_id"])
def test_a_project_form_cannot_name_another_citys_organisation(db, world, login_as, field):
    client = login_as("city")
    data = dict(
        A1_FORM, district_id=str(world.district_a.id), enterprise_id=str(world.enterprise_a.id)
    )
    data[field] = str(
        world.other_district.id if field == "district_id" else world.other_enterprise.id
    )
    post_form(client, "/projects/new?type=A1&method=flue_gas", data)
    owners = db.scalars(select(Project.enterprise_id)).all()
    districts = db.scalars(select(Project.district_id)).all()
    # The other city's organisation never ends up on a project, whatever the form did.
    assert world.other_enterprise.id not in owners
    assert world.other_district.id not in districts
    if field == "district_id":
        assert db.scalar(select(func.count(Project.id))) == 0


# --- admin area ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/admin/users/999999/edit",
        "/admin/regions/999999/edit",
        "/admin/enterprises/999999/edit",
    ],
)
def test_unknown_ids_are_404(login_as, world, path):
    assert login_as("admin").get(path).status_code == 404


@pytest.mark.parametrize("suffix", ["disable", "enable", "reset-password"])
def test_unknown_user_actions_are_404(login_as, world, suffix):
    client = login_as("admin")
    token = csrf_token(client, "/")
    response = client.post(f"/admin/users/999999/{suffix}", data={"csrf_token": token})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "/admin/users?role=nope&status=x&page=abc",
        "/admin/regions?kind=planet&q=" + "x" * 300,
        "/admin/enterprises?district_id=abc&page=-3",
        "/admin/enterprises?district_id=999999",
    ],
)
def test_garbage_filters_do_not_break_lists(login_as, world, query):
    response = login_as("admin").get(query)
    assert response.status_code == 200

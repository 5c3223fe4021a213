"""Access matrix for the plan-list routes: role × route × object in/out of scope.

The project under test is in district A and owned by enterprise A. Each row names the
route, the project's plan status and the expected status for every actor:
  ent_a  – the enterprise that owns the project      ent_b  – another enterprise
  dist_a – the project's district                    dist_b – another district
  city, admin, auditor
302 on a POST means the action ran (or was refused with a flash message on the page);
404 means the route or the object is invisible to that actor.
"""

from __future__ import annotations

import pytest

from models import PlanStatus
from tests.conftest import csrf_token, login
from tests.projects.helpers import make_project

ACTORS = ["ent_a", "ent_b", "dist_a", "dist_b", "city", "admin", "auditor"]
WORLD_KEY = {
    "ent_a": "enterprise_a",
    "ent_b": "enterprise_b",
    "dist_a": "district_a",
    "dist_b": "district_b",
    "city": "city",
    "admin": "admin",
    "auditor": "auditor",
}

D, S, A = PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.APPROVED

# method, path ({id} = the project, {cr} = a pending change request), status,
#            ent_a ent_b dist_a dist_b city admin auditor
MATRIX = [
    ("GET", "/projects/", A,                       200, 200, 200, 200, 200, 404, 404),
    ("GET", "/projects/{id}", A,                   200, 404, 200, 404, 200, 404, 404),
    ("GET", "/projects/{id}", D,                   404, 404, 200, 404, 200, 404, 404),
    ("GET", "/projects/new", D,                    404, 404, 200, 200, 200, 404, 404),
    ("GET", "/projects/{id}/edit", D,              404, 404, 200, 404, 200, 404, 404),
    ("POST", "/projects/{id}/edit", D,             404, 404, 200, 404, 200, 404, 404),
    ("POST", "/projects/{id}/submit", D,           404, 404, 302, 404, 302, 404, 404),
    ("GET", "/projects/review", S,                 404, 404, 404, 404, 200, 404, 404),
    ("POST", "/projects/{id}/approve", S,          404, 404, 404, 404, 302, 404, 404),
    ("POST", "/projects/{id}/return", S,           404, 404, 404, 404, 302, 404, 404),
    ("POST", "/projects/{id}/withdraw", A,         404, 404, 404, 404, 302, 404, 404),
    ("POST", "/projects/{id}/withdrawal-request", A, 404, 404, 302, 404, 302, 404, 404),
    ("GET", "/projects/{id}/change", A,            404, 404, 200, 404, 200, 404, 404),
    ("POST", "/projects/change-requests/{cr}/approve", A, 404, 404, 404, 404, 302, 404, 404),
    ("POST", "/projects/change-requests/{cr}/reject", A,  404, 404, 404, 404, 302, 404, 404),
    ("GET", "/projects/export.xlsx?year=2025", A,  404, 404, 200, 200, 200, 404, 404),
    ("GET", "/projects/import", A,                 404, 404, 200, 200, 200, 404, 404),
    ("GET", "/projects/import/template.xlsx", A,   404, 404, 200, 200, 200, 404, 404),
]  # fmt: skip

CASES = [
    pytest.param(
        method, path, status, actor, row[3 + i], id=f"{method} {path} [{status.value}] {actor}"
    )
    for row in MATRIX
    for method, path, status in [row[:3]]
    for i, actor in enumerate(ACTORS)
]


@pytest.mark.parametrize("method, path, status, actor, expected", CASES)
def test_access_matrix(app, db, world, client, method, path, status, actor, expected):
    with app.app_context():
        project = make_project(db, world, status=status)
        request_id = 0
        if "{cr}" in path:
            from dispatch.projects import services
            from tests.projects.helpers import NOW

            request_ = services.request_change(
                db, world.users["district_a"], project, None, "企业关停", now=NOW
            )
            db.commit()
            request_id = request_.id
    user = world.users[WORLD_KEY[actor]]
    assert login(client, user.username, world.password).status_code == 302
    url = path.format(id=project.id, cr=request_id)
    if method == "GET":
        response = client.get(url)
    else:
        token = csrf_token(client, "/")
        response = client.post(
            url, data={"csrf_token": token, "reason": "理由", "version": str(project.version_id)}
        )
    response.close()
    assert response.status_code == expected, response.status


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

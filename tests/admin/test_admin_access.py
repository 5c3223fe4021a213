"""Access matrix of the admin area: only admins get in; everyone else gets 404.

Each row of ``ROUTES`` is one admin route (method and path, built from the test world).
Add a row whenever a route is added to ``dispatch.admin``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from tests.conftest import csrf_token
from tests.factories import World

Path = Callable[[World], str]

ROUTES: list[tuple[str, str, Path]] = [
    ("users", "GET", lambda w: "/admin/users"),
    ("user_new", "GET", lambda w: "/admin/users/new"),
    ("user_new_post", "POST", lambda w: "/admin/users/new"),
    ("user_edit", "GET", lambda w: f"/admin/users/{w.users['city'].id}/edit"),
    ("user_edit_post", "POST", lambda w: f"/admin/users/{w.users['city'].id}/edit"),
    ("user_disable", "POST", lambda w: f"/admin/users/{w.users['city'].id}/disable"),
    ("user_enable", "POST", lambda w: f"/admin/users/{w.users['city'].id}/enable"),
    ("user_reset", "POST", lambda w: f"/admin/users/{w.users['city'].id}/reset-password"),
    ("regions", "GET", lambda w: "/admin/regions"),
    ("region_new", "GET", lambda w: "/admin/regions/new"),
    ("region_new_post", "POST", lambda w: "/admin/regions/new"),
    ("region_edit", "GET", lambda w: f"/admin/regions/{w.district_a.id}/edit"),
    ("region_edit_post", "POST", lambda w: f"/admin/regions/{w.district_a.id}/edit"),
    ("enterprises", "GET", lambda w: "/admin/enterprises"),
    ("enterprise_new", "GET", lambda w: "/admin/enterprises/new"),
    ("enterprise_new_post", "POST", lambda w: "/admin/enterprises/new"),
    ("enterprise_edit", "GET", lambda w: f"/admin/enterprises/{w.enterprise_a.id}/edit"),
    ("enterprise_edit_post", "POST", lambda w: f"/admin/enterprises/{w.enterprise_a.id}/edit"),
    ("import", "GET", lambda w: "/admin/enterprises/import"),
    ("import_post", "POST", lambda w: "/admin/enterprises/import"),
    ("import_template", "GET", lambda w: "/admin/enterprises/import/template.xlsx"),
]
ROUTE_IDS = [name for name, _method, _path in ROUTES]
OTHER_ROLES = ["enterprise_a", "district_a", "city", "auditor"]


def _request(client: FlaskClient, method: str, path: str, token: str):  # type: ignore[no-untyped-def]
    if method == "GET":
        return client.get(path)
    # A valid token, so that the answer comes from the view's guard and not from CSRF.
    return client.post(path, data={"csrf_token": token})


@pytest.mark.parametrize("role", OTHER_ROLES)
@pytest.mark.parametrize(("name", "method", "path"), ROUTES, ids=ROUTE_IDS)
def test_other_roles_get_404(login_as, world, role, name, method, path):  # type: ignore[no-untyped-def]
    client = login_as(role)
    token = csrf_token(client, "/")
    response = _request(client, method, path(world), token)
    assert response.status_code == 404, name


@pytest.mark.parametrize(("name", "method", "path"), ROUTES, ids=ROUTE_IDS)
def test_anonymous_is_sent_to_login(client, world, name, method, path):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/login")
    response = _request(client, method, path(world), token)
    assert response.status_code == 302, name
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(("name", "method", "path"), ROUTES, ids=ROUTE_IDS)
def test_admin_gets_in(login_as, world, name, method, path):  # type: ignore[no-untyped-def]
    client = login_as("admin")
    token = csrf_token(client, "/")
    response = _request(client, method, path(world), token)
    # An empty POST is a form with errors (200) or a refused action (302), never 404/500.
    assert response.status_code in (200, 302), name


@pytest.mark.parametrize(
    "path",
    [
        "/admin/users/999999/edit",
        "/admin/regions/999999/edit",
        "/admin/enterprises/999999/edit",
    ],
)
def test_unknown_ids_are_404(login_as, world, path):  # type: ignore[no-untyped-def]
    assert login_as("admin").get(path).status_code == 404


@pytest.mark.parametrize("suffix", ["disable", "enable", "reset-password"])
def test_unknown_user_actions_are_404(login_as, world, suffix):  # type: ignore[no-untyped-def]
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
def test_garbage_filters_do_not_break_lists(login_as, world, query):  # type: ignore[no-untyped-def]
    response = login_as("admin").get(query)
    assert response.status_code == 200

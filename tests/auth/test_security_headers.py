"""Security headers on every response, friendly error pages, health check."""

from __future__ import annotations

import pytest

from tests.conftest import login


@pytest.mark.parametrize("path", ["/login", "/healthz", "/no-such-page", "/static/css/app.css"])
def test_security_headers_everywhere(client, path):
    response = client.get(path)
    response.close()
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_no_hsts_outside_production(client):
    # A developer's plain-HTTP localhost must not be pinned to HTTPS for a year.
    assert "Strict-Transport-Security" not in client.get("/login").headers


@pytest.mark.parametrize("path", ["/login", "/healthz", "/no-such-page", "/static/css/app.css"])
def test_production_sends_hsts_and_keeps_the_other_headers(
    settings, engine, session_factory, clock, path
):
    import dataclasses

    from dispatch.app import create_app
    from dispatch.db import Database

    # The URL only has to pass production's checks: the app is given the test database.
    production = dataclasses.replace(
        settings, env="production", database_url="postgresql+psycopg://unused@127.0.0.1:1/none"
    )
    app = create_app(production, database=Database(engine, session_factory), clock=clock)
    response = app.test_client().get(path)
    response.close()
    headers = response.headers
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_pages_are_not_cached(client, world):
    login(client, "city_user", world.password)
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_404_page_is_chinese(client):
    response = client.get("/nothing-here")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)


def test_405_page_is_chinese(client):
    response = client.put("/login")
    assert response.status_code == 405
    assert "请求方式不允许" in response.get_data(as_text=True)


def test_healthz_reports_database_without_secrets(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["database"] == "ok"
    text = response.get_data(as_text=True)
    assert settings.secret_key not in text
    assert "sqlite" not in text and "postgresql" not in text


def test_anonymous_home_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_static_assets_are_local(client, world):
    login(client, "city_user", world.password)
    page = client.get("/").get_data(as_text=True)
    assert "vendor/bootstrap-5.3.8/css/bootstrap.min.css" in page
    assert "http://" not in page and "https://" not in page
    for asset in ("css/bootstrap.min.css", "js/bootstrap.bundle.min.js", "LICENSE"):
        response = client.get(f"/static/vendor/bootstrap-5.3.8/{asset}")
        response.close()
        assert response.status_code == 200


def test_login_posts_are_rate_limited_per_address(settings, engine, session_factory, clock, world):
    import dataclasses

    from dispatch.app import create_app
    from dispatch.db import Database

    limited = dataclasses.replace(settings, ratelimit_enabled=True, login_rate_limit="3 per minute")
    app = create_app(limited, database=Database(engine, session_factory), clock=clock)
    client = app.test_client()
    statuses = [login(client, "nobody", "Wrong-pass1").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert "请求过于频繁" in login(client, "nobody", "Wrong-pass1").get_data(as_text=True)
    assert client.get("/login").status_code == 200  # only POSTs count


def test_403_and_500_pages_are_chinese_without_details(app):
    from flask import abort

    @app.route("/_forbidden")
    def _forbidden():  # type: ignore[no-untyped-def]
        abort(403)

    @app.route("/_boom")
    def _boom():  # type: ignore[no-untyped-def]
        raise RuntimeError("secret internal detail")

    client = app.test_client()
    forbidden = client.get("/_forbidden")
    assert forbidden.status_code == 403
    assert "无权访问" in forbidden.get_data(as_text=True)
    boom = client.get("/_boom")
    assert boom.status_code == 500
    body = boom.get_data(as_text=True)
    assert "系统错误" in body and "secret internal detail" not in body

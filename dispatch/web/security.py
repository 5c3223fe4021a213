"""Response security headers (the session loader is ``dispatch.auth.loader``)."""

from __future__ import annotations

from flask import Flask, Response, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# Production is served over TLS only (README, deployment): browsers keep to HTTPS for a year.
HSTS = "max-age=31536000; includeSubDomains"


def add_security_headers(response: Response) -> Response:
    # A view may set a stricter policy of its own (the evidence preview's sandbox).
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.endpoint != "static":
        # Pages show scoped business data: never keep them in shared caches.
        response.headers["Cache-Control"] = "no-store"
    return response


def add_hsts(response: Response) -> Response:
    response.headers["Strict-Transport-Security"] = HSTS
    return response


def init_security(app: Flask) -> None:
    app.after_request(add_security_headers)
    # Not in development: a developer's plain-HTTP localhost would be pinned to HTTPS.
    if app.config["SETTINGS"].is_production:
        app.after_request(add_hsts)

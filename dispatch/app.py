"""Application factory: settings, database, extensions and an explicit list of blueprints."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version

from flask import Flask, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from dispatch.auth.loader import load_user
from dispatch.config import ConfigError, Settings
from dispatch.db import Database, make_engine
from dispatch.extensions import csrf, limiter, login_manager
from dispatch.storage import Storage, StorageError, make_storage
from dispatch.web.converters import register_converters
from dispatch.web.errors import register_error_handlers
from dispatch.web.security import init_security
from dispatch.web.templating import init_templating
from dispatch.web.uploads import init_uploads


def _blueprints() -> list:  # type: ignore[type-arg]
    from dispatch.admin.blueprint import bp as admin_bp
    from dispatch.auditlog.blueprint import bp as auditlog_bp
    from dispatch.auth.blueprint import bp as auth_bp
    from dispatch.dashboards.blueprint import bp as dashboards_bp
    from dispatch.evidence.blueprint import bp as evidence_bp
    from dispatch.exports.blueprint import bp as exports_bp
    from dispatch.home.blueprint import bp as home_bp
    from dispatch.projects.blueprint import bp as projects_bp
    from dispatch.reductions.blueprint import bp as reductions_bp
    from dispatch.rounds.blueprint import bp as rounds_bp
    from dispatch.security.blueprint import bp as security_bp

    return [
        auth_bp, home_bp, projects_bp, rounds_bp, evidence_bp, reductions_bp, dashboards_bp,
        admin_bp, security_bp, auditlog_bp, exports_bp,
    ]  # fmt: skip


def _storage(settings: Settings) -> Storage:
    """The evidence store; the app does not start without one that answers."""
    try:
        return make_storage(settings)
    except StorageError as exc:
        raise ConfigError(f"对象存储不可用：{exc.message}") from exc


def _limiter_options(settings: Settings) -> dict[str, float]:
    # A Redis that stops answering fails the login quickly instead of holding the worker.
    if settings.ratelimit_storage_uri.startswith("redis"):
        return {"socket_connect_timeout": 5, "socket_timeout": 5}
    return {}


def _check_limiter_store(settings: Settings) -> None:
    """A web server does not start without the shared limiter store (commands need none)."""
    if settings.serving and settings.ratelimit_enabled and not limiter.storage.check():
        raise ConfigError(
            "登录限流存储不可用，请检查 DISPATCH_RATELIMIT_STORAGE_URI 指向的 Redis 是否在运行"
        )


def _app_version() -> str:
    try:
        return version("jianpai-dispatch")
    except PackageNotFoundError:
        return "dev"


def create_app(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    clock: Callable[[], dt.datetime] | None = None,
    storage: Storage | None = None,
) -> Flask:
    """Build the app. Tests pass their own settings, database, clock and storage."""
    settings = (settings or Settings.from_env()).with_generated_secret()
    settings.validate()

    app = Flask(__name__, instance_path=str(settings.instance_path.resolve()))
    init_uploads(app)  # uploads scanned as spooled, bounded per file, put as they arrive
    app.config.update(
        SETTINGS=settings,
        SECRET_KEY=settings.secret_key,
        TESTING=settings.testing,
        APP_VERSION=_app_version(),
        SESSION_COOKIE_NAME="dispatch_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.is_production,
        # Backstop in wall-clock time; the idle rule itself runs on dispatch.clock.
        PERMANENT_SESSION_LIFETIME=dt.timedelta(minutes=settings.session_idle_minutes),
        SESSION_REFRESH_EACH_REQUEST=True,
        MAX_CONTENT_LENGTH=210 * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
        # No Babel: WTForms' bundled Chinese catalogue serves forms.Form's messages.
        WTF_I18N_ENABLED=False,
        LOGIN_RATE_LIMIT=settings.login_rate_limit,
        RATELIMIT_STORAGE_URI=settings.ratelimit_storage_uri,
        RATELIMIT_STORAGE_OPTIONS=_limiter_options(settings),
        RATELIMIT_ENABLED=settings.ratelimit_enabled,
        RATELIMIT_KEY_PREFIX="dispatch",  # a Redis shared with other systems keeps ours apart
        RATELIMIT_HEADERS_ENABLED=False,
    )
    if clock is not None:
        app.extensions["clock"] = clock
    if settings.trusted_proxies:
        # Each trusted proxy appends the address it received the request from: only those
        # last N entries are believed, so request.remote_addr (the limiter's key, the audit
        # log's address) is the real client and a forged X-Forwarded-For is ignored.
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]

    (database or Database(make_engine(settings.database_url))).init_app(app)
    app.extensions["storage"] = storage if storage is not None else _storage(settings)
    csrf.init_app(app)
    limiter.init_app(app)
    _check_limiter_store(settings)
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.login_message_category = "warning"
    login_manager.session_protection = None  # server-side sessions do the protecting
    init_security(app)
    init_templating(app)
    register_error_handlers(app)

    # Before any rule is added: every <int:...> id in a path is a database id or a 404.
    register_converters(app.url_map)
    for bp in _blueprints():
        app.register_blueprint(bp)

    @app.before_request
    def _force_password_change():  # type: ignore[no-untyped-def]
        if request.endpoint in ("static", "auth.change_password", "auth.logout", "home.healthz"):
            return None
        if current_user.is_authenticated and current_user.must_change_password:
            flash("请先修改密码", "warning")
            return redirect(url_for("auth.change_password"))
        return None

    @app.before_request
    def _force_two_factor():  # type: ignore[no-untyped-def]
        # A session opened before the role required two-factor (or before a reset) does
        # nothing else until its user enrols; new sign-ins enrol before any session opens.
        if request.endpoint in ("static", "auth.totp_enrol", "auth.logout", "home.healthz"):
            return None
        if (
            current_user.is_authenticated
            and current_user.role in settings.totp_required_roles
            and current_user.two_factor is None
        ):
            flash("您的账户须使用两步验证登录：请先绑定验证器应用", "warning")
            return redirect(url_for("auth.totp_enrol"))
        return None

    @app.context_processor
    def _inject_nav():  # type: ignore[no-untyped-def]
        from dispatch.web.nav import navigation

        return {"nav_items": navigation(current_user)}

    return app

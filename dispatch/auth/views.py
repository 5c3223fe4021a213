"""Login, logout and password change views (thin: services hold the rules)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from dispatch import audit
from dispatch.auth import services
from dispatch.clock import now
from dispatch.db import get_session
from dispatch.errors import DomainError
from dispatch.extensions import limiter
from forms.auth import ChangePasswordForm, LoginForm

SESSION_TOKEN_KEY = "sid"  # noqa: S105 (a session key name, not a secret)
LAST_SEEN_KEY = "seen"


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after login (no open redirect)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target:
            return target
    return url_for("home.index")


def begin_login(user) -> None:  # type: ignore[no-untyped-def]
    """Rotate the session: drop whatever the browser held, issue a fresh identifier."""
    db = get_session()
    session.clear()
    token = services.start_session(
        db,
        user,
        now=now(),
        remote_addr=request.remote_addr or "",
        user_agent=request.headers.get("User-Agent", ""),
    )
    session.permanent = True
    session[SESSION_TOKEN_KEY] = token
    session[LAST_SEEN_KEY] = now().timestamp()
    login_user(user)


@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        db = get_session()
        settings = current_app.config["SETTINGS"]
        try:
            user = services.authenticate(
                db,
                form.username.data.strip(),
                form.password.data,
                now=now(),
                threshold=settings.lockout_threshold,
                lockout=dt.timedelta(minutes=settings.lockout_minutes),
            )
        except DomainError as exc:
            db.commit()  # the failure counter and audit events must persist
            form.password.errors.append(exc.message)
            return render_template("auth/login.html", form=form), 200
        begin_login(user)
        audit.record(db, "auth.login", actor=user, object_type="user", object_id=user.id)
        db.commit()
        if user.must_change_password:
            flash("首次登录或密码已被重置，请先修改密码", "warning")
            return redirect(url_for("auth.change_password"))
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@login_required
def logout():  # type: ignore[no-untyped-def]
    db = get_session()
    user = current_user._get_current_object()
    services.end_session(db, session.get(SESSION_TOKEN_KEY), now=now(), reason="logout")
    audit.record(db, "auth.logout", actor=user, object_type="user", object_id=user.id)
    db.commit()
    logout_user()
    session.clear()
    flash("您已安全退出", "info")
    return redirect(url_for("auth.login"))


@login_required
def change_password():  # type: ignore[no-untyped-def]
    form = ChangePasswordForm()
    if form.validate_on_submit():
        db = get_session()
        user = current_user._get_current_object()
        try:
            services.change_own_password(
                db, user, form.current_password.data, form.new_password.data, now=now()
            )
        except DomainError as exc:
            db.rollback()
            getattr(form, exc.field or "new_password").errors.append(exc.message)
            return render_template("auth/change_password.html", form=form), 200
        # Every old session (this one included) has ended; continue in a fresh one.
        begin_login(user)
        db.commit()
        flash("密码已修改，其他设备上的登录已全部退出", "success")
        return redirect(url_for("home.index"))
    return render_template("auth/change_password.html", form=form)

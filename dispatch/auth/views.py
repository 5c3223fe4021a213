"""Login, logout and password change views (thin: services hold the rules).

The account page and the sign-in history are in :mod:`dispatch.auth.views_account`.
"""

from __future__ import annotations

import datetime as dt

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, logout_user

from dispatch.auth import services, steps
from dispatch.auth.loader import SESSION_TOKEN_KEY
from dispatch.web import uow
from forms.auth import ChangePasswordForm, LoginForm


@steps.login_limit
def login():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        settings = current_app.config["SETTINGS"]
        acting = uow.acting()
        # A refused login is committed too: the failure counter and its audit events stay.
        outcome = uow.run(
            lambda db: services.sign_in(
                db,
                acting,
                form.username.data.strip(),
                form.password.data,
                threshold=settings.lockout_threshold,
                lockout=dt.timedelta(minutes=settings.lockout_minutes),
                user_agent=steps.user_agent(),
                password_max_age_days=settings.password_max_age_days,
                totp_roles=settings.totp_required_roles,
            ),
            form=form,
        )
        if outcome.value is None:
            if outcome.ok:
                form.password.errors.append(services.LOGIN_FAILED_MESSAGE)
            return render_template("auth/login.html", form=form), 200
        step = outcome.value
        next_url = request.args.get("next")
        if step.token is None:
            assert step.second_step is not None
            return steps.begin_second_step(step.user, step.second_step, acting, next_url)
        return steps.finish(step.user, step.token, acting, next_url)
    return render_template("auth/login.html", form=form)


@login_required
def logout():  # type: ignore[no-untyped-def]
    token = session.get(SESSION_TOKEN_KEY)
    uow.run(lambda db: services.sign_out(db, uow.acting(), token))
    logout_user()
    session.clear()
    flash("您已安全退出", "info")
    return redirect(url_for("auth.login"))


@login_required
def change_password():  # type: ignore[no-untyped-def]
    form = ChangePasswordForm()
    if form.validate_on_submit():
        acting = uow.acting()

        def work(db):  # type: ignore[no-untyped-def]
            services.change_own_password(
                db, acting, form.current_password.data, form.new_password.data
            )
            # Every old session (this one included) has ended; continue in a fresh one.
            return services.start_session(db, acting, user_agent=steps.user_agent())

        outcome = uow.run(work, form=form)
        if outcome.value is None:
            return render_template("auth/change_password.html", form=form), 200
        steps.begin_login(acting.actor, outcome.value, acting)
        flash("密码已修改，其他设备上的登录已全部退出", "success")
        return redirect(url_for("home.index"))
    return render_template("auth/change_password.html", form=form)

"""Two-factor views: the second sign-in step, enrolment with the QR code, the recovery
codes shown once and their regeneration (thin: :mod:`dispatch.auth.two_factor` holds the
rules, :mod:`dispatch.auth.steps` the state between the steps)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_login import current_user, login_required

from dispatch.auth import services, steps, totp, two_factor
from dispatch.extensions import login_manager
from dispatch.web import uow
from forms.auth import EnrolForm, RegenerateCodesForm, SecondStepForm
from models import User

EXPIRED = "登录已超时，请重新输入用户名和密码"
RECOVERY_USED = "您使用了一个恢复码登录（该恢复码已作废）；如手机已丢失，请联系安全管理员"


@steps.login_limit
def second_step():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    found = steps.pending()
    if found is None or found[1] != "verify":
        steps.end_pending()
        flash(EXPIRED, "warning")
        return redirect(url_for("auth.login"))
    user, _step, next_url = found
    form = SecondStepForm()
    if form.validate_on_submit():
        settings = current_app.config["SETTINGS"]
        acting = uow.acting().by(user)
        box = steps.secret_box()

        def work(db):  # type: ignore[no-untyped-def]
            result = two_factor.second_step(
                db,
                acting,
                form.code.data,
                box,
                threshold=settings.lockout_threshold,
                lockout=dt.timedelta(minutes=settings.lockout_minutes),
            )
            if not result.ok:
                return result, None
            token = services.open_session(
                db,
                acting,
                user_agent=steps.user_agent(),
                password_max_age_days=settings.password_max_age_days,
                second_factor=result.method,
            )
            return result, token

        # A refused code is committed too: the counter and its audit events stay.
        outcome = uow.run(work, form=form)
        if outcome.value is None:
            return render_template("auth/second_step.html", form=form), 200
        result, token = outcome.value
        if token is not None:
            if result.method == "recovery_code":
                flash(
                    RECOVERY_USED,
                    "warning",
                )
            return steps.finish(user, token, acting, next_url)
        if result.locked:
            steps.end_pending()
            flash(
                f"{result.message}。连续 {settings.lockout_threshold} 次验证失败，账户已锁定 "
                f"{settings.lockout_minutes} 分钟",
                "danger",
            )
            return redirect(url_for("auth.login"))
        form.code.errors = [*form.code.errors, result.message]
        return render_template("auth/second_step.html", form=form), 200
    return render_template("auth/second_step.html", form=form)


def _enrolling() -> tuple[User, bool, str] | None:
    """Who enrols: the signed-in user, or one whose role requires it right after the
    password step (``True``: not signed in yet, then where to go once signed in)."""
    if current_user.is_authenticated:
        return current_user._get_current_object(), False, url_for("auth.account")
    found = steps.pending()
    if found is not None and found[1] == "enrol":
        return found[0], True, found[2]
    return None


def _enrolment_secret(user: User, box: totp.SecretBox) -> str:
    """The secret shown on the page, the same until enrolment ends (a reload keeps the QR
    code the phone has already scanned)."""
    kept: Any = session.get(steps.ENROL_KEY)
    if isinstance(kept, dict) and kept.get("uid") == user.id:
        try:
            return box.open(str(kept.get("sealed", "")), user.id)
        except totp.SealError:
            pass
    secret = totp.new_secret()
    session[steps.ENROL_KEY] = {"uid": user.id, "sealed": box.seal(secret, user.id)}
    return secret


def totp_enrol():  # type: ignore[no-untyped-def]
    found = _enrolling()
    if found is None:
        if session.get(steps.PENDING_KEY) is not None:
            steps.end_pending()
            flash(EXPIRED, "warning")
            return redirect(url_for("auth.login"))
        return login_manager.unauthorized()
    user, signing_in, next_url = found
    if user.two_factor is not None:
        flash("您已启用两步验证", "info")
        return redirect(url_for("auth.account"))
    box = steps.secret_box()
    secret = _enrolment_secret(user, box)
    form = EnrolForm()
    if form.validate_on_submit():
        settings = current_app.config["SETTINGS"]
        acting = uow.acting().by(user)

        def work(db):  # type: ignore[no-untyped-def]
            codes = two_factor.enrol(db, acting, secret, form.code.data, box)
            if not signing_in:
                return codes, None
            token = services.open_session(
                db,
                acting,
                user_agent=steps.user_agent(),
                password_max_age_days=settings.password_max_age_days,
                second_factor="totp_enrol",
            )
            return codes, token

        outcome = uow.run(work, form=form)
        if outcome.value is not None:
            codes, token = outcome.value
            if token is not None:
                steps.begin_login(user, token, acting)
            session.pop(steps.ENROL_KEY, None)
            session[steps.CODES_KEY] = {
                "uid": user.id,
                "sealed": box.seal(" ".join(codes), user.id),
                "next": steps.safe_next(next_url),
            }
            flash("两步验证已启用：请立即保存下面的恢复码", "success")
            return redirect(url_for("auth.recovery_codes"))
        return _enrol_page(user, secret, form), 200
    return _enrol_page(user, secret, form)


def _enrol_page(user: User, secret: str, form: EnrolForm) -> str:
    uri = totp.provisioning_uri(secret, user.username)
    return render_template(
        "auth/totp_enrol.html",
        form=form,
        qr=totp.qr_data_uri(uri),
        secret=totp.grouped(secret),
        issuer=totp.ISSUER,
        username=user.username,
        required=two_factor.required(user, current_app.config["SETTINGS"].totp_required_roles),
    )


@login_required
def recovery_codes():  # type: ignore[no-untyped-def]
    """The codes just made, shown once: a reload finds them gone."""
    kept: Any = session.pop(steps.CODES_KEY, None)
    codes: list[str] = []
    if isinstance(kept, dict) and kept.get("uid") == current_user.id:
        try:
            codes = steps.secret_box().open(str(kept.get("sealed", "")), current_user.id).split()
        except totp.SealError:
            codes = []
    if not codes:
        flash("恢复码只在生成时显示一次；如已遗失，可在“我的账户”中重新生成", "info")
        return redirect(url_for("auth.account"))
    return render_template(
        "auth/recovery_codes.html", codes=codes, next_url=steps.safe_next(kept.get("next"))
    )


@steps.login_limit
@login_required
def regenerate_recovery_codes():  # type: ignore[no-untyped-def]
    form = RegenerateCodesForm()
    if form.validate_on_submit():
        acting = uow.acting()
        box = steps.secret_box()
        outcome = uow.run(
            lambda db: two_factor.regenerate_recovery_codes(db, acting, form.code.data, box),
            form=form,
        )
        if outcome.value is not None:
            session[steps.CODES_KEY] = {
                "uid": acting.actor.id,
                "sealed": box.seal(" ".join(outcome.value), acting.actor.id),
                "next": url_for("auth.account"),
            }
            flash("已生成新的恢复码，原有恢复码全部作废", "success")
            return redirect(url_for("auth.recovery_codes"))
    for error in form.code.errors:
        flash(f"重新生成恢复码失败：{error}", "danger")
    return redirect(url_for("auth.account"))

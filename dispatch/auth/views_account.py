"""The account page (我的账户: one's own account and sign-in history) and the auditor's
sign-in history of every account."""

from __future__ import annotations

import datetime as dt

from flask import current_app, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import false

from dispatch.access import Permission, require
from dispatch.auth import history, two_factor
from dispatch.clock import CHINA_TZ, now
from dispatch.db import get_session
from dispatch.web.pagination import page_arg, paginate
from forms.admin import SignInFilterForm
from forms.auth import RegenerateCodesForm
from models import AuditEvent, AuditOutcome

PER_PAGE = 20


def _args() -> dict[str, str]:
    return {k: v for k, v in request.args.items() if k != "page" and v}


@login_required
def account():  # type: ignore[no-untyped-def]
    user = current_user
    max_age = current_app.config["SETTINGS"].password_max_age_days
    expires = user.password_changed_at + dt.timedelta(days=max_age) if max_age else None
    stmt = history.sign_ins_of(user.id)
    page = paginate(get_session(), stmt, page_arg(request.args.get("page")), PER_PAGE)
    return render_template(
        "auth/account.html",
        user=user,
        password_expires=expires,
        max_age=max_age,
        now=now(),
        page=page,
        rows=[history.describe(e) for e in page.items],
        args=_args(),
        china_tz=CHINA_TZ,
        recovery_codes_left=two_factor.remaining_codes(get_session(), user),
        totp_required=two_factor.required(user, current_app.config["SETTINGS"].totp_required_roles),
        regenerate_form=RegenerateCodesForm(formdata=None),
    )


@require(Permission.AUDIT_READ)
def sign_ins():  # type: ignore[no-untyped-def]
    form = SignInFilterForm(request.args)
    stmt = history.sign_ins()
    if form.validate():
        if name := (form.q.data or "").strip():
            stmt = stmt.where(AuditEvent.actor_username.icontains(name, autoescape=True))
        if form.outcome.data:
            stmt = stmt.where(AuditEvent.outcome == AuditOutcome(form.outcome.data))
    else:
        stmt = stmt.where(false())
    page = paginate(get_session(), stmt, page_arg(request.args.get("page")))
    return render_template(
        "auth/sign_ins.html",
        form=form,
        page=page,
        rows=[history.describe(e) for e in page.items],
        args=_args(),
        china_tz=CHINA_TZ,
    )

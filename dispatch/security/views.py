"""Accounts as the security officer sees them (lock state, failed logins, password age,
two-factor), unlocking, resetting two-factor, and the policy page.

The security officer changes no account's name, role or organisation (the system
administrator's) and reads no audit log (the auditor's); an unlock is itself an audit
event the auditor reads.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import false

from dispatch.access import Permission, can_unlock, require
from dispatch.auth import passwords, two_factor
from dispatch.auth import services as auth
from dispatch.clock import CHINA_TZ
from dispatch.db import get_session
from dispatch.orgs.queries import users_matching
from dispatch.web import uow
from dispatch.web.pagination import page_arg, paginate
from forms.admin import ConfirmForm, SecurityAccountFilterForm
from models import User


def _load(user_id: int) -> User:
    user = get_session().get(User, user_id)
    if user is None:
        abort(404)
    return user


@require(Permission.ACCOUNTS_SECURITY)
def accounts():  # type: ignore[no-untyped-def]
    form = SecurityAccountFilterForm(request.args)
    at = uow.acting().at
    if form.validate():
        stmt = users_matching(form.q.data, form.role.data)
        state = form.state.data
        if state == "locked":
            stmt = stmt.where(User.locked_until > at)
        elif state == "disabled":
            stmt = stmt.where(User.is_active.is_(False))
        elif state == "must_change":
            stmt = stmt.where(User.must_change_password.is_(True))
    else:
        stmt = users_matching(None, None).where(false())
    page = paginate(get_session(), stmt, page_arg(request.args.get("page")))
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "security/accounts.html", form=form, page=page, args=args, now=at, china_tz=CHINA_TZ
    )


@require(Permission.ACCOUNTS_SECURITY)
def account(user_id: int):  # type: ignore[no-untyped-def]
    user = _load(user_id)
    acting = uow.acting()
    return render_template(
        "security/account.html",
        user=user,
        now=acting.at,
        can_unlock=can_unlock(acting.actor, user, acting.at),
        totp_required=two_factor.required(user, current_app.config["SETTINGS"].totp_required_roles),
        recovery_codes_left=two_factor.remaining_codes(get_session(), user),
        confirm_form=ConfirmForm(formdata=None),
        settings=current_app.config["SETTINGS"],
        china_tz=CHINA_TZ,
    )


@require(Permission.ACCOUNTS_SECURITY)
def unlock(user_id: int):  # type: ignore[no-untyped-def]
    user = _load(user_id)
    if ConfirmForm().validate_on_submit():
        acting = uow.acting()
        if uow.run(lambda session: auth.unlock(session, acting, user)).ok:
            flash(f"已解除用户 {user.username} 的锁定，该用户可以立即登录", "success")
    return redirect(url_for("security.account", user_id=user_id))


@require(Permission.ACCOUNTS_SECURITY)
def reset_two_factor(user_id: int):  # type: ignore[no-untyped-def]
    user = _load(user_id)
    if ConfirmForm().validate_on_submit():
        acting = uow.acting()
        if uow.run(lambda session: two_factor.reset(session, acting, user)).ok:
            flash(
                f"已重置用户 {user.username} 的两步验证，其登录已全部退出；"
                "该用户下次登录时可重新绑定验证器",
                "success",
            )
    return redirect(url_for("security.account", user_id=user_id))


@require(Permission.POLICY_VIEW)
def policy():  # type: ignore[no-untyped-def]
    return render_template(
        "security/policy.html",
        settings=current_app.config["SETTINGS"],
        passwords=passwords,
        common_count=len(passwords.common_passwords()),
    )

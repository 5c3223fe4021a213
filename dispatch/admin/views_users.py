"""User accounts: list and search, create, edit, disable and enable, reset password.

三员分立: the system administrator manages the business roles' accounts; the officers'
accounts are listed and shown read-only (``dispatch.access.accounts``), and a lock from
failed logins is shown with its end but lifted by the security officer, not here.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import false
from sqlalchemy.orm import Session

from dispatch.access import OFFICER_ACCOUNTS_MESSAGE, Permission, can_manage_account, require
from dispatch.admin.common import list_args, region_choices
from dispatch.auth.services import lock_note
from dispatch.clock import CHINA_TZ
from dispatch.db import get_session
from dispatch.orgs import accounts
from dispatch.orgs import services as orgs
from dispatch.orgs.queries import users_matching
from dispatch.web import uow
from dispatch.web.pagination import page_arg, paginate
from forms.admin import (
    ConfirmForm,
    ResetPasswordForm,
    UserCreateForm,
    UserEditForm,
    UserFilterForm,
)
from models import Enterprise, Region, Role, User

# The forms ask for an enterprise by credit code; the service speaks of enterprise_id.
ORG_ALIASES = {"enterprise_id": "enterprise_uscc"}


def _org_field(name: str) -> str:
    return ORG_ALIASES.get(name, name)


def _load_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _organisation(
    session: Session, form: UserCreateForm | UserEditForm
) -> tuple[Role, Region | None, Enterprise | None]:
    """The role and organisation node the form asks for (the service checks they fit)."""
    role = Role(form.role.data)
    if role == Role.ENTERPRISE:
        enterprise = orgs.find_enterprise_by_uscc(
            session, form.enterprise_uscc.data or "", field="enterprise_uscc"
        )
        return role, None, enterprise
    region = session.get(Region, form.region_id.data) if form.region_id.data else None
    return role, region, None


@require(Permission.USERS_MANAGE)
def users():  # type: ignore[no-untyped-def]
    form = UserFilterForm(request.args)
    if form.validate():
        stmt = users_matching(form.q.data, form.role.data)
        if form.status.data:
            stmt = stmt.where(User.is_active.is_(form.status.data == "active"))
    else:
        stmt = users_matching(None, None).where(false())
    page = paginate(get_session(), stmt, page_arg(request.args.get("page")))
    acting = uow.acting()
    return render_template(
        "admin/users.html",
        form=form,
        page=page,
        args=list_args(),
        manages={u.id: can_manage_account(acting.actor, u) for u in page.items},
        now=acting.at,
        china_tz=CHINA_TZ,
    )


@require(Permission.USERS_MANAGE)
def user_new():  # type: ignore[no-untyped-def]
    db = get_session()
    form = UserCreateForm(regions=region_choices(db))
    if form.validate_on_submit():

        def create(session: Session) -> User:
            role, region, enterprise = _organisation(session, form)
            return accounts.create_user(
                session,
                uow.acting(),
                username=form.username.data,
                display_name=form.display_name.data,
                phone=form.phone.data or "",
                role=role,
                password=form.password.data,
                region=region,
                enterprise=enterprise,
                must_change_password=True,
            )

        user = uow.run(create, form=form, field_name=_org_field).value
        if user is None:
            return render_template("admin/user_new.html", form=form), 200
        flash(f"已创建用户 {user.username}；该用户首次登录时须修改密码", "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/user_new.html", form=form)


def _edit_form(session: Session, user: User, **kwargs: Any) -> UserEditForm:
    return UserEditForm(
        regions=region_choices(session),
        **kwargs,
        data={
            "display_name": user.display_name,
            "phone": user.phone,
            "role": user.role.value,
            "region_id": user.region_id,
            "enterprise_uscc": user.enterprise.uscc if user.enterprise else "",
        },
    )


def _render_edit(
    user: User, form: UserEditForm, reset_form: ResetPasswordForm | None = None
) -> str:
    acting = uow.acting()
    return render_template(
        "admin/user_edit.html",
        user=user,
        form=form,
        reset_form=reset_form or ResetPasswordForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None),
        is_self=user.id == acting.actor.id,
        manages=can_manage_account(acting.actor, user),
        now=acting.at,
        lock_note=lock_note(user, acting.at),
        officer_message=OFFICER_ACCOUNTS_MESSAGE,
        china_tz=CHINA_TZ,
    )


@require(Permission.USERS_MANAGE)
def user_edit(user_id: int):  # type: ignore[no-untyped-def]
    db = get_session()
    user = _load_user(db, user_id)
    form = _edit_form(db, user)
    if form.validate_on_submit():

        def update(session: Session) -> None:
            role, region, enterprise = _organisation(session, form)
            accounts.update_user(
                session,
                uow.acting(),
                user,
                display_name=form.display_name.data,
                phone=form.phone.data or "",
                role=role,
                region=region,
                enterprise=enterprise,
            )

        if not uow.run(update, form=form, field_name=_org_field).ok:
            return _render_edit(user, form), 200
        flash(f"已保存用户 {user.username} 的资料", "success")
        return redirect(url_for("admin.user_edit", user_id=user.id))
    return _render_edit(user, form)


@require(Permission.USERS_MANAGE)
def user_reset_password(user_id: int):  # type: ignore[no-untyped-def]
    db = get_session()
    user = _load_user(db, user_id)
    reset_form = ResetPasswordForm()
    if reset_form.validate_on_submit():
        outcome = uow.run(
            lambda session: accounts.reset_password(
                session, uow.acting(), user, reset_form.new_password.data
            ),
            form=reset_form,
        )
        if outcome.ok:
            flash(
                f"已重置用户 {user.username} 的密码，其所有登录已失效；该用户下次登录时须修改密码",
                "success",
            )
            return redirect(url_for("admin.user_edit", user_id=user.id))
    # The edit form shows the stored values: only the reset form was submitted.
    return _render_edit(user, _edit_form(db, user, formdata=None), reset_form), 200


def _set_active(user_id: int, *, active: bool):  # type: ignore[no-untyped-def]
    db = get_session()
    user = _load_user(db, user_id)
    if ConfirmForm().validate_on_submit():
        change = accounts.enable_user if active else accounts.disable_user
        if uow.run(lambda session: change(session, uow.acting(), user)).ok:
            if active:
                note = lock_note(user, uow.acting().at)
                flash(f"已启用用户 {user.username}" + (note and f"；{note}"), "success")
            else:
                flash(f"已停用用户 {user.username}，其所有登录已失效", "success")
    return redirect(url_for("admin.user_edit", user_id=user_id))


@require(Permission.USERS_MANAGE)
def user_disable(user_id: int):  # type: ignore[no-untyped-def]
    return _set_active(user_id, active=False)


@require(Permission.USERS_MANAGE)
def user_enable(user_id: int):  # type: ignore[no-untyped-def]
    return _set_active(user_id, active=True)

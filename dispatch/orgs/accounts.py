"""Account services: create, edit, disable and enable accounts and reset their passwords.

Every way of changing accounts comes here (admin forms, the command line, the demo seed).
Each takes the :class:`~dispatch.audit.Acting`, validates, changes the user, records one
audit event with what changed, may flush, and never commits.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch import audit
from dispatch.access.accounts import OFFICER_ACCOUNTS_MESSAGE, can_assign_role, can_manage_account
from dispatch.audit import Acting
from dispatch.auth.passwords import hash_password, policy_errors
from dispatch.auth.services import end_all_sessions, lock_note, set_password
from dispatch.core import inputs
from dispatch.errors import DomainError
from dispatch.orgs.changes import apply_changes, jsonable, plain
from models import Enterprise, Region, RegionKind, Role, User


def create_user(
    session: Session,
    acting: Acting,
    *,
    username: str,
    display_name: str,
    role: Role,
    password: str,
    region: Region | None = None,
    enterprise: Enterprise | None = None,
    phone: str = "",
    must_change_password: bool = True,
) -> User:
    """Create an account; the organisation must suit the role (the database checks too).
    Every way of creating accounts comes here (form, command line, demo), so the user name
    rule (no look-alikes) and the role rule of ``dispatch.access.accounts`` hold for all."""
    try:
        username = inputs.check_username(username.strip())
    except inputs.InputError as exc:
        raise DomainError(exc.message, field="username") from exc
    if not username:
        raise DomainError("用户名不能为空", field="username")
    if not can_assign_role(acting.user, role):
        raise DomainError(OFFICER_ACCOUNTS_MESSAGE, field="role")
    if session.scalar(select(User.id).where(User.username == username)):
        raise DomainError(f"用户名 {username} 已存在", field="username")
    errors = policy_errors(password, username)
    if errors:
        raise DomainError("；".join(errors), field="password")
    user = User(
        username=username,
        display_name=display_name.strip() or username,
        role=role,
        phone=phone.strip(),
        password_hash=hash_password(password),
        must_change_password=must_change_password,
        password_changed_at=acting.at,
    )
    attach_org(user, role, region, enterprise)
    session.add(user)
    session.flush()
    audit.record(
        session,
        acting,
        "admin.user.create",
        object_type="user",
        object_id=user.id,
        details={"username": username, "role": role.value},
    )
    return user


def attach_org(
    user: User, role: Role, region: Region | None, enterprise: Enterprise | None
) -> None:
    """Point ``user`` at the organisation its role requires, or explain why not."""
    if role == Role.ENTERPRISE:
        if enterprise is None:
            raise DomainError("企业用户必须选择所属企业", field="enterprise_id")
        user.attach_enterprise(enterprise)
        return
    if region is None:
        raise DomainError("请选择所属区划", field="region_id")
    if role == Role.DISTRICT and region.kind != RegionKind.DISTRICT:
        raise DomainError("区县用户的所属区划必须是区县级", field="region_id")
    if role == Role.CITY and region.kind == RegionKind.DISTRICT:
        raise DomainError("市局用户的所属区划必须是市级或省级", field="region_id")
    user.attach_region(region)


def update_user(
    session: Session,
    acting: Acting,
    user: User,
    *,
    display_name: str,
    phone: str,
    role: Role,
    region: Region | None,
    enterprise: Enterprise | None,
) -> None:
    """Change a user's name, phone, role and organisation (the username stays)."""
    if user.id == acting.actor.id and role != user.role:
        # An admin demoting themselves could leave the deployment without an admin.
        raise DomainError("不能修改自己的角色", field="role")
    _check_manages(acting, user)
    if role != user.role and not can_assign_role(acting.user, role):
        raise DomainError(OFFICER_ACCOUNTS_MESSAGE, field="role")
    before = (user.role, user.region_id, user.enterprise_id)
    changed = apply_changes(
        user,
        {
            "display_name": display_name.strip() or user.username,
            "phone": phone.strip(),
            "role": role,
        },
    )
    attach_org(user, role, region, enterprise)
    after = (user.role, user.region_id, user.enterprise_id)
    if before[1:] != after[1:]:
        changed["organisation"] = [
            {"region_id": before[1], "enterprise_id": before[2]},
            {"region_id": after[1], "enterprise_id": after[2]},
        ]
    session.flush()
    audit.record(
        session,
        acting,
        "admin.user.update",
        object_type="user",
        object_id=user.id,
        details={"username": user.username, "changes": jsonable(changed)},
    )
    if "role" in changed:
        # A role is the user's set of permissions: its change is a security event of its
        # own, which the auditor finds without reading every account edit.
        old_role, new_role = changed["role"]
        audit.record(
            session,
            acting,
            "admin.user.role_change",
            object_type="user",
            object_id=user.id,
            details={"username": user.username, "from": plain(old_role), "to": plain(new_role)},
        )


def _check_manages(acting: Acting, user: User) -> None:
    if not can_manage_account(acting.user, user):
        raise DomainError(OFFICER_ACCOUNTS_MESSAGE)


def disable_user(session: Session, acting: Acting, user: User) -> None:
    """Disable an account and end its sessions (its credential stamp changes too)."""
    if acting.user is not None and user.id == acting.user.id:
        raise DomainError("不能停用自己的账户")
    _check_manages(acting, user)
    if not user.is_active:
        raise DomainError(f"用户 {user.username} 已是停用状态")
    user.is_active = False
    end_all_sessions(session, user, now=acting.at, reason="disabled")
    audit.record(
        session,
        acting,
        "admin.user.disable",
        object_type="user",
        object_id=user.id,
        details={"username": user.username},
    )


def enable_user(session: Session, acting: Acting, user: User) -> None:
    """Re-enable a disabled account. A lock from failed logins is not lifted here: that is
    the security officer's (``auth.services.unlock``); it ends by itself meanwhile."""
    _check_manages(acting, user)
    if user.is_active:
        # "已是启用状态" alone misled: the account may be active and still refused at login.
        note = lock_note(user, acting.at)
        raise DomainError(f"用户 {user.username} 未被停用，无需启用" + (note and f"；{note}"))
    user.is_active = True
    audit.record(
        session,
        acting,
        "admin.user.enable",
        object_type="user",
        object_id=user.id,
        details={"username": user.username},
    )


def reset_password(session: Session, acting: Acting, user: User, new_password: str) -> None:
    """Set an admin-assigned password: ends the user's sessions, forces a change at login."""
    if acting.user is not None and user.id == acting.user.id:
        # Resetting one's own password would bypass the current-password check.
        raise DomainError("请通过“修改密码”修改自己的密码")
    _check_manages(acting, user)
    set_password(session, user, new_password, now=acting.at, must_change=True)
    audit.record(
        session,
        acting,
        "admin.user.reset_password",
        object_type="user",
        object_id=user.id,
        details={"username": user.username},
    )

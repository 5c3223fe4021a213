"""Who may manage which account: the rules of 三员分立 (separation of the three officers).

- The system administrator (``users:manage``) creates, edits, disables, enables and resets
  the passwords of the accounts of the business roles (enterprise, district, city) only,
  and gives accounts only those roles.
- The officers' own accounts (system administrator, security officer, auditor) are made
  and kept by whoever installs the system, with ``dispatch user …`` on the server (the
  acting user is then ``None``: the system). No officer can therefore give itself or
  another account an officer's role, reset an officer's password to take the account
  over, or disable the auditor who watches it.
- The security officer (``accounts:security``) lifts a lock from failed logins, on any
  account.

Views ask these to decide what to show; the services ask the same ones to refuse.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dispatch.access.permissions import Permission, has_permission
from models.enums import BUSINESS_ROLES, Role

OFFICER_ACCOUNTS_MESSAGE = (
    "系统管理员、安全管理员、审计管理员（三员）的账户由部署人员在服务器上用命令 "
    "dispatch user 创建和维护，不能在网页上新建、修改、停用或重置密码"
)


def assignable_roles(actor: Any) -> tuple[Role, ...]:
    """The roles ``actor`` may give an account (``None``: the system, any role)."""
    if actor is None:
        return tuple(Role)
    return BUSINESS_ROLES if has_permission(actor, Permission.USERS_MANAGE) else ()


def can_assign_role(actor: Any, role: Role) -> bool:
    return role in assignable_roles(actor)


def can_manage_account(actor: Any, target: Any) -> bool:
    """``actor`` may edit, disable, enable and reset the password of ``target``."""
    if actor is None:
        return True
    return has_permission(actor, Permission.USERS_MANAGE) and not Role(target.role).is_officer


def can_unlock(actor: Any, target: Any, now: dt.datetime) -> bool:
    """``target`` is locked out now and ``actor`` is the one who lifts locks."""
    return has_permission(actor, Permission.ACCOUNTS_SECURITY) and target.is_locked(now)

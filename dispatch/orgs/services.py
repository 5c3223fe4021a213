"""Organisation services shared by the admin area, imports, the CLI and the demo seed.

Each takes the :class:`~dispatch.audit.Acting` (who, when, from where; the user is ``None``
for the CLI and the demo seed), may flush, and never commits.
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
from models import Enterprise, Region, RegionKind, Role, User, is_valid_division_code, is_valid_uscc

PARENT_KIND = {
    RegionKind.PROVINCE: None,
    RegionKind.CITY: RegionKind.PROVINCE,
    RegionKind.DISTRICT: RegionKind.CITY,
}


def set_region_path(region: Region) -> None:
    """Recompute the materialised path (the region must have an id)."""
    prefix = region.parent.path if region.parent is not None else "/"
    region.path = f"{prefix}{region.id}/"


def create_region(
    session: Session,
    acting: Acting,
    *,
    name: str,
    division_code: str,
    kind: RegionKind,
    parent: Region | None,
) -> Region:
    if not is_valid_division_code(division_code):
        raise DomainError("行政区划代码必须为 6 位数字（GB/T 2260）", field="division_code")
    if session.scalar(select(Region.id).where(Region.division_code == division_code)):
        raise DomainError(f"行政区划代码 {division_code} 已存在", field="division_code")
    expected_parent = PARENT_KIND[kind]
    if expected_parent is None and parent is not None:
        raise DomainError("省级区划不能有上级", field="parent_id")
    if expected_parent is not None and (parent is None or parent.kind != expected_parent):
        raise DomainError(
            f"{kind.label}级区划的上级必须是{expected_parent.label}级区划", field="parent_id"
        )
    region = Region(name=name.strip(), division_code=division_code, kind=kind, parent=parent)
    session.add(region)
    session.flush()
    set_region_path(region)
    audit.record(
        session,
        acting,
        "admin.region.create",
        object_type="region",
        object_id=region.id,
        details={"division_code": division_code, "name": region.name, "kind": kind.value},
    )
    return region


def validate_enterprise_fields(uscc: str, district: Region | None) -> None:
    if not is_valid_uscc(uscc):
        raise DomainError(
            "统一社会信用代码无效：应为 18 位，且校验位符合 GB 32100-2015", field="uscc"
        )
    if district is None or district.kind != RegionKind.DISTRICT:
        raise DomainError("所属区县必须是区县级区划", field="district_id")


def create_enterprise(
    session: Session,
    acting: Acting,
    *,
    name: str,
    uscc: str,
    district: Region,
    address: str = "",
    industry: str = "",
    permit_number: str | None = None,
    audit_action: str = "admin.enterprise.create",
) -> Enterprise:
    uscc = uscc.strip().upper()
    validate_enterprise_fields(uscc, district)
    if session.scalar(select(Enterprise.id).where(Enterprise.uscc == uscc)):
        raise DomainError(f"统一社会信用代码 {uscc} 已被其他企业使用", field="uscc")
    enterprise = Enterprise(
        name=name.strip(),
        uscc=uscc,
        district=district,
        district_id=district.id,
        address=address.strip(),
        industry=industry.strip(),
        permit_number=(permit_number or "").strip() or None,
    )
    session.add(enterprise)
    session.flush()
    audit.record(
        session,
        acting,
        audit_action,
        object_type="enterprise",
        object_id=enterprise.id,
        details={"uscc": uscc, "name": enterprise.name},
    )
    return enterprise


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


# --- admin edits ----------------------------------------------------------------------
# Each function below validates, changes the object, records one audit event with what
# changed, and leaves the commit to the view.


def _changes(obj: object, values: dict[str, object]) -> dict[str, list[object]]:
    """Apply ``values`` to ``obj`` and return ``{field: [old, new]}`` for those that differ."""
    changed: dict[str, list[object]] = {}
    for key, new in values.items():
        old = getattr(obj, key)
        if old != new:
            changed[key] = [old, new]
            setattr(obj, key, new)
    return changed


def _plain(value: object) -> object:
    """Audit details are JSON: enums by value, everything else as is."""
    return value.value if isinstance(value, RegionKind | Role) else value


def find_enterprise_by_uscc(session: Session, uscc: str, *, field: str) -> Enterprise:
    """The enterprise holding credit code ``uscc``, or a message on ``field``."""
    code = uscc.strip().upper()
    enterprise = session.scalar(select(Enterprise).where(Enterprise.uscc == code)) if code else None
    if enterprise is None:
        raise DomainError(f"未找到统一社会信用代码为 {code or '（空）'} 的企业", field=field)
    return enterprise


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
    changed = _changes(
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
        details={"username": user.username, "changes": _jsonable(changed)},
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
            details={"username": user.username, "from": _plain(old_role), "to": _plain(new_role)},
        )


def _check_manages(acting: Acting, user: User) -> None:
    if not can_manage_account(acting.user, user):
        raise DomainError(OFFICER_ACCOUNTS_MESSAGE)


def _jsonable(changed: dict[str, list[object]]) -> dict[str, list[object]]:
    return {key: [_plain(v) for v in pair] for key, pair in changed.items()}


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


def update_region(
    session: Session, acting: Acting, region: Region, *, name: str, division_code: str
) -> None:
    """Rename a region or correct its division code; its kind and parent stay."""
    division_code = division_code.strip()
    name = name.strip()
    if not name:
        raise DomainError("名称不能为空", field="name")
    if not is_valid_division_code(division_code):
        raise DomainError("行政区划代码必须为 6 位数字（GB/T 2260）", field="division_code")
    taken = session.scalar(
        select(Region.id).where(Region.division_code == division_code, Region.id != region.id)
    )
    if taken:
        raise DomainError(f"行政区划代码 {division_code} 已存在", field="division_code")
    changed = _changes(region, {"name": name, "division_code": division_code})
    session.flush()
    audit.record(
        session,
        acting,
        "admin.region.update",
        object_type="region",
        object_id=region.id,
        details={"division_code": region.division_code, "changes": _jsonable(changed)},
    )


def update_enterprise(
    session: Session,
    acting: Acting,
    enterprise: Enterprise,
    *,
    name: str,
    uscc: str,
    district: Region | None,
    address: str = "",
    industry: str = "",
    permit_number: str | None = None,
) -> None:
    """Edit an enterprise; the credit code stays unique and the district a district."""
    uscc = uscc.strip().upper()
    name = name.strip()
    if not name:
        raise DomainError("企业名称不能为空", field="name")
    validate_enterprise_fields(uscc, district)
    assert district is not None  # validate_enterprise_fields refused None
    taken = session.scalar(
        select(Enterprise.id).where(Enterprise.uscc == uscc, Enterprise.id != enterprise.id)
    )
    if taken:
        raise DomainError(f"统一社会信用代码 {uscc} 已被其他企业使用", field="uscc")
    changed = _changes(
        enterprise,
        {
            "name": name,
            "uscc": uscc,
            "district_id": district.id,
            "address": address.strip(),
            "industry": industry.strip(),
            "permit_number": (permit_number or "").strip() or None,
        },
    )
    enterprise.district = district
    session.flush()
    audit.record(
        session,
        acting,
        "admin.enterprise.update",
        object_type="enterprise",
        object_id=enterprise.id,
        details={"uscc": enterprise.uscc, "changes": _jsonable(changed)},
    )

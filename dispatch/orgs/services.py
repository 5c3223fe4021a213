"""Organisation services (regions and enterprises) shared by the admin area, imports, the
CLI and the demo seed; accounts are in :mod:`dispatch.orgs.accounts`.

Each takes the :class:`~dispatch.audit.Acting` (who, when, from where; the user is ``None``
for the CLI and the demo seed), may flush, and never commits.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch import audit
from dispatch.audit import Acting
from dispatch.errors import DomainError
from dispatch.orgs.changes import apply_changes, jsonable
from models import Enterprise, Region, RegionKind, is_valid_division_code, is_valid_uscc

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


# --- admin edits ----------------------------------------------------------------------
# Each function below validates, changes the object, records one audit event with what
# changed, and leaves the commit to the view.


def find_enterprise_by_uscc(session: Session, uscc: str, *, field: str) -> Enterprise:
    """The enterprise holding credit code ``uscc``, or a message on ``field``."""
    code = uscc.strip().upper()
    enterprise = session.scalar(select(Enterprise).where(Enterprise.uscc == code)) if code else None
    if enterprise is None:
        raise DomainError(f"未找到统一社会信用代码为 {code or '（空）'} 的企业", field=field)
    return enterprise


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
    changed = apply_changes(region, {"name": name, "division_code": division_code})
    session.flush()
    audit.record(
        session,
        acting,
        "admin.region.update",
        object_type="region",
        object_id=region.id,
        details={"division_code": region.division_code, "changes": jsonable(changed)},
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
    changed = apply_changes(
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
        details={"uscc": enterprise.uscc, "changes": jsonable(changed)},
    )

"""Navigation entries per role; features of later issues show as 即将上线."""

from __future__ import annotations

import dataclasses
from typing import Any

from models import Role


@dataclasses.dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str | None  # None: not yet available, shown disabled as 即将上线


_BUSINESS = [
    NavItem("计划清单", "projects.index"),
    NavItem("月度调度", None),
    NavItem("佐证材料", None),
]

NAV_BY_ROLE: dict[Role, list[NavItem]] = {
    Role.ENTERPRISE: [NavItem("首页", "home.index"), *_BUSINESS],
    Role.DISTRICT: [
        NavItem("首页", "home.index"),
        *_BUSINESS,
        NavItem("导入导出", "projects.import_plan_list"),
    ],
    Role.CITY: [
        NavItem("首页", "home.index"),
        *_BUSINESS,
        NavItem("审核队列", "projects.review"),
        NavItem("减排核算", None),
        NavItem("导入导出", "projects.import_plan_list"),
    ],
    Role.ADMIN: [
        NavItem("首页", "home.index"),
        NavItem("用户管理", "admin.users"),
        NavItem("行政区划", "admin.regions"),
        NavItem("企业管理", "admin.enterprises"),
        NavItem("企业导入", "admin.import_enterprises"),
    ],
    Role.AUDITOR: [NavItem("首页", "home.index"), NavItem("审计日志", "auditlog.events")],
}


def navigation(user: Any) -> list[NavItem]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return NAV_BY_ROLE.get(user.role, [])

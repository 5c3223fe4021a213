"""Navigation: one ordered list of entries, each naming the permission it needs.

A user's menu is the entries whose permission their role holds (``ROLE_PERMISSIONS`` in
``dispatch.access``), so a role's menu changes only when its permissions do. Features of
later issues show disabled as 即将上线, already gated by the permission their views will
require.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from dispatch.access import ROLE_PERMISSIONS, Permission, has_permission
from models import Role


@dataclasses.dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str | None  # None: not yet available, shown disabled as 即将上线
    permission: Permission


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("首页", "home.index", Permission.HOME_VIEW),
    NavItem("计划清单", "projects.index", Permission.PROJECTS_VIEW),
    NavItem("月度调度", "rounds.index", Permission.ROUNDS_VIEW),
    NavItem("佐证材料", "evidence.index", Permission.EVIDENCE_VIEW),
    NavItem("审核队列", "projects.review", Permission.PROJECTS_REVIEW),
    NavItem("减排核算", "reductions.index", Permission.ACCOUNTING_VIEW),
    NavItem("统计分析", "dashboards.index", Permission.ACCOUNTING_VIEW),
    NavItem("导入导出", "projects.import_plan_list", Permission.PROJECTS_IMPORT),
    NavItem("用户管理", "admin.users", Permission.USERS_MANAGE),
    NavItem("行政区划", "admin.regions", Permission.ORGS_MANAGE),
    NavItem("企业管理", "admin.enterprises", Permission.ORGS_MANAGE),
    NavItem("企业导入", "admin.import_enterprises", Permission.ORGS_MANAGE),
    NavItem("账户安全", "security.accounts", Permission.ACCOUNTS_SECURITY),
    NavItem("安全策略", "security.policy", Permission.POLICY_VIEW),
    NavItem("审计日志", "auditlog.events", Permission.AUDIT_READ),
    NavItem("登录记录", "auth.sign_ins", Permission.AUDIT_READ),
)

# Each role's menu, derived from the permission table (read by the browser test too).
NAV_BY_ROLE: dict[Role, list[NavItem]] = {
    role: [item for item in NAV_ITEMS if item.permission in granted]
    for role, granted in ROLE_PERMISSIONS.items()
}


def navigation(user: Any) -> list[NavItem]:
    return [item for item in NAV_ITEMS if has_permission(user, item.permission)]

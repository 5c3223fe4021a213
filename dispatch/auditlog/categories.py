"""What the auditor filters by besides the raw action name: categories and plain labels.

A category is a set of action names given as exact names, prefixes and suffixes, so an
action added later under a known prefix (``auth.``, ``admin.user.``) or with a known
ending (``…export``, ``…download``) is filed without touching this table. Categories may
overlap: changing a user's role is both a security event and an account change.

"安全事件" (security events) is what a 等保 evaluator asks for: sign-ins and their failures,
lockouts and unlocks, two-factor events, password changes, account and role changes, the
security officer's actions, and reading or archiving the audit log itself.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy import ColumnElement, false, or_

from models import AuditEvent


@dataclasses.dataclass(frozen=True)
class Category:
    key: str
    label: str
    exact: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()

    def matches(self, action: str) -> bool:
        return (
            action in self.exact
            or action.startswith(self.prefixes)
            or action.endswith(self.suffixes)
        )

    def condition(self) -> ColumnElement[bool]:
        """The same test as :meth:`matches`, in SQL."""
        column = AuditEvent.action
        terms = [
            *([column.in_(self.exact)] if self.exact else []),
            *(column.startswith(p, autoescape=True) for p in self.prefixes),
            *(column.endswith(s, autoescape=True) for s in self.suffixes),
        ]
        return or_(*terms) if terms else false()


SECURITY = Category(
    "security",
    "安全事件",
    prefixes=("auth.", "admin.user.", "security.", "account.", "audit."),
)
EXPORTS = Category(
    "export",
    "导出与下载",
    exact=("evidence.preview",),
    suffixes=("export", "download"),
)
CATEGORIES: tuple[Category, ...] = (
    SECURITY,
    EXPORTS,
    Category("accounts", "机构与账户管理", prefixes=("admin.",)),
    Category("projects", "项目计划", prefixes=("project.",)),
    Category("dispatch", "月度调度", prefixes=("round.", "report.", "progress.")),
    Category("evidence", "佐证材料", prefixes=("evidence.",)),
    Category("audit", "审计日志", prefixes=("audit.",)),
)
BY_KEY = {category.key: category for category in CATEGORIES}
CATEGORY_CHOICES: tuple[tuple[str, str], ...] = (
    ("", "全部"),
    *((category.key, category.label) for category in CATEGORIES),
)

# Plain words for the actions an auditor looks for most; any other shows its name.
ACTION_LABELS = {
    "auth.login": "登录",
    "auth.logout": "退出登录",
    "auth.lockout": "账户锁定（连续登录失败）",
    "auth.password_change": "修改本人密码",
    "auth.password_expired": "密码过期（登录后须修改）",
    "admin.user.create": "新建账户",
    "admin.user.update": "修改账户",
    "admin.user.role_change": "变更角色（权限）",
    "admin.user.disable": "停用账户",
    "admin.user.enable": "启用账户",
    "admin.user.reset_password": "重置密码",
    "security.user.unlock": "解除锁定（安全管理员）",
    "auth.totp_enrol": "启用两步验证",
    "auth.totp_success": "两步验证通过",
    "auth.totp_failure": "两步验证失败",
    "auth.recovery_code_used": "使用恢复码登录",
    "auth.recovery_codes_regenerate": "重新生成恢复码",
    "security.totp_reset": "重置两步验证（安全管理员）",
    "project.export": "导出计划清单",
    "project.import": "导入计划清单",
    "progress.export": "导出进展调度表",
    "progress.fill_download": "下载填报工作簿",
    "progress.import": "导入填报工作簿",
    "evidence.download": "下载佐证文件",
    "evidence.preview": "预览佐证文件",
    "evidence.archive_download": "下载减排档案",
    "evidence.archive_export": "导出减排档案（命令行）",
    "audit.export": "导出审计日志",
    "audit.archive": "归档审计日志",
}
OUTCOME_LABELS = {"success": "成功", "failure": "失败", "denied": "拒绝"}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, "")


def categories_of(action: str) -> str:
    """The labels of the categories ``action`` belongs to, joined (for an export cell)."""
    return "、".join(c.label for c in CATEGORIES if c.matches(action))

"""Home-page tiles: one row per feature, derived from the permission table.

A feature may read differently to the one who reviews, the one who prepares and the one who
only reads (the city approves the plan list, a district drafts it, an enterprise sees its
projects): its variants are listed from the widest capability down and a user gets the
first one whose permissions they all hold. A tile without an endpoint is shown as 即将上线.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from dispatch.access import Permission, has_permission

P = Permission


@dataclasses.dataclass(frozen=True)
class Tile:
    title: str
    text: str
    endpoint: str | None  # None: not built yet, shown as 即将上线
    requires: frozenset[Permission]

    def granted(self, user: Any) -> bool:
        return all(has_permission(user, permission) for permission in self.requires)


def _tile(title: str, text: str, endpoint: str | None, *requires: Permission) -> Tile:
    return Tile(title, text, endpoint, frozenset(requires))


HOME_FEATURES: tuple[tuple[Tile, ...], ...] = (
    (
        _tile(
            "计划清单审核", "审核区县提交的重点减排工程，入库或退回。", "projects.review",
            P.PROJECTS_REVIEW,
        ),
        _tile(
            "计划清单", "编制本区县年度重点减排工程计划清单并提交市局审核。", "projects.index",
            P.PROJECTS_EDIT,
        ),
        _tile(
            "我的减排项目", "查看本企业纳入计划清单的重点减排工程。", "projects.index",
            P.PROJECTS_VIEW,
        ),
    ),
    (
        _tile(
            "月度调度", "开启月度调度轮次，审核各区县提交的进展。", "rounds.index",
            P.ROUNDS_VIEW, P.PROGRESS_REVIEW,
        ),
        _tile(
            "月度调度", "每月 5 日前完成并提交辖区项目进展。", "rounds.index",
            P.ROUNDS_VIEW, P.PROGRESS_SUBMIT,
        ),
        _tile(
            "月度进展填报", "每月 2 日前填报本企业项目进展。", "rounds.todo",
            P.ROUNDS_VIEW, P.PROGRESS_FILL,
        ),
    ),
    (
        _tile(
            "佐证材料审核", "审核区县预审后的佐证材料，作出最终认定。", "evidence.index",
            P.EVIDENCE_VIEW, P.EVIDENCE_REVIEW,
        ),
        _tile(
            "佐证材料预审", "预审企业上传的佐证材料。", "evidence.index",
            P.EVIDENCE_VIEW, P.EVIDENCE_PRE_REVIEW,
        ),
        _tile(
            "佐证材料上传", "按建档规范上传各阶段佐证材料。", "evidence.index", P.EVIDENCE_VIEW
        ),
    ),
    (_tile("减排核算与导出", "核算减排量，按国家系统格式导出。", None, P.REDUCTIONS_VIEW),),
    (_tile("用户管理", "新建、编辑、停用用户，重置密码。", "admin.users", P.USERS_MANAGE),),
    (_tile("行政区划", "维护省、市、区县行政区划。", "admin.regions", P.ORGS_MANAGE),),
    (_tile("企业管理", "维护企业信息。", "admin.enterprises", P.ORGS_MANAGE),),
    (
        _tile(
            "企业导入", "从 Excel 批量导入企业。", "admin.import_enterprises", P.ORGS_MANAGE
        ),
    ),
    (
        _tile(
            "账户安全", "查看账户锁定状态，确认是本人后提前解锁。", "security.accounts",
            P.ACCOUNTS_SECURITY,
        ),
    ),
    (_tile("安全策略", "查看密码、登录锁定和会话策略。", "security.policy", P.POLICY_VIEW),),
    (_tile("审计日志", "查看和筛选审计日志。", "auditlog.events", P.AUDIT_READ),),
    (
        _tile(
            "登录记录", "查看各账户登录成功、失败和锁定的记录。", "auth.sign_ins", P.AUDIT_READ
        ),
    ),
)  # fmt: skip


def tiles_for(user: Any) -> list[Tile]:
    """The user's tiles: for each feature, the first variant they hold every permission of."""
    chosen = []
    for variants in HOME_FEATURES:
        tile = next((t for t in variants if t.granted(user)), None)
        if tile is not None:
            chosen.append(tile)
    return chosen

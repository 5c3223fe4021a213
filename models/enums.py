"""Enumerations shared by several aggregates, stored in the database by value.

Columns declare them through ``models.base.enum_column``, never ``sa.Enum`` directly.
"""

from __future__ import annotations

import enum

# The construction-status vocabulary is domain, defined with its rule in the pure core.
from dispatch.core.construction import (
    CONSTRUCTION_STATUS_LABELS as CONSTRUCTION_STATUS_LABELS,
)
from dispatch.core.construction import ConstructionStatus as ConstructionStatus


class Role(enum.StrEnum):
    """A user's role; each role belongs to one kind of organisation node.

    The last three are the three officers of 等保 (三员分立): the system administrator
    (organisations and ordinary accounts), the security officer (unlocks, security
    policy) and the auditor (the audit log). None of them sees business data.
    """

    ENTERPRISE = "enterprise"
    DISTRICT = "district"
    CITY = "city"
    ADMIN = "admin"
    AUDITOR = "auditor"
    SECURITY = "security"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def is_officer(self) -> bool:
        """One of the three officers (三员), whose accounts the web pages do not manage."""
        return self in OFFICER_ROLES


ROLE_LABELS = {
    Role.ENTERPRISE: "企业用户",
    Role.DISTRICT: "区县分局",
    Role.CITY: "市生态环境局",
    Role.ADMIN: "系统管理员",
    Role.AUDITOR: "审计管理员",
    Role.SECURITY: "安全管理员",
}

# 三员: system administrator, security officer, auditor.
OFFICER_ROLES = frozenset({Role.ADMIN, Role.SECURITY, Role.AUDITOR})
# The roles of people who do the business (the ones the system administrator manages).
BUSINESS_ROLES = (Role.ENTERPRISE, Role.DISTRICT, Role.CITY)


class RegionKind(enum.StrEnum):
    """Levels of the region tree."""

    PROVINCE = "province"
    CITY = "city"
    DISTRICT = "district"

    @property
    def label(self) -> str:
        return {"province": "省", "city": "市", "district": "区县"}[self.value]


class AuditOutcome(enum.StrEnum):
    """What became of an audited action."""

    SUCCESS = "success"
    FAILURE = "failure"
    DENIED = "denied"


class PlanStatus(enum.StrEnum):
    """Plan status (计划状态) of a project, changed by review."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return PLAN_STATUS_LABELS[self]


PLAN_STATUS_LABELS = {
    PlanStatus.DRAFT: "草稿",
    PlanStatus.SUBMITTED: "待审核",
    PlanStatus.APPROVED: "已入库",
    PlanStatus.RETURNED: "已退回",
    PlanStatus.WITHDRAWN: "已调出",
    PlanStatus.CLOSED: "已销号",
}


class ChangeRequestKind(enum.StrEnum):
    CHANGE = "change"
    WITHDRAWAL = "withdrawal"


class ChangeRequestStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return {"pending": "待审核", "approved": "已批准", "rejected": "已驳回"}[self.value]


class RoundStatus(enum.StrEnum):
    """A monthly dispatch round (调度轮次) is open for reports, then closed by the city."""

    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {"open": "填报中", "closed": "已关闭"}[self.value]


class ReportStatus(enum.StrEnum):
    """State of one project's progress report (进展填报) in one round."""

    PENDING = "pending"
    ENTERPRISE_FILLED = "enterprise_filled"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        return REPORT_STATUS_LABELS[self]


REPORT_STATUS_LABELS = {
    ReportStatus.PENDING: "待填报",
    ReportStatus.ENTERPRISE_FILLED: "企业已填报",
    ReportStatus.SUBMITTED: "区县已提交",
    ReportStatus.APPROVED: "已通过",
    ReportStatus.RETURNED: "已退回",
}


class EvidenceStatus(enum.StrEnum):
    """Review status of one evidence file (the city's decision is final)."""

    UPLOADED = "uploaded"
    ACCEPTED = "accepted"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return {"uploaded": "待审核", "accepted": "合格", "rejected": "不合格"}[self.value]

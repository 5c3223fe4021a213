"""Enumerations shared by several aggregates, stored in the database by value.

Columns declare them through ``models.base.enum_column``, never ``sa.Enum`` directly.
"""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    """A user's role; each role belongs to one kind of organisation node."""

    ENTERPRISE = "enterprise"
    DISTRICT = "district"
    CITY = "city"
    ADMIN = "admin"
    AUDITOR = "auditor"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ENTERPRISE: "企业用户",
    Role.DISTRICT: "区县分局",
    Role.CITY: "市生态环境局",
    Role.ADMIN: "系统管理员",
    Role.AUDITOR: "审计管理员",
}


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


class ConstructionStatus(enum.StrEnum):
    """Construction status (建设状态); moves forward only, through monthly progress."""

    NOT_STARTED = "not_started"
    PREPARATION = "preparation"
    UNDER_CONSTRUCTION = "under_construction"
    COMMISSIONING = "commissioning"
    COMPLETED = "completed"
    STABLE_OPERATION = "stable_operation"

    @property
    def label(self) -> str:
        return CONSTRUCTION_STATUS_LABELS[self]

    @property
    def rank(self) -> int:
        return list(ConstructionStatus).index(self)


CONSTRUCTION_STATUS_LABELS = {
    ConstructionStatus.NOT_STARTED: "未开工",
    ConstructionStatus.PREPARATION: "前期",
    ConstructionStatus.UNDER_CONSTRUCTION: "在建",
    ConstructionStatus.COMMISSIONING: "调试",
    ConstructionStatus.COMPLETED: "已完工",
    ConstructionStatus.STABLE_OPERATION: "稳定运行",
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

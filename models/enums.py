"""Enumerations shared by several aggregates, stored in the database by value."""

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


def enum_values(enum_cls: type[enum.Enum]) -> list[str]:
    """Values of an enum, for ``sa.Enum(values_callable=...)`` so rows hold values."""
    return [member.value for member in enum_cls]

"""Database models. Importing this package registers every table on ``Base.metadata``."""

from models.audit import GENESIS_HASH, AuditEvent
from models.base import Base, UTCDateTime, utcnow
from models.enums import (
    AuditOutcome,
    ChangeRequestKind,
    ChangeRequestStatus,
    ConstructionStatus,
    EvidenceStatus,
    PlanStatus,
    RegionKind,
    ReportStatus,
    Role,
    RoundStatus,
)
from models.evidence import EvidenceFile
from models.files import StoredFile
from models.orgs import Enterprise, Region, is_valid_division_code, is_valid_uscc
from models.projects import POLLUTANT_COLUMNS, ChangeRequest, Project, ProjectEvent
from models.reductions import (
    ConfirmationStatus,
    ReductionConfirmation,
    ReductionTarget,
    ReductionTargetChange,
)
from models.rounds import DispatchRound, ProgressReport, ReportEvent, ReportSnapshot
from models.two_factor import RecoveryCode, TwoFactor
from models.users import User, UserSession

__all__ = [
    "GENESIS_HASH",
    "POLLUTANT_COLUMNS",
    "AuditEvent",
    "AuditOutcome",
    "Base",
    "ChangeRequest",
    "ChangeRequestKind",
    "ChangeRequestStatus",
    "ConfirmationStatus",
    "ConstructionStatus",
    "DispatchRound",
    "Enterprise",
    "EvidenceFile",
    "EvidenceStatus",
    "PlanStatus",
    "ProgressReport",
    "Project",
    "ProjectEvent",
    "RecoveryCode",
    "ReductionConfirmation",
    "ReductionTarget",
    "ReductionTargetChange",
    "Region",
    "RegionKind",
    "ReportEvent",
    "ReportSnapshot",
    "ReportStatus",
    "Role",
    "RoundStatus",
    "StoredFile",
    "TwoFactor",
    "UTCDateTime",
    "User",
    "UserSession",
    "is_valid_division_code",
    "is_valid_uscc",
    "utcnow",
]

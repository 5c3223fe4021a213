"""Evidence files (佐证材料): a stored file filed against one item of a project's checklist.

An item is a line of the archive standard (catalog data, ``EvidenceItem.code``), so it is
referenced by code, not by foreign key. A file may also belong to a progress report.
Replacing a file adds a row pointing at the one it replaces (``replaces_id``, unique: a
file is replaced once); nothing is overwritten or deleted. A district may pre-review a
file; the city's review sets ``status``, which is what completeness counts.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, enum_column, utcnow
from models.enums import EvidenceStatus
from models.files import StoredFile
from models.projects import Project
from models.rounds import ProgressReport
from models.users import User


class EvidenceFile(Base):
    __tablename__ = "evidence_files"
    __table_args__ = (
        CheckConstraint(
            "status <> 'rejected' OR length(review_reason) > 0", name="rejection_has_reason"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="RESTRICT"), index=True
    )
    item_code: Mapped[str] = mapped_column(String(16), index=True)
    file_id: Mapped[int] = mapped_column(
        ForeignKey("stored_files.id", ondelete="RESTRICT"), unique=True
    )
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("progress_reports.id", ondelete="RESTRICT"), index=True
    )
    replaces_id: Mapped[int | None] = mapped_column(
        ForeignKey("evidence_files.id", ondelete="RESTRICT"), unique=True
    )
    # False once a newer version replaced it; only current files count.
    current: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[EvidenceStatus] = mapped_column(
        enum_column(EvidenceStatus, "evidence_status", length=16),
        default=EvidenceStatus.UPLOADED,
        index=True,
    )
    # District pre-review (预审): advisory, the city decides.
    pre_status: Mapped[EvidenceStatus | None] = mapped_column(
        enum_column(EvidenceStatus, "evidence_pre_status", length=16)
    )
    pre_reason: Mapped[str] = mapped_column(Text, default="")
    pre_reviewed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT")
    )
    pre_reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    review_reason: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    project: Mapped[Project] = relationship()
    file: Mapped[StoredFile] = relationship()
    report: Mapped[ProgressReport | None] = relationship()
    replaces: Mapped[EvidenceFile | None] = relationship(remote_side=[id])
    pre_reviewed_by: Mapped[User | None] = relationship(foreign_keys=[pre_reviewed_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])

    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012 (SQLAlchemy protocol)

    def __repr__(self) -> str:
        return f"<EvidenceFile {self.project_id}/{self.item_code} {self.status.value}>"

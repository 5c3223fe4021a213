"""Evidence pages that read: the evidence home (reviewers' queue, projects with their
completeness) and a project's checklist, with the loaders and predicates the other views
share.

Projects come through ``visible_projects`` and files through ``visible_evidence``, so
anything out of the caller's scope is a 404 and no list leaks.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from dispatch.access import (
    Permission,
    can_upload_evidence,
    evidence_permits,
    get_or_404,
    has_permission,
    require,
    visible_evidence,
    visible_projects,
    visible_regions,
    visible_reports,
)
from dispatch.core.catalog import REQUIREMENT_NAMES_ZH, get_catalog
from dispatch.db import get_session
from dispatch.evidence import checklist as checklists
from dispatch.evidence import sniff
from dispatch.web.pagination import page_arg, paginate
from forms.evidence import DECISIONS, MAX_FILES, NOTE_MAX, REASON_MAX
from models import (
    DispatchRound,
    EvidenceFile,
    EvidenceStatus,
    PlanStatus,
    ProgressReport,
    Project,
    Region,
    RegionKind,
    Role,
    StoredFile,
    User,
)

# Served inline (preview) only for these sniffed types; anything else is a download.
PREVIEWABLE = frozenset({"application/pdf", "image/png", "image/jpeg"})
QUEUE_LIMIT = 100
# What a listed file shows, loaded with the list rather than row by row.
_LISTED = (
    selectinload(EvidenceFile.file).selectinload(StoredFile.uploaded_by),
    selectinload(EvidenceFile.project).selectinload(Project.district),
)
SHA_SHOWN = 12


def load_project(project_id: int) -> Project:
    return get_or_404(get_session(), visible_projects(current_user), project_id, Project)  # type: ignore[no-any-return]


def load_evidence(evidence_id: int) -> EvidenceFile:
    return get_or_404(  # type: ignore[no-any-return]
        get_session(), visible_evidence(current_user), evidence_id, EvidenceFile
    )


def archive_districts() -> Select[tuple[Region]]:
    """The districts the caller may ask an archive for (a district user: its own)."""
    return (
        visible_regions(current_user)
        .where(Region.kind == RegionKind.DISTRICT)
        .order_by(Region.division_code, Region.id)
    )


def can_preview(user: User, ev: EvidenceFile) -> bool:
    """Inline viewing: PDFs and images, for reviewers and the owning enterprise's users."""
    if ev.file.content_type not in PREVIEWABLE:
        return False
    if has_permission(user, Permission.EVIDENCE_PRE_REVIEW) or has_permission(
        user, Permission.EVIDENCE_REVIEW
    ):
        return True
    return (
        user.role == Role.ENTERPRISE
        and user.enterprise_id is not None
        and ev.project.enterprise_id == user.enterprise_id
    )


def file_actions(ev: EvidenceFile) -> dict[str, bool]:
    """What the current user may do with one file (the template and the services agree)."""
    return {
        "replace": evidence_permits(current_user, "replace", ev),
        "pre_review": evidence_permits(current_user, "pre_review", ev),
        "review": evidence_permits(current_user, "accept", ev),
        "preview": can_preview(current_user, ev),
    }


def size_text(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def report_choices(project: Project) -> list[tuple[int, str]]:
    """The project's progress reports the user may see, newest round first."""
    stmt = (
        visible_reports(current_user)
        .join(ProgressReport.round)
        .where(ProgressReport.project_id == project.id)
        .order_by(DispatchRound.year.desc(), DispatchRound.month.desc())
    )
    return [(r.id, f"{r.round.title}进展填报") for r in get_session().scalars(stmt)]


@dataclasses.dataclass(frozen=True)
class ItemView:
    """How the page shows one item: accepted formats, the picker's filter, the limit."""

    formats: str
    accept: str
    limit_mb: int
    requirement: str


def item_view(item: Any) -> ItemView:
    return ItemView(
        formats="、".join(sniff.LABELS[f] for f in item.formats),
        accept=",".join(f".{ext}" for f in item.formats for ext in sniff.FORMATS[f][1]),
        limit_mb=item.max_file_mb,
        requirement=REQUIREMENT_NAMES_ZH[item.requirement],
    )


def older_versions(project: Project) -> dict[int, list[EvidenceFile]]:
    """For each current file, the versions it replaced (newest first), from one query."""
    rows = get_session().scalars(
        select(EvidenceFile).where(
            EvidenceFile.project_id == project.id, EvidenceFile.current.is_(False)
        )
    )
    by_id = {ev.id: ev for ev in rows}
    chains: dict[int, list[EvidenceFile]] = {}
    for ev_id, previous in get_session().execute(
        select(EvidenceFile.id, EvidenceFile.replaces_id).where(
            EvidenceFile.project_id == project.id, EvidenceFile.current
        )
    ):
        chain = []
        while previous is not None and previous in by_id:
            chain.append(by_id[previous])
            previous = by_id[previous].replaces_id
        chains[ev_id] = chain
    return chains


def stage_progress(stage: checklists.StageState) -> tuple[int, int]:
    items = [s for s in stage.items if checklists.blocking(s.item)]
    return sum(1 for s in items if s.satisfied), len(items)


@require(Permission.EVIDENCE_VIEW)
def checklist(project_id: int):  # type: ignore[no-untyped-def]
    project = load_project(project_id)
    catalog = get_catalog()
    found = checklists.checklist(get_session(), catalog, project)
    reports = report_choices(project)
    chosen = request.args.get("report", "")
    preselect = chosen if chosen in {str(i) for i, _label in reports} else ""
    return render_template(
        "evidence/checklist.html",
        project=project,
        etype=catalog.type(project.type_code),
        checklist=found,
        stage_progress=stage_progress,
        older=older_versions(project),
        reports=reports,
        preselect=preselect,
        can_upload=can_upload_evidence(current_user, project),
        file_actions=file_actions,
        item_view=item_view,
        size_text=size_text,
        sha_shown=SHA_SHOWN,
        decisions=DECISIONS,
        max_files=MAX_FILES,
        note_max=NOTE_MAX,
        reason_max=REASON_MAX,
    )


def _queue() -> tuple[str, list[EvidenceFile], int] | None:
    """The files waiting for the caller's verdict, oldest first (None: not a reviewer)."""
    stmt = visible_evidence(current_user).where(
        EvidenceFile.current, EvidenceFile.status == EvidenceStatus.UPLOADED
    )
    if has_permission(current_user, Permission.EVIDENCE_REVIEW):
        title = "待审核的佐证材料"
    elif has_permission(current_user, Permission.EVIDENCE_PRE_REVIEW):
        title = "待预审的佐证材料"
        stmt = stmt.where(EvidenceFile.pre_status.is_(None))
    else:
        return None
    stmt = stmt.options(*_LISTED).order_by(EvidenceFile.created_at, EvidenceFile.id)
    page = paginate(get_session(), stmt, 1, per_page=QUEUE_LIMIT)
    return title, page.items, page.total


def _rejected() -> list[EvidenceFile]:
    """Files the city judged 不合格 that still await a new version (the uploader's to-do)."""
    stmt = (
        visible_evidence(current_user)
        .where(EvidenceFile.current, EvidenceFile.status == EvidenceStatus.REJECTED)
        .options(*_LISTED)
        .order_by(EvidenceFile.reviewed_at.desc(), EvidenceFile.id.desc())
        .limit(QUEUE_LIMIT)
    )
    return list(get_session().scalars(stmt))


def _waiting(found: checklists.Checklist) -> int:
    return sum(
        1
        for stage in found.stages
        for state in stage.items
        for ev in state.files
        if ev.status == EvidenceStatus.UPLOADED
    )


@require(Permission.EVIDENCE_VIEW)
def index():  # type: ignore[no-untyped-def]
    db = get_session()
    stmt = (
        visible_projects(current_user)
        .where(Project.plan_status == PlanStatus.APPROVED)
        .order_by(Project.plan_year.desc(), Project.code)
    )
    page = paginate(db, stmt, page_arg(request.args.get("page")), per_page=30)
    found = checklists.checklists(db, get_catalog(), page.items)
    queue = _queue()
    can_archive = has_permission(current_user, Permission.PROJECTS_EXPORT)
    return render_template(
        "evidence/index.html",
        page=page,
        checklists=found,
        waiting={pid: _waiting(c) for pid, c in found.items()},
        queue=queue,
        # The uploaders' to-do; the city, which judged them, has its queue instead.
        rejected=[] if has_permission(current_user, Permission.EVIDENCE_REVIEW) else _rejected(),
        size_text=size_text,
        archive_districts=list(db.scalars(archive_districts())) if can_archive else None,
    )

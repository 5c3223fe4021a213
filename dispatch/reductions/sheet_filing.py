"""Filing a confirmation's calculation sheet in the project's evidence archive.

Called by :func:`dispatch.reductions.services.confirm` inside its unit of work, in the
order the evidence code stores any file: render the PDF first (a rendering error leaves
nothing anywhere), then put the object (:func:`dispatch.storage.files.store`, the same
storage and key space as uploads, so ``dispatch evidence verify``, reconcile and backups
treat it like any other file), then the rows. If anything after the put fails, the unit of
work rolls back and ``store`` deletes the object again; only a process dying before the
commit can leave an orphan, which ``dispatch evidence reconcile`` finds, as for uploads.

The sheet is an evidence file of the catalog's system item (削减量计算书, ``filled_by:
system``), accepted on filing (the city's confirmation is its review) and current. A
correction's sheet replaces the sheet of the version it supersedes (``replaces_id``); the
old one stays in the item's history. Each confirmed year keeps its own current sheet.
"""

from __future__ import annotations

import io

from sqlalchemy.orm import Session

from dispatch.audit import Acting
from dispatch.core.catalog import Catalog, EvidenceItem
from dispatch.errors import DomainError
from dispatch.reductions import sheet as sheets
from dispatch.reductions import sheet_pdf
from dispatch.storage import Storage, StorageError
from dispatch.storage.files import store
from models import EvidenceFile, EvidenceStatus, ReductionConfirmation

MB = 1024 * 1024
NO_ITEM = (
    "工程类型目录没有为“{type}”定义系统生成的“削减量计算书”条目（filled_by: system），"
    "不能归档计算书"
)
STORE_FAILED = "削减量计算书未能存入佐证材料存储，核定未完成：{reason}"


def sheet_item(catalog: Catalog, row: ReductionConfirmation) -> EvidenceItem:
    project = row.project
    item = catalog.type(project.type_code).system_item
    if item is None or not item.applies_to(project.method):
        raise DomainError(NO_ITEM.format(type=project.type_code))
    return item


def file_sheet(
    session: Session,
    storage: Storage,
    acting: Acting,
    catalog: Catalog,
    row: ReductionConfirmation,
    *,
    supersedes: ReductionConfirmation | None,
) -> EvidenceFile:
    """Render ``row``'s sheet, store it and file it; the caller links and confirms the row.

    ``row`` carries its final values (the confirmer and time included) but is not yet
    current: once it is, the database freezes it, the link to its sheet included.
    """
    item = sheet_item(catalog, row)
    session.flush()  # the confirmer's id becomes the loaded ``confirmed_by`` the sheet names
    pdf = sheet_pdf.render(sheets.build(catalog, row, supersedes=supersedes))
    try:
        stored = store(
            session,
            storage,
            acting,
            io.BytesIO(pdf),
            original_name=sheets.filename(row),
            content_type=sheet_pdf.CONTENT_TYPE,
            max_size=item.max_file_mb * MB,
        )
    except StorageError as exc:
        raise DomainError(STORE_FAILED.format(reason=exc.message)) from exc
    old = supersedes.sheet_evidence if supersedes is not None else None
    if old is not None:
        old.current = False
    ev = EvidenceFile(
        project_id=row.project_id,
        item_code=item.code,
        file=stored,
        replaces=old,
        note=f"系统生成：{row.year}年度减排量核定第 {row.version} 版",
        status=EvidenceStatus.ACCEPTED,
        reviewed_by_id=acting.actor.id,
        reviewed_at=acting.at,
        created_at=acting.at,
    )
    session.add(ev)
    session.flush()
    return ev

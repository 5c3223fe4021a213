"""The evidence archive (减排档案) as a zip, national-export.md §4.

``{区县}/{工程类型代码}/{项目编号}_{项目名称}/{条目编号}_{条目名称}/{文件名}`` for every file
(accepted ones only unless asked for all current files), a table of contents
``卷内目录.xlsx`` in each project folder and ``manifest.csv`` (path, size, SHA-256) at the
root. Files are copied chunk by chunk from storage into the zip, and the zip is produced
as a stream of chunks (:func:`stream_archive`), so neither the files nor the archive are
ever held in memory: an HTTP response or a file takes the chunks as they come.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dispatch.core.beijing import local_date
from dispatch.core.catalog import Catalog
from dispatch.storage import Storage
from dispatch.workbooks.layout import Column
from dispatch.workbooks.writer import WorkbookWriter
from models import EvidenceFile, EvidenceStatus, Project

TOC_COLUMNS = (
    Column("item", "条目编号", 10),
    Column("item_name", "条目名称", 30),
    Column("file", "文件名", 40),
    Column("size", "大小（字节）", 14, kind="number", number_format="#,##0"),
    Column("uploaded", "上传日期", 12, kind="date", number_format="yyyy-mm-dd"),
    Column("status", "审核状态", 10),
    Column("reviewer", "审核人", 12),
    Column("sha256", "SHA-256", 66),
)
_UNSAFE = str.maketrans({"/": "／", "\\": "＼", ":": "：", "*": "＊", "?": "？", '"': "＂",
                         "<": "＜", ">": "＞", "|": "｜"})  # fmt: skip


def part(text: str) -> str:
    """A path component: no separators or characters a file system refuses, never empty."""
    cleaned = text.translate(_UNSAFE).strip().strip(".") or "_"
    return cleaned[:120]


class _Sink:
    """A write-only, non-seekable file whose contents are taken out as they come."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._position = 0

    def write(self, data: bytes) -> int:
        self._buffer += data
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = bytes(self._buffer)
        self._buffer.clear()
        return data


@dataclasses.dataclass
class ArchiveStats:
    projects: int = 0
    files: int = 0
    bytes: int = 0


def chosen_files(
    session: Session, projects: Sequence[Project], *, all_files: bool
) -> dict[int, list[EvidenceFile]]:
    """Current files of ``projects`` (accepted ones only unless ``all_files``)."""
    found: dict[int, list[EvidenceFile]] = {p.id: [] for p in projects}
    ids = list(found)
    for start in range(0, len(ids), 900):
        stmt = (
            select(EvidenceFile)
            .options(selectinload(EvidenceFile.file), selectinload(EvidenceFile.reviewed_by))
            .where(EvidenceFile.project_id.in_(ids[start : start + 900]), EvidenceFile.current)
            .order_by(EvidenceFile.item_code, EvidenceFile.id)
        )
        if not all_files:
            stmt = stmt.where(EvidenceFile.status == EvidenceStatus.ACCEPTED)
        for ev in session.scalars(stmt):
            found[ev.project_id].append(ev)
    return found


def _toc(rows: Iterable[tuple[EvidenceFile, str]]) -> bytes:
    out = io.BytesIO()
    with WorkbookWriter(out) as book:
        sheet = book.sheet("卷内目录", TOC_COLUMNS)
        for ev, item_name in rows:
            sheet.row(
                [
                    ev.item_code,
                    item_name,
                    ev.file.original_name,
                    ev.file.size,
                    local_date(ev.file.uploaded_at),
                    ev.status.label,
                    ev.reviewed_by.display_name if ev.reviewed_by else "",
                    ev.file.sha256,
                ]
            )
        sheet.filter_all()
    return out.getvalue()


def stream_archive(
    session: Session,
    storage: Storage,
    catalog: Catalog,
    projects: Sequence[Project],
    *,
    all_files: bool = False,
    stats: ArchiveStats | None = None,
) -> Iterator[bytes]:
    """The archive's bytes, chunk by chunk, for ``projects`` (already scoped by the caller)."""
    stats = stats if stats is not None else ArchiveStats()
    sink = _Sink()
    manifest = io.StringIO()
    writer = csv.writer(manifest, lineterminator="\n")
    writer.writerow(["path", "size", "sha256"])
    files = chosen_files(session, projects, all_files=all_files)
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:  # type: ignore[arg-type]
        for project in projects:
            etype = catalog.type(project.type_code)
            names = {item.code: item.name_zh for item in etype.evidence_items}
            folder = "/".join(
                [
                    part(project.district.name),
                    part(project.type_code),
                    part(f"{project.code}_{project.name}"),
                ]
            )
            toc: list[tuple[EvidenceFile, str]] = []
            used: set[str] = set()
            for ev in files[project.id]:
                item_name = names.get(ev.item_code, "")
                name = part(ev.file.original_name)
                path = f"{folder}/{part(f'{ev.item_code}_{item_name}')}/{name}"
                if path in used:  # two files of one item with the same name
                    path = f"{path.rsplit('/', 1)[0]}/{ev.id}_{name}"
                used.add(path)
                with archive.open(path, "w", force_zip64=True) as dest:
                    for chunk in storage.open(ev.file.key):
                        dest.write(chunk)
                        yield sink.take()
                writer.writerow([path, ev.file.size, ev.file.sha256])
                toc.append((ev, item_name))
                stats.files += 1
                stats.bytes += ev.file.size
            archive.writestr(f"{folder}/卷内目录.xlsx", _toc(toc))
            stats.projects += 1
            yield sink.take()
        archive.writestr("manifest.csv", manifest.getvalue().encode("utf-8-sig"))
    yield sink.take()

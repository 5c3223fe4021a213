"""The yearly package (年度报送材料): the four national exports of one year, together.

1. the plan list workbook of the year (national-export.md §1; projects in the plan list
   or closed out, ``plan_year`` = the year);
2. the progress workbook of the year's latest round (§2; left out, and said so, when the
   year has no round);
3. the accounting workbook of the year (§3);
4. the evidence archive (§4) of the projects in parts 1 and 3: the year's plan list and
   the projects whose accounting of the year is confirmed (accepted files only).

Every part is written by its feature's own writer over the same scoped selects as its own
download, for whoever the package is made for: a city user, a district user (its own
district, a preview), or the command line acting for a city (:class:`CityOffice`). The
parts go into a :class:`Sink`: a zip written as it goes (:class:`ZipSink`, no part held in
memory: the workbooks are written straight into their zip members, the archive's files are
copied from storage chunk by chunk) or a folder (:class:`FolderSink`, each file written
next to its final name and moved into place when complete).
"""

from __future__ import annotations

import abc
import dataclasses
import datetime as dt
import os
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dispatch.access import visible_projects, visible_reports, visible_rounds
from dispatch.core.catalog import Catalog
from dispatch.evidence.archive import ArchiveStats, stream_archive
from dispatch.projects.workbook_export import write_plan_list
from dispatch.projects.workbook_layout import get_layout as plan_list_layout
from dispatch.reductions.workbook_export import write_accounting
from dispatch.reductions.workbook_layout import get_layout as accounting_layout
from dispatch.rounds.workbook_export import write_progress
from dispatch.rounds.workbook_layout import download_name, get_layouts
from dispatch.storage import Storage
from models import (
    ConfirmationStatus,
    DispatchRound,
    PlanStatus,
    Project,
    ReductionConfirmation,
    Region,
    Role,
)

PACKAGE_NAME = "重点减排工程年度报送材料（{year}年）{scope}.zip"
ARCHIVE_NAME = "减排档案（{area}）.zip"
# The plan list of a year: what entered it, closed-out projects included.
IN_PLAN_LIST = (PlanStatus.APPROVED, PlanStatus.CLOSED)


@dataclasses.dataclass(frozen=True)
class CityOffice:
    """The city as the command line acts for it: the city role's permissions and the
    city's scope in every scoped select, so the package is the one a city user downloads.
    Not an account and never stored; the audit log records the command as the system."""

    region: Region
    role: Role = Role.CITY
    is_authenticated: bool = True
    enterprise_id: None = None
    enterprise: None = None

    @property
    def org_name(self) -> str:
        return self.region.name


@dataclasses.dataclass(frozen=True)
class Part:
    """One file of the package: its name, its size and what it holds."""

    name: str
    bytes: int
    holds: str


@dataclasses.dataclass
class Package:
    year: int
    parts: list[Part] = dataclasses.field(default_factory=list)
    left_out: list[str] = dataclasses.field(default_factory=list)
    details: dict[str, Any] = dataclasses.field(default_factory=dict)


class Sink(abc.ABC):
    """Where the parts go, one file at a time."""

    @abc.abstractmethod
    @contextmanager
    def part(self, name: str) -> Iterator[IO[bytes]]:
        """A file to write the part ``name`` into."""

    @abc.abstractmethod
    def size(self, name: str) -> int:
        """The size of a part written."""


class ZipSink(Sink):
    """Parts as members of a zip written into ``out`` (stored: the parts are compressed
    already). Members are written as they come, so ``out`` need not be seekable."""

    def __init__(self, out: IO[bytes]):
        self.zip = zipfile.ZipFile(out, "w", zipfile.ZIP_STORED, allowZip64=True)

    @contextmanager
    def part(self, name: str) -> Iterator[IO[bytes]]:
        with self.zip.open(name, "w", force_zip64=True) as member:
            yield member  # type: ignore[misc]

    def size(self, name: str) -> int:
        return self.zip.getinfo(name).file_size

    def close(self) -> None:
        self.zip.close()

    def __enter__(self) -> ZipSink:
        return self

    def __exit__(self, *exc: object) -> None:
        # Also after a failure (the caller throws ``out`` away): an unclosed ZipFile would
        # try to finish itself later, into a file closed by then.
        self.close()


class FolderSink(Sink):
    """Parts as files of ``folder``; a part that fails leaves no file under its name."""

    def __init__(self, folder: Path):
        self.folder = folder

    @contextmanager
    def part(self, name: str) -> Iterator[IO[bytes]]:
        handle, temporary = tempfile.mkstemp(prefix=".part-", dir=self.folder)
        try:
            with os.fdopen(handle, "wb") as out:
                yield out
            os.replace(temporary, self.folder / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def size(self, name: str) -> int:
        return (self.folder / name).stat().st_size


def latest_round(session: Session, user: Any, year: int) -> DispatchRound | None:
    """The caller's city's latest round of ``year``."""
    stmt = visible_rounds(user).where(DispatchRound.year == year)
    return session.scalar(stmt.order_by(DispatchRound.month.desc()).limit(1))


def archive_projects(session: Session, user: Any, year: int) -> list[Project]:
    """The year's plan-list projects and the projects accounted for the year."""
    accounted = select(ReductionConfirmation.project_id).where(
        ReductionConfirmation.status == ConfirmationStatus.CURRENT,
        ReductionConfirmation.year == year,
    )
    stmt = visible_projects(user).where(
        Project.plan_status.in_(IN_PLAN_LIST),
        or_(Project.plan_year == year, Project.id.in_(accounted)),
    )
    return list(session.scalars(stmt.order_by(Project.district_id, Project.code)))


def package_name(year: int, scope: str = "") -> str:
    return PACKAGE_NAME.format(year=year, scope=scope)


def write_package(
    session: Session,
    user: Any,
    year: int,
    sink: Sink,
    *,
    at: dt.datetime,
    storage: Storage,
    catalog: Catalog,
    scope: str = "",
) -> Package:
    """Write the four parts for ``user`` into ``sink``; ``scope`` ("甲区预览") goes into
    the workbooks' names as in their own downloads. A part that fails raises (the caller
    throws the package away): storage errors of the archive included."""
    package = Package(year)

    def done(name: str, holds: str) -> None:
        package.parts.append(Part(name, sink.size(name), holds))

    name = plan_list_layout(catalog).download_name(year)
    with sink.part(name) as out:
        count = write_plan_list(session, user, year, IN_PLAN_LIST, out, catalog=catalog)
    done(name, f"{count} 个项目")
    package.details["plan_list"] = count

    rnd = latest_round(session, user, year)
    if rnd is None:
        package.left_out.append(f"{year}年没有调度轮次，未包含进展调度工作簿")
        package.details["round"] = None
    else:
        name = download_name(get_layouts().progress.filename, rnd.year, rnd.month, scope)
        with sink.part(name) as out:
            written = write_progress(session, rnd, visible_reports(user), out, at=at)
        done(name, f"{rnd.title} {written.rows} 条填报")
        package.details["round"] = rnd.period
        package.details["progress"] = written.rows

    name = accounting_layout().download_name(year, scope)
    with sink.part(name) as out:
        accounted = write_accounting(session, user, year, out, catalog=catalog)
    done(name, f"{accounted.rows} 个项目的核定结果")
    package.details["accounting"] = accounted.rows

    projects = archive_projects(session, user, year)
    stats = ArchiveStats()
    name = ARCHIVE_NAME.format(area=user.org_name)
    with sink.part(name) as out:
        for chunk in stream_archive(session, storage, catalog, projects, stats=stats):
            out.write(chunk)
    done(name, f"{stats.projects} 个项目、{stats.files} 个文件")
    package.details["archive"] = {"projects": stats.projects, "files": stats.files}
    package.details["parts"] = [{"name": p.name, "bytes": p.bytes} for p in package.parts]
    return package

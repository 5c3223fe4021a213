"""Import of the district's filled workbook: every row checked, all saved or none.

The fill sheet is found by name (other sheets, such as 填写说明, are not read) and its
columns by header text (workbook_layout.yaml), through the importer skeleton of
:mod:`dispatch.workbooks.importer`. Each row is keyed by 项目编号 and looked up among the
round's reports through the scoped select ``visible_reports``, so a code of another
district, of a project not in the round or of no project at all reads exactly the same
("不在本轮您可填报的范围内") and the report never names what the user may not see. The
hidden 填报编号 must be the report's own (a row cannot be re-pointed at another report)
and the values go through :func:`dispatch.rounds.data.validate_report`, the one
validation of the form and the grid.

A row whose values equal the report's current ones is left alone. A row that changes a
report must carry the version the report still has: if someone saved the report after the
download, the row is refused (naming it) rather than overwriting their work. Only a file
without a single error is saved, each changed report through
:func:`dispatch.rounds.services.fill`, in the caller's one transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy.orm import Session, contains_eager

from dispatch.access import can_fill_report, visible_reports
from dispatch.audit import Acting
from dispatch.core import inputs
from dispatch.core.beijing import local_date
from dispatch.errors import DomainError
from dispatch.rounds import services
from dispatch.rounds.data import FIELDS, CleanReport, ReportInput, validate_report
from dispatch.rounds.workbook_layout import FillLayout, get_layouts
from dispatch.workbooks.importer import (
    Reading,
    SheetRow,
    chunked,
    open_workbook,
    record_imported,
)
from dispatch.workbooks.reader import sheet_rows
from models import DispatchRound, ProgressReport, Project, User

SYSTEM_COLUMN = "请勿修改系统列，或重新下载本轮的填报工作簿"


@dataclasses.dataclass(frozen=True)
class Imported:
    """What an accepted upload did: the codes of the reports saved, and how many rows
    were left alone because nothing in them had changed."""

    saved: list[str]
    unchanged: int


def _read(workbook: Any, layout: FillLayout, reading: Reading) -> list[SheetRow]:
    found: list[SheetRow] = []
    seen = False
    for sheet in workbook.worksheets:
        title = str(sheet.title).strip()
        reading.sheet(title)
        if title != layout.sheet.name:
            continue
        seen = True
        found.extend(reading.rows(title, sheet_rows(sheet), layout.sheet.columns))
    if not seen:
        raise reading.fail(
            f"找不到工作表“{layout.sheet.name}”：请使用本轮下载的填报工作簿填写后上传"
        )
    return found


def read_rows(data: bytes, layout: FillLayout) -> tuple[Reading, list[SheetRow]]:
    """The fill sheet's data rows; ``Rejected`` for the file itself."""
    reading = Reading(layout.spec)
    rows = open_workbook(data, reading, lambda workbook: _read(workbook, layout, reading))
    reading.refuse_if_empty(bool(rows))
    return reading, rows


def _unchanged(report: ProgressReport, clean: CleanReport) -> bool:
    return all(getattr(report, field) == getattr(clean, field) for field in FIELDS)


class _Checker:
    """Turns the rows into (report, clean values, version) to save, collecting errors."""

    def __init__(
        self,
        session: Session,
        user: User,
        rnd: DispatchRound,
        layout: FillLayout,
        reading: Reading,
        today: dt.date,
    ):
        self.session, self.user, self.rnd = session, user, rnd
        self.reading, self.today = reading, today
        self.header = {c.key: c.header for c in layout.sheet.columns}
        self.first_row: dict[str, SheetRow] = {}
        self.unchanged = 0

    def _reports(self, codes: set[str]) -> dict[str, ProgressReport]:
        """The round's reports in the user's scope whose project has one of ``codes``."""
        found: dict[str, ProgressReport] = {}
        scoped = (
            visible_reports(self.user)
            .where(ProgressReport.round_id == self.rnd.id)
            .options(contains_eager(ProgressReport.project))
        )
        for chunk in chunked(c for c in codes if c):
            for report in self.session.scalars(scoped.where(Project.code.in_(chunk))):
                found[report.project.code] = report
        return found

    def add(self, row: SheetRow, key: str, message: str) -> None:
        self.reading.add_at(row, self.header[key], message)

    def check(self, rows: list[SheetRow]) -> list[tuple[ProgressReport, CleanReport, int]]:
        reports = self._reports({row.text(self.header["code"]) for row in rows})
        changes = []
        for row in rows:
            change = self._row(row, reports)
            if change is not None:
                changes.append(change)
        return changes

    def _report(self, row: SheetRow, reports: dict[str, ProgressReport]) -> ProgressReport | None:
        code = row.text(self.header["code"])
        if not code:
            self.add(row, "code", "项目编号不能为空：每行对应本轮一个项目的填报")
            return None
        first = self.first_row.setdefault(code, row)
        if first is not row:
            self.add(row, "code", f"项目编号“{inputs.shown(code)}”与第 {first.row} 行重复")
            return None
        report = reports.get(code)
        if report is None:
            self.add(row, "code", f"项目编号“{inputs.shown(code)}”不在本轮您可填报的范围内")
            return None
        if inputs.parse_id(row.text(self.header["report_id"])) != report.id:
            self.add(row, "report_id", f"填报编号与项目编号 {code} 不对应：{SYSTEM_COLUMN}")
            return None
        if not can_fill_report(self.user, report):
            self.add(
                row,
                "code",
                f"项目 {code} 的本轮填报当前为“{report.status.label}”，不能再修改",
            )
            return None
        return report

    def _row(
        self, row: SheetRow, reports: dict[str, ProgressReport]
    ) -> tuple[ProgressReport, CleanReport, int] | None:
        report = self._report(row, reports)
        if report is None:
            return None
        raw = ReportInput(**{field: row.raw(self.header[field]) for field in FIELDS})
        clean, errors = validate_report(raw, project=report.project, today=self.today)
        for field, messages in errors.items():
            for message in messages:
                self.add(row, field, message)
        if clean is None:
            return None
        if _unchanged(report, clean):
            self.unchanged += 1
            return None
        version = inputs.parse_id(row.text(self.header["version"]))
        if version is None:
            self.add(row, "version", f"版本无效：{SYSTEM_COLUMN}")
            return None
        if version != report.version_id:
            self.add(
                row,
                "code",
                f"项目 {report.project.code} 的填报在您下载后已被他人修改，"
                "为免覆盖他人的内容，请重新下载工作簿后再填写",
            )
            return None
        return report, clean, version


def import_fill(
    session: Session, acting: Acting, rnd: DispatchRound, data: bytes, filename: str = ""
) -> Imported:
    """Save every changed report of the workbook, or none (``Rejected``)."""
    if not rnd.is_open:
        raise DomainError(f"{rnd.title}调度已关闭，不能再导入填报")
    layout = get_layouts().fill
    reading, rows = read_rows(data, layout)
    checker = _Checker(session, acting.actor, rnd, layout, reading, local_date(acting.at))
    changes = checker.check(rows)
    reading.raise_if_errors()
    for report, clean, version in changes:
        services.fill(session, acting, report, clean, version=version)
    saved = [report.project.code for report, _clean, _version in changes]
    details = {
        "period": rnd.period,
        "rows": len(rows),
        "saved": len(saved),
        "unchanged": checker.unchanged,
        "codes": saved[:50],
    }
    record_imported(session, acting, layout.spec, filename, details)
    return Imported(saved, checker.unchanged)

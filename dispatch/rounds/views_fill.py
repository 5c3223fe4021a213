"""Filling the monthly dispatch: one report's form, the district's grid, submitting.

The form, the grid and the workbook import share one validation
(:func:`~dispatch.rounds.data.validate_report`) and one writer (``services.fill``). The
grid saves all or nothing: every changed row is validated first and, if any cell is bad,
nothing is saved and each bad cell shows its message with what was typed; otherwise every
row is filled in one unit of work, where a refusal of any row (someone else saved it, it
was submitted meanwhile) rolls back the others. Grid rows and batch buttons name reports
by id: an id outside the user's scope or the round is a 404, like any other object.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import Session

from dispatch.access import (
    Permission,
    can_fill_report,
    has_permission,
    require,
    visible_reports,
)
from dispatch.clock import today
from dispatch.core import inputs
from dispatch.core.checker import Errors
from dispatch.db import get_session
from dispatch.errors import DomainError
from dispatch.rounds import services
from dispatch.rounds.data import (
    FIELD_LABELS,
    FIELDS,
    TEXT_FIELDS,
    TEXT_MAX,
    CleanReport,
    ReportInput,
    input_of,
    missing_for_submit,
    validate_report,
)
from dispatch.rounds.views_report import load_report, load_round, with_projects
from dispatch.web import uow
from forms.fields import BAD_VERSION, MISSING_VERSION
from forms.rounds import GridForm, ReportVersionForm, report_form
from models import ConstructionStatus, DispatchRound, ProgressReport, Project

# r<report id>.<field>: one grid cell (the field "version" is the row's version).
_CELL = re.compile(r"r([0-9]{1,10})\.([a-z_]{1,32})")
# Named in one skipped-report message; the grid shows every row's state anyway.
SKIPPED_SHOWN = 5
DATE_FIELDS = ("actual_start", "actual_completion", "stable_operation_from")


def _refused(form: Any) -> None:
    for messages in form.errors.values():
        for message in messages:
            flash(message, "danger")


def _report_page(report: ProgressReport):  # type: ignore[no-untyped-def]
    return redirect(url_for("rounds.report", report_id=report.id))


def _not_fillable(report: ProgressReport) -> str:
    if not report.round.is_open:
        return f"{report.round.title}调度已关闭，不能再修改填报"
    return f"填报当前状态为“{report.status.label}”，不能修改"


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(getattr(value, "value", value))


def form_data(report: ProgressReport) -> dict[str, str]:
    """A stored report as the text its inputs show (the grid compares against it)."""
    raw = input_of(report)
    return {field: _shown(getattr(raw, field)) for field in FIELDS}


# --- one report -------------------------------------------------------------------------


@require(Permission.PROGRESS_FILL)
def edit_report(report_id: int):  # type: ignore[no-untyped-def]
    report = load_report(report_id)
    if not can_fill_report(current_user, report):
        flash(_not_fillable(report), "warning")
        return _report_page(report)
    data = {**form_data(report), "version": str(report.version_id)}
    form = report_form(today=today(), data=data if request.method == "GET" else None)
    if form.validate_on_submit():
        raw = ReportInput(**{field: form[field].data for field in FIELDS})
        clean, errors = validate_report(raw, project=report.project, today=today())
        for field, messages in errors.items():
            form[field].errors = [*form[field].errors, *messages]
        if clean is not None:
            outcome = uow.run(
                lambda db: services.fill(
                    db, uow.acting(), report, clean, version=form.version.data
                ),
                form=form,
            )
            if outcome.ok:
                flash("填报已保存" + _still_open_note(), "success")
                return _report_page(report)
    return render_template("rounds/edit.html", form=form, report=report)


def _still_open_note() -> str:
    # An enterprise's part stays editable until the district submits the report.
    if has_permission(current_user, Permission.PROGRESS_SUBMIT):
        return ""
    return "（区县提交前仍可修改）"


@require(Permission.PROGRESS_SUBMIT)
def submit_report(report_id: int):  # type: ignore[no-untyped-def]
    report = load_report(report_id)
    form = ReportVersionForm()
    if not form.validate_on_submit():
        _refused(form)
        return _report_page(report)
    outcome = uow.run(
        lambda db: services.submit(db, uow.acting(), report, version=form.version.data)
    )
    if outcome.ok:
        flash("已提交市局审核" + ("（逾期提交）" if report.late else ""), "success")
    return _report_page(report)


# --- the grid ---------------------------------------------------------------------------


@dataclasses.dataclass
class GridRow:
    """One report on the grid: what its cells show and what is wrong with them."""

    report: ProgressReport
    cells: dict[str, str]
    version: str
    errors: Errors = dataclasses.field(default_factory=Errors)
    problems: list[str] = dataclasses.field(default_factory=list)  # not about one cell
    clean: CleanReport | None = None

    @property
    def bad(self) -> bool:
        return bool(self.errors or self.problems)


def _scoped(rnd: DispatchRound) -> Any:
    return visible_reports(current_user).where(ProgressReport.round_id == rnd.id)


def _fillable(session: Session, rnd: DispatchRound) -> list[ProgressReport]:
    """The round's reports in the user's scope that can still be filled, by project code."""
    stmt = _scoped(rnd).where(ProgressReport.status.in_(sorted(services.UNSUBMITTED)))
    return list(session.scalars(with_projects(stmt).order_by(Project.code, ProgressReport.id)))


def _chosen(session: Session, rnd: DispatchRound, ids: set[int]) -> dict[int, ProgressReport]:
    """The reports ``ids`` names, all of them in the user's scope and the round, or 404."""
    if not ids:
        return {}
    found = {r.id: r for r in session.scalars(with_projects(_scoped(rnd))) if r.id in ids}
    if len(found) != len(ids):
        abort(404)
    return found


def _posted_cells(form: Any) -> dict[int, dict[str, str]]:
    """report id → {field: typed text} from the grid's ``r<id>.<field>`` inputs."""
    rows: dict[int, dict[str, str]] = {}
    for name, value in form.items(multi=False):
        match = _CELL.fullmatch(name)
        if match is None or (match[2] not in FIELD_LABELS and match[2] != "version"):
            continue
        report_id = inputs.parse_id(match[1])
        if report_id is None:
            abort(404)
        rows.setdefault(report_id, {})[match[2]] = value
    return rows


def _same(typed: str, shown: str) -> bool:
    # Browsers send a textarea's newlines as CR LF.
    return typed.replace("\r\n", "\n").strip() == shown.strip()


def _checked_row(report: ProgressReport, typed: dict[str, str]) -> GridRow | None:
    """The row as typed with its errors, or None when nothing in it changed."""
    shown = form_data(report)
    cells = {field: typed.get(field, shown[field]) for field in FIELDS}
    if all(_same(cells[f], shown[f]) for f in FIELDS):
        return None
    row = GridRow(report, cells, typed.get("version", ""))
    if not row.version.strip():
        row.problems.append(MISSING_VERSION)
    elif inputs.parse_id(row.version) is None:
        row.problems.append(BAD_VERSION)
    if not can_fill_report(current_user, report):
        row.problems.append(_not_fillable(report))
    row.clean, errors = validate_report(ReportInput(**cells), project=report.project, today=today())
    row.errors.update(errors)
    return row


def _save(changed: list[GridRow]) -> Any:
    """The work of one unit: fill every changed row, or refuse them all."""

    def work(db: Session) -> int:
        failed = 0
        for row in changed:
            version = inputs.parse_id(row.version)
            assert row.clean is not None and version is not None  # checked rows only
            try:
                services.fill(db, uow.acting(), row.report, row.clean, version=version)
            except DomainError as exc:
                row.problems.append(exc.message)
                failed += 1
        if failed:
            raise DomainError(f"有 {failed} 行未能保存，本次未保存任何修改")
        return len(changed)

    return work


def _render_grid(rnd: DispatchRound, form: GridForm, rows: dict[int, GridRow]):  # type: ignore[no-untyped-def]
    session = get_session()
    reports = _fillable(session, rnd) if rnd.is_open else []
    shown = []
    for report in reports:
        row = rows.pop(report.id, None)
        if row is None:
            row = GridRow(report, form_data(report), str(report.version_id))
        shown.append(row)
    for row in rows.values():  # no longer fillable (submitted meanwhile): said here
        for problem in row.problems or ["已不能再填报"]:
            flash(f"{row.report.project.code}：{problem}", "warning")
    missing = {r.id: missing_for_submit(r) for r in reports}
    return render_template(
        "rounds/grid.html",
        rnd=rnd,
        form=form,
        rows=shown,
        fields=FIELDS,
        labels=FIELD_LABELS,
        statuses=list(ConstructionStatus),
        text_fields=TEXT_FIELDS,
        text_max=TEXT_MAX,
        date_fields=DATE_FIELDS,
        missing=missing,
        complete=sum(1 for found in missing.values() if not found),
        bad=sum(1 for r in shown if r.bad),
    )


@require(Permission.PROGRESS_SUBMIT)
def grid(round_id: int):  # type: ignore[no-untyped-def]
    rnd = load_round(round_id)
    form = GridForm()
    if request.method == "GET":
        return _render_grid(rnd, form, {})
    if not form.validate_on_submit():
        _refused(form)
        return _render_grid(rnd, form, {})
    if not rnd.is_open:
        flash(f"{rnd.title}调度已关闭，不能再填报", "warning")
        return redirect(url_for("rounds.grid", round_id=rnd.id))
    typed = _posted_cells(request.form)
    reports = _chosen(get_session(), rnd, set(typed))
    changed = [
        row
        for report_id, cells in typed.items()
        if (row := _checked_row(reports[report_id], cells)) is not None
    ]
    if not changed:
        flash("没有需要保存的修改", "info")
        return redirect(url_for("rounds.grid", round_id=rnd.id))
    bad = [row for row in changed if row.bad]
    if not bad:
        outcome = uow.run(_save(changed))
        if outcome.ok:
            flash(f"已保存 {outcome.value} 条填报", "success")
            return redirect(url_for("rounds.grid", round_id=rnd.id))
    else:
        flash(
            f"有 {len(bad)} 行填写有误，本次未保存任何修改：请按标出的单元格修改后重新保存",
            "danger",
        )
    return _render_grid(rnd, form, {row.report.id: row for row in changed})


def _pairs(values: list[str]) -> dict[int, int] | None:
    """``id:version`` values as {report id: version}; None if any is malformed."""
    pairs: dict[int, int] = {}
    for value in values:
        report_id, sep, version = value.partition(":")
        rid, ver = inputs.parse_id(report_id), inputs.parse_id(version)
        if not sep or rid is None or ver is None:
            return None
        pairs[rid] = ver
    return pairs


def _skipped_message(skipped: list[tuple[ProgressReport, str]]) -> str:
    named = []
    for report, message in skipped[:SKIPPED_SHOWN]:
        code = report.project.code
        named.append(f"{code}（{message.removeprefix(f'{code}：')}）")
    if len(skipped) > SKIPPED_SHOWN:
        named.append(f"另有 {len(skipped) - SKIPPED_SHOWN} 条，见表中各行")
    return "以下填报未提交：" + "；".join(named)


@require(Permission.PROGRESS_SUBMIT)
def submit_complete(round_id: int):  # type: ignore[no-untyped-def]
    """Submit every complete report the grid showed, at the version it showed."""
    rnd = load_round(round_id)
    back = redirect(url_for("rounds.grid", round_id=rnd.id))
    form = GridForm()
    if not form.validate_on_submit():
        _refused(form)
        return back
    pairs = _pairs(request.form.getlist("versions"))
    if pairs is None:
        flash("提交内容无效，请刷新页面后重试", "danger")
        return back
    if not pairs:
        flash("没有可提交的填报", "info")
        return back
    reports = _chosen(get_session(), rnd, set(pairs))
    chosen = [(reports[i], version) for i, version in pairs.items()]
    outcome = uow.run(lambda db: services.each(db, uow.acting(), chosen, services.submit))
    if outcome.value is not None:
        done, skipped = outcome.value
        late = sum(1 for report in done if report.late)
        if done:
            flash(
                f"已提交 {len(done)} 条填报" + (f"（其中 {late} 条逾期）" if late else ""),
                "success",
            )
        if skipped:
            flash(_skipped_message(skipped), "warning")
    return back

"""The city's review of progress reports: the queue, a decision on a selection, and the
approve / return buttons of one report.

The queue holds the submitted reports of the city's rounds, open or closed (a report
submitted late, or just before closing, still gets its review), oldest submission first.
A decision on a selection acts on what the rules allow (``services.each``) and says which
it left and why; each report is acted on at the version the page showed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import Session, contains_eager

from dispatch.access import Permission, get_or_404, require, visible_reports
from dispatch.db import get_session
from dispatch.rounds import services
from dispatch.web import uow
from dispatch.web.pagination import page_arg, paginate
from forms.round_admin import BATCH_MAX, ApproveForm, ReturnForm, ReviewForm
from models import ProgressReport, ReportStatus

# How many skipped reports a flash message names before it only counts the rest.
SKIPPED_SHOWN = 10


def _queue() -> Any:
    return (
        visible_reports(current_user)
        .join(ProgressReport.round)
        .options(contains_eager(ProgressReport.round), contains_eager(ProgressReport.project))
        .where(ProgressReport.status == ReportStatus.SUBMITTED)
        .order_by(ProgressReport.submitted_at, ProgressReport.id)
    )


def _render_queue(form: ReviewForm):  # type: ignore[no-untyped-def]
    page = paginate(get_session(), _queue(), page_arg(request.args.get("page")), BATCH_MAX)
    ticked = set(form.report_ids.data or [])
    return render_template("rounds/review.html", page=page, form=form, ticked=ticked)


@require(Permission.PROGRESS_REVIEW)
def review():  # type: ignore[no-untyped-def]
    if request.method == "GET":
        return _render_queue(ReviewForm(formdata=None, data={"decision": "approve"}))
    form = ReviewForm()
    if not form.validate_on_submit():
        return _render_queue(form)
    chosen = form.chosen()
    ids = [report_id for report_id, _version in chosen]
    db = get_session()
    found = {
        report.id: report
        for report in db.scalars(visible_reports(current_user).where(ProgressReport.id.in_(ids)))
    }
    if len(found) != len(ids):
        # Reports are never deleted: one not found is out of the reviewer's scope.
        abort(404)
    pairs = [(found[report_id], version) for report_id, version in chosen]
    decision = form.decision.data
    reason = form.reason.data

    def action(session: Session, acting: Any, report: ProgressReport, *, version: int) -> None:
        if decision == "return":
            services.return_report(session, acting, report, reason, version=version)
        else:
            services.approve(session, acting, report, version=version)

    outcome = uow.run(lambda session: services.each(session, uow.acting(), pairs, action))
    if outcome.value is None:
        return _render_queue(form)
    done, skipped = outcome.value
    verb = "退回" if decision == "return" else "审核通过"
    if done:
        flash(f"已{verb} {len(done)} 条填报", "success")
    if skipped:
        flash(_skipped_message(verb, skipped), "warning")
    return redirect(url_for("rounds.review"))


def _skipped_message(verb: str, skipped: list[tuple[ProgressReport, str]]) -> str:
    named = [f"{report.project.code}（{message}）" for report, message in skipped[:SKIPPED_SHOWN]]
    if len(skipped) > SKIPPED_SHOWN:
        named.append(f"另有 {len(skipped) - SKIPPED_SHOWN} 条")
    return f"以下填报未{verb}：" + "；".join(named)


def _load_report(report_id: int) -> ProgressReport:
    return get_or_404(get_session(), visible_reports(current_user), report_id, ProgressReport)


def _report_page(report: ProgressReport) -> str:
    return url_for("rounds.report", report_id=report.id)


def _decide(report_id: int, form: Any, act: Callable[[Session, Any], None], success: str):  # type: ignore[no-untyped-def]
    report = _load_report(report_id)
    if not form.validate_on_submit():
        for messages in form.errors.values():
            for message in messages:
                flash(message, "danger")
        return redirect(_report_page(report))
    if uow.run(lambda db: act(db, report)).ok:
        flash(f"{report.project.code}：{success}", "success")
        return redirect(url_for("rounds.review"))
    return redirect(_report_page(report))


@require(Permission.PROGRESS_REVIEW)
def approve_report(report_id: int):  # type: ignore[no-untyped-def]
    form = ApproveForm()
    return _decide(
        report_id,
        form,
        lambda db, report: services.approve(db, uow.acting(), report, version=form.version.data),
        "已审核通过",
    )


@require(Permission.PROGRESS_REVIEW)
def return_report(report_id: int):  # type: ignore[no-untyped-def]
    form = ReturnForm()
    return _decide(
        report_id,
        form,
        lambda db, report: services.return_report(
            db, uow.acting(), report, form.reason.data, version=form.version.data
        ),
        "已退回区县",
    )

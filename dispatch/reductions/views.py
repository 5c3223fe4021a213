"""Reductions pages: the region totals, a project's accounting page (planned against
confirmed, the formulas, the versions, the close-out state), the district's entry of
actual parameters and the city's confirmation (核定).

Projects come through ``visible_accounting_projects`` (404 outside the caller's scope,
and for enterprises, which have no part in accounting); every write is one unit of work.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from dispatch.access import (
    PLAN_WORKFLOW,
    Permission,
    get_or_404,
    has_permission,
    require,
    visible_accounting_projects,
)
from dispatch.clock import today
from dispatch.core.accounting import CREDIT_RULE_NAMES_ZH, POLLUTANT_LABELS, format_t
from dispatch.core.catalog import get_catalog
from dispatch.db import get_session
from dispatch.errors import DomainError
from dispatch.reductions import closeout, deviation, queries, services
from dispatch.reductions.periods import choices_around, parse_period
from dispatch.storage.current import current_storage
from dispatch.web import uow
from forms.projects import LIST_ROWS, collect_params, form_field_for_error, params_as_form_data
from forms.reductions import ConfirmForm, actuals_form
from models import ConfirmationStatus, Project, ReductionConfirmation

SHEET_ENDPOINTS = ("reductions.sheet", "reductions.sheet_pdf")


def _project(project_id: int) -> Project:
    return get_or_404(  # type: ignore[no-any-return]
        get_session(), visible_accounting_projects(current_user), project_id, Project
    )


def _year_arg(default: int) -> int:
    raw = request.args.get("year", "")
    if raw.isascii() and raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return default


def _default_year(project: Project) -> int:
    stable = project.stable_operation_from
    year = today().year
    return max(year, stable.year) if stable is not None else year


@require(Permission.ACCOUNTING_VIEW)
def index() -> Any:
    """Credited reductions against targets per region, and the projects to account."""
    try:
        period = parse_period(request.args.get("period") or str(today().year))
    except DomainError as exc:
        flash(exc.message, "danger")
        period = parse_period(str(today().year))
    session = get_session()
    return render_template(
        "reductions/index.html",
        period=period,
        periods=choices_around(period.year_from),
        rows=queries.progress(session, current_user, period),
        projects=queries.stable_projects(session, current_user),
        labels=POLLUTANT_LABELS,
        format_t=format_t,
        can_manage_targets=has_permission(current_user, Permission.TARGETS_MANAGE),
    )


@require(Permission.ACCOUNTING_VIEW)
def project(project_id: int) -> Any:
    """The project's accounting: planned against confirmed per pollutant with the deviation,
    the substituted formulas, every version with its calculation sheet, the close-out."""
    found = _project(project_id)
    session = get_session()
    catalog = get_catalog()
    versions = queries.versions(session, current_user, found)
    drafts = [v for v in versions if v.status == ConfirmationStatus.DRAFT]
    current = [v for v in versions if v.status == ConfirmationStatus.CURRENT]
    can_confirm = has_permission(current_user, Permission.ACCOUNTING_CONFIRM)
    can_close = PLAN_WORKFLOW.permits(current_user, "close", found.plan_status)
    return render_template(
        "reductions/project.html",
        project=found,
        versions=versions,
        # A superseded version names its successor: who replaced it, when and why.
        by_id={v.id: v for v in versions},
        current=current,
        comparisons={c.id: deviation.compare(found, c) for c in current},
        planned=deviation.planned(found),
        planned_formula=(found.accounting or {}).get("formula", []),
        signed=deviation.signed,
        signed_percent=deviation.signed_percent,
        # The calculation sheets are another step's routes: linked once they exist.
        has_sheet={e: e in current_app.view_functions for e in SHEET_ENDPOINTS},
        closed=closeout.closed_out(session, found),
        can_close=can_close,
        close_refusals=closeout.refusals(session, catalog, found) if can_close else [],
        drafts=drafts,
        blocked=services.blocked_reasons(session, catalog, found),
        can_enter=has_permission(current_user, Permission.ACCOUNTING_ENTER),
        can_confirm=can_confirm,
        confirm_forms={d.id: ConfirmForm(version=d.version_id, year=d.year) for d in drafts},
        labels=POLLUTANT_LABELS,
        rule_names=CREDIT_RULE_NAMES_ZH,
        format_t=format_t,
        default_year=_default_year(found),
    )


def _prefill(project: Project, year: int, draft: ReductionConfirmation | None) -> dict:
    """Fill once: the draft's values, else the latest confirmed ones, else the plan's."""
    if draft is not None:
        return dict(draft.inputs)
    versions = queries.versions(get_session(), current_user, project)
    confirmed = [v for v in versions if v.status == ConfirmationStatus.CURRENT]
    return dict(confirmed[0].inputs) if confirmed else dict(project.params or {})


@require(Permission.ACCOUNTING_ENTER)
def enter(project_id: int) -> Any:
    """The actual operating parameters of one year (a draft version for the city)."""
    found = _project(project_id)
    session = get_session()
    catalog = get_catalog()
    method = catalog.method(found.method)
    year = _year_arg(_default_year(found))
    valid = False
    if request.method == "POST":
        form = actuals_form(method)
        valid = form.validate_on_submit()
        # The year typed, once the form has checked it is one.
        if isinstance(form.year.data, int) and not form.year.errors:
            year = form.year.data
    draft = services.open_draft(session, found, year)
    if request.method == "GET":
        data = params_as_form_data(method, _prefill(found, year, draft))
        form = actuals_form(
            method,
            data={
                **data,
                "version": found.version_id,
                "draft_version": draft.version_id if draft else 0,
                "year": year,
                "reason": draft.reason if draft else "",
            },
        )
    elif valid:
        params = collect_params(form, method)  # type: ignore[arg-type]
        draft_version = form.draft_version.data or None
        engine_errors: list[Any] = []

        def work(s: Any) -> ReductionConfirmation:
            try:
                return services.enter_actuals(
                    s,
                    uow.acting(),
                    catalog,
                    found,
                    year=form.year.data,
                    params=params,
                    reason=form.reason.data,
                    version=form.version.data,
                    draft_version=draft_version,
                )
            except services.ParamsInvalid as exc:
                engine_errors.extend(exc.errors)
                raise

        if uow.run(work, form=form).ok:
            flash("实际运行参数已保存，待市局核定", "success")
            return redirect(url_for("reductions.project", project_id=found.id))
        for error in engine_errors:
            field = getattr(form, form_field_for_error(f"param:{error.param}"), None)
            if field is not None:
                field.errors = [*field.errors, error.message]
    return render_template(
        "reductions/enter.html",
        project=found,
        method=method,
        form=form,
        year=year,
        draft=draft,
        current=services.current_confirmation(session, found, year),
        list_rows=LIST_ROWS,
    )


@require(Permission.ACCOUNTING_CONFIRM)
def confirm(project_id: int) -> Any:
    """The city confirms (核定) the year's draft; refusals say why, in Chinese."""
    found = _project(project_id)
    form = ConfirmForm()
    back = redirect(url_for("reductions.project", project_id=found.id))
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "danger")
        return back
    catalog = get_catalog()

    def work(s: Any) -> ReductionConfirmation:
        return services.confirm(
            s,
            uow.acting(),
            catalog,
            found,
            year=form.year.data,
            version=form.version.data,
            storage=current_storage(),
        )

    outcome = uow.run(work)
    if outcome.ok:
        flash(f"{form.year.data}年减排量已核定", "success")
    return back

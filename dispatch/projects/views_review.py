"""City review of the plan list, change requests and withdrawal."""

from __future__ import annotations

import dataclasses

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from dispatch.access import (
    Permission,
    can_request_change,
    get_or_404,
    require,
    visible_change_requests,
    visible_enterprises,
    visible_projects,
)
from dispatch.clock import today
from dispatch.core.catalog import get_catalog
from dispatch.db import get_session
from dispatch.projects import services
from dispatch.projects.data import ProjectInput, validate_project
from dispatch.projects.views import (
    build_form,
    chosen_method,
    form_input,
    load_project,
    project_data,
    refused,
    run_action,
    validate_form,
    versioned_action,
)
from dispatch.web import uow
from forms.projects import CommentForm, ReasonForm, RejectForm, form_field_for_error
from models import ChangeRequest, ChangeRequestStatus, Enterprise, PlanStatus, Project


@require(Permission.PROJECTS_REVIEW)
def review():  # type: ignore[no-untyped-def]
    db = get_session()
    scoped = visible_projects(current_user)
    submitted = list(
        db.scalars(
            scoped.where(Project.plan_status == PlanStatus.SUBMITTED).order_by(Project.submitted_at)
        )
    )
    requests = list(
        db.scalars(
            visible_change_requests(current_user)
            .where(ChangeRequest.status == ChangeRequestStatus.PENDING)
            .order_by(ChangeRequest.submitted_at)
        )
    )
    return render_template("projects/review.html", submitted=submitted, requests=requests)


@require(Permission.PROJECTS_REVIEW)
def approve(project_id: int):  # type: ignore[no-untyped-def]
    return versioned_action(project_id, services.approve, "已审核通过，项目进入计划清单")


def _reason_action(project: Project, action, success: str):  # type: ignore[no-untyped-def]
    """A reasoned button (return, withdraw, withdrawal request) at the version shown."""
    form = ReasonForm()
    if not form.validate_on_submit():
        return refused(project, form)
    return run_action(project, lambda db: action(db, form.reason.data, form.version.data), success)


@require(Permission.PROJECTS_REVIEW)
def return_(project_id: int):  # type: ignore[no-untyped-def]
    project = load_project(project_id)
    return _reason_action(
        project,
        lambda db, reason, version: services.return_project(
            db, uow.acting(), project, reason, version=version
        ),
        "已退回区县",
    )


@require(Permission.PROJECTS_REVIEW)
def withdraw(project_id: int):  # type: ignore[no-untyped-def]
    project = load_project(project_id)
    return _reason_action(
        project,
        lambda db, reason, version: services.withdraw(
            db, uow.acting(), project, reason, version=version
        ),
        "项目已调出计划清单",
    )


@require(Permission.PROJECTS_EDIT)
def withdrawal_request(project_id: int):  # type: ignore[no-untyped-def]
    project = load_project(project_id)
    return _reason_action(
        project,
        lambda db, reason, version: services.request_change(
            db, uow.acting(), project, None, reason, version=version
        ),
        "调出申请已提交市局审核",
    )


@require(Permission.PROJECTS_EDIT)
def change(project_id: int):  # type: ignore[no-untyped-def]
    project = load_project(project_id)
    if not can_request_change(current_user, project):
        flash("只有已入库的项目可以申请变更", "warning")
        return redirect(url_for("projects.show", project_id=project.id))
    catalog = get_catalog()
    method_key = chosen_method(project)
    form = build_form(
        method_key,
        with_reason=True,
        versioned=True,
        data=project_data(project) if request.method == "GET" else None,
    )
    if form.validate_on_submit():
        raw = form_input(form, project.type_code, method_key)
        clean = validate_form(form, with_progress(raw, project) if raw is not None else None)
        if clean is not None:
            outcome = uow.run(
                lambda db: services.request_change(
                    db, uow.acting(), project, clean, form.reason.data, version=form.version.data
                ),
                form=form,
                field_name=form_field_for_error,
            )
            if outcome.ok:
                flash("变更申请已提交市局审核", "success")
                return redirect(url_for("projects.show", project_id=project.id))
    return render_template(
        "projects/form.html",
        form=form,
        etype=catalog.type(project.type_code),
        method=catalog.method(method_key),
        project=project,
        change_request=True,
    )


def _load_request(request_id: int) -> ChangeRequest:
    # Scope goes through the project, inside the query: out of scope is a 404.
    return get_or_404(
        get_session(), visible_change_requests(current_user), request_id, ChangeRequest
    )


def with_progress(raw: ProjectInput, project: Project) -> ProjectInput:
    """Construction progress is not part of a change request: keep the project's own."""
    return dataclasses.replace(
        raw,
        construction_status=project.construction_status.value,
        actual_start=project.actual_start,
        actual_completion=project.actual_completion,
        stable_operation_from=project.stable_operation_from,
    )


def _proposed_input(req: ChangeRequest) -> ProjectInput:
    """The project with the request's proposed values applied, as raw input."""
    project = req.project
    values = {**services.snapshot(project), **req.proposed}
    enterprise_id = values.pop("enterprise_id")
    # The owner the district proposed, looked up in the reviewer's scope like a form's.
    enterprise = (
        get_session().scalar(
            visible_enterprises(current_user).where(Enterprise.id == enterprise_id)
        )
        if enterprise_id
        else None
    )
    raw = ProjectInput(
        **values,
        type_code=project.type_code,
        plan_year=project.plan_year,
        district=project.district,
        enterprise=enterprise,
    )
    return with_progress(raw, project)


@require(Permission.PROJECTS_REVIEW)
def decide(request_id: int, decision: str):  # type: ignore[no-untyped-def]
    req = _load_request(request_id)
    form = CommentForm() if decision == "approve" else RejectForm()
    if not form.validate_on_submit():
        return refused(req.project, form)
    clean = None
    if decision == "approve" and req.proposed:
        clean, errors = validate_project(get_catalog(), _proposed_input(req), today=today())
        if clean is None:
            messages = "；".join(m for ms in errors.values() for m in ms)
            flash(f"变更内容未通过校验，不能批准：{messages}", "danger")
            return redirect(url_for("projects.show", project_id=req.project_id))
    return run_action(
        req.project,
        lambda db: services.decide_request(
            db,
            uow.acting(),
            req,
            approve_it=decision == "approve",
            comment=form.reason.data,
            clean=clean,
            version=form.version.data,
        ),
        "已批准申请" if decision == "approve" else "已驳回申请",
    )

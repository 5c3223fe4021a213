"""Plan-list views: list, detail, create and edit drafts, submit (thin; rules in services).

Every write goes through :func:`dispatch.web.uow.run`: one commit, and a refusal, a stale
version or a key taken by a simultaneous save shown to the user instead of a 500.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from dispatch.access import (
    Permission,
    can_edit_project,
    can_request_change,
    can_review_project,
    can_withdraw_project,
    get_or_404,
    require,
    visible_enterprises,
    visible_projects,
    visible_regions,
)
from dispatch.clock import today
from dispatch.core import inputs
from dispatch.core.catalog import CatalogError, get_catalog
from dispatch.db import get_session
from dispatch.projects import queries, services
from dispatch.projects.data import ProjectInput, validate_project
from dispatch.web import uow
from dispatch.web.pagination import page_arg, paginate
from forms.projects import (
    CommentForm,
    ProjectForm,
    ReasonForm,
    VersionForm,
    collect_params,
    form_field_for_error,
    params_as_form_data,
    project_form,
)
from models import ConstructionStatus, Enterprise, PlanStatus, Project, Region, RegionKind


def project_actions(project: Project) -> dict[str, bool]:
    """What the current user may do with ``project`` (templates and views agree)."""
    return {
        "edit": can_edit_project(current_user, project),
        "review": can_review_project(current_user, project),
        "change": can_request_change(current_user, project),
        "withdraw": can_withdraw_project(current_user, project),
    }


def load_project(project_id: int) -> Project:
    return get_or_404(get_session(), visible_projects(current_user), project_id, Project)


def _choices() -> tuple[list[Region], list[Enterprise]]:
    db = get_session()
    districts = queries.district_choices(db, visible_regions(current_user))
    enterprises = list(
        db.scalars(
            visible_enterprises(current_user).order_by(Enterprise.district_id, Enterprise.name)
        )
    )
    return districts, enterprises


def build_form(
    method_key: str, *, with_reason: bool = False, versioned: bool = False, **kwargs: Any
) -> ProjectForm:
    districts, enterprises = _choices()
    return project_form(
        get_catalog().method(method_key),
        district_choices=[(str(d.id), f"{d.name}（{d.division_code}）") for d in districts],
        enterprise_choices=[(str(e.id), f"{e.name}（{e.district.name}）") for e in enterprises],
        today=today(),
        with_reason=with_reason,
        versioned=versioned,
        **kwargs,
    )


def validate_form(form: ProjectForm, raw: ProjectInput | None):  # type: ignore[no-untyped-def]
    """``validate_project`` on the form's input (at today's Beijing date); errors on the form."""
    if raw is None:
        return None
    clean, errors = validate_project(get_catalog(), raw, today=today())
    show_errors(form, errors)
    return clean


def form_input(form: ProjectForm, type_code: str, method_key: str) -> ProjectInput | None:
    """The form's values as a ProjectInput; organisations only from the caller's scope.

    A chosen enterprise that cannot be found in the caller's scope is an error on the
    field (None is returned), never silently "no enterprise".
    """
    db = get_session()
    district = None
    if (district_id := inputs.parse_id(form.district_id.data)) is not None:
        district = db.scalar(
            visible_regions(current_user).where(
                Region.id == district_id, Region.kind == RegionKind.DISTRICT
            )
        )
    enterprise = None
    if form.enterprise_id.data:
        enterprise_id = inputs.parse_id(form.enterprise_id.data)
        if enterprise_id is not None:
            enterprise = db.scalar(
                visible_enterprises(current_user).where(Enterprise.id == enterprise_id)
            )
        if enterprise is None:
            form.enterprise_id.errors = [*form.enterprise_id.errors, "所选建设单位无效"]
            return None
    return ProjectInput(
        name=form.name.data,
        type_code=type_code,
        method=method_key,
        plan_year=form.plan_year.data,
        district=district,
        enterprise=enterprise,
        owner_unit=form.owner_unit.data,
        site_address=form.site_address.data,
        longitude=form.longitude.data,
        latitude=form.latitude.data,
        planned_start=form.planned_start.data,
        planned_completion=form.planned_completion.data,
        total_investment=form.total_investment.data,
        env_investment=form.env_investment.data,
        contact_name=form.contact_name.data,
        contact_phone=form.contact_phone.data,
        notes=form.notes.data,
        construction_status=form.construction_status.data,
        actual_start=form.actual_start.data,
        actual_completion=form.actual_completion.data,
        stable_operation_from=form.stable_operation_from.data,
        params=collect_params(form, get_catalog().method(method_key)),
    )


def show_errors(form: ProjectForm, errors: dict[str, list[str]]) -> None:
    for key, messages in errors.items():
        name = form_field_for_error(key)
        target = form._fields.get(name)
        for message in messages:
            if target is not None:
                target.errors.append(message)
            else:
                form.form_errors.append(message)


def project_data(project: Project) -> dict[str, Any]:
    """A project's stored values as form data."""
    return {
        "version": str(project.version_id),
        "name": project.name,
        "plan_year": str(project.plan_year),
        "district_id": str(project.district_id),
        "enterprise_id": str(project.enterprise_id or ""),
        "owner_unit": project.owner_unit,
        "site_address": project.site_address,
        "longitude": "" if project.longitude is None else f"{project.longitude:f}",
        "latitude": "" if project.latitude is None else f"{project.latitude:f}",
        "planned_start": project.planned_start.isoformat(),
        "planned_completion": project.planned_completion.isoformat(),
        "total_investment": f"{project.total_investment:f}",
        "env_investment": f"{project.env_investment:f}",
        "construction_status": project.construction_status.value,
        **{
            key: value.isoformat() if value else ""
            for key in ("actual_start", "actual_completion", "stable_operation_from")
            for value in [getattr(project, key)]
        },
        "contact_name": project.contact_name,
        "contact_phone": project.contact_phone,
        "notes": project.notes,
        **params_as_form_data(get_catalog().method(project.method), project.params),
    }


@require(Permission.PROJECTS_VIEW)
def index():  # type: ignore[no-untyped-def]
    db = get_session()
    catalog = get_catalog()
    filters = queries.ProjectFilters.from_args(request.args, today().year)
    stmt = queries.apply_filters(visible_projects(current_user), filters, catalog, today())
    page = paginate(db, stmt, page_arg(request.args.get("page")), per_page=30)
    districts, _ = _choices()
    return render_template(
        "projects/index.html",
        page=page,
        filters=filters,
        args=filters.as_args(),
        totals=queries.totals(db, stmt),
        catalog=catalog,
        districts=districts,
        plan_statuses=list(PlanStatus),
        construction_statuses=list(ConstructionStatus),
        today=today(),
    )


@require(Permission.PROJECTS_VIEW)
def show(project_id: int):  # type: ignore[no-untyped-def]
    project = load_project(project_id)
    catalog = get_catalog()
    return render_template(
        "projects/show.html",
        project=project,
        etype=catalog.type(project.type_code),
        method=catalog.method(project.method),
        today=today(),
        version_form=VersionForm(data={"version": project.version_id}),
        reason_form=ReasonForm(),
        comment_form=CommentForm(),
        pending=services.pending_request(get_session(), project),
    )


@require(Permission.PROJECTS_EDIT)
def new():  # type: ignore[no-untyped-def]
    catalog = get_catalog()
    type_code = (request.args.get("type") or "").upper()
    method_key = request.args.get("method") or ""
    try:
        etype = catalog.type(type_code) if type_code else None
    except CatalogError:
        etype = None
    if etype is None or method_key not in etype.methods:
        # Step 1: choose the type, then the method (plain GET form, no script needed).
        return render_template("projects/choose.html", catalog=catalog, etype=etype)
    form = build_form(
        method_key, data={"plan_year": str(today().year)} if request.method == "GET" else None
    )
    if form.validate_on_submit():
        clean = validate_form(form, form_input(form, type_code, method_key))
        if clean is not None:
            # A simultaneous create may take the generated code first: run() reruns this.
            outcome = uow.run(
                lambda db: services.create_project(db, uow.acting(), clean),
                form=form,
                field_name=form_field_for_error,
            )
            if outcome.value is not None:
                project = outcome.value
                flash(f"项目已保存为草稿，编号 {project.code}", "success")
                return redirect(url_for("projects.show", project_id=project.id))
    return render_template(
        "projects/form.html",
        form=form,
        etype=etype,
        method=catalog.method(method_key),
        project=None,
    )


@require(Permission.PROJECTS_EDIT)
def edit(project_id: int):  # type: ignore[no-untyped-def]
    project = load_project(project_id)
    if not can_edit_project(current_user, project):
        flash("只有草稿或已退回的项目可以修改；已入库项目请提交变更申请", "warning")
        return redirect(url_for("projects.show", project_id=project.id))
    catalog = get_catalog()
    method_key = chosen_method(project)
    form = build_form(
        method_key,
        versioned=True,
        data=project_data(project) if request.method == "GET" else None,
    )
    if form.validate_on_submit():
        clean = validate_form(form, form_input(form, project.type_code, method_key))
        if clean is not None:
            outcome = uow.run(
                lambda db: services.update_draft(
                    db, uow.acting(), project, clean, version=form.version.data
                ),
                form=form,
                field_name=form_field_for_error,
            )
            if outcome.ok:
                flash("修改已保存", "success")
                return redirect(url_for("projects.show", project_id=project.id))
    return render_template(
        "projects/form.html",
        form=form,
        etype=catalog.type(project.type_code),
        method=catalog.method(method_key),
        project=project,
    )


@require(Permission.PROJECTS_EDIT)
def submit(project_id: int):  # type: ignore[no-untyped-def]
    return versioned_action(project_id, services.submit, "已提交市局审核")


def versioned_action(project_id: int, service: Any, success: str):  # type: ignore[no-untyped-def]
    """A button acting on a project at the version the page showed (submit, approve)."""
    project = load_project(project_id)
    form = VersionForm()
    if not form.validate_on_submit():
        return refused(project, form)
    return run_action(
        project, lambda db: service(db, uow.acting(), project, version=form.version.data), success
    )


def refused(project: Project, form: Any):  # type: ignore[no-untyped-def]
    """A button's form did not validate (no version, a reason too long…): say why, go back."""
    for messages in form.errors.values():
        for message in messages:
            flash(message, "danger")
    return redirect(url_for("projects.show", project_id=project.id))


def chosen_method(project: Project) -> str:
    """``?method=`` switches to another method of the project's type; anything else is ignored."""
    key = request.args.get("method") or project.method
    return key if key in get_catalog().type(project.type_code).methods else project.method


def run_action(project: Project, action: Any, success: str):  # type: ignore[no-untyped-def]
    """Run one service call in the unit of work and report the outcome on the project page."""
    if uow.run(action).ok:
        flash(success, "success")
    return redirect(url_for("projects.show", project_id=project.id))

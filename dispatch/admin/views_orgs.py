"""Regions and enterprises: list and search, create, edit."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import false, or_, select
from sqlalchemy.orm import Session, selectinload

from dispatch.access import Permission, require
from dispatch.admin.common import list_args, region_choices
from dispatch.db import get_session
from dispatch.orgs import services as orgs
from dispatch.web import uow
from dispatch.web.pagination import page_arg, paginate
from forms.admin import (
    EnterpriseFilterForm,
    EnterpriseForm,
    RegionCreateForm,
    RegionEditForm,
    RegionFilterForm,
)
from models import Enterprise, Region, RegionKind


def _load(session: Session, model: type[Region] | type[Enterprise], obj_id: int):  # type: ignore[no-untyped-def]
    obj = session.get(model, obj_id)
    if obj is None:
        abort(404)
    return obj


# --- regions --------------------------------------------------------------------------


@require(Permission.ORGS_MANAGE)
def regions():  # type: ignore[no-untyped-def]
    form = RegionFilterForm(request.args)
    stmt = select(Region).options(selectinload(Region.parent)).order_by(Region.division_code)
    if form.validate():
        if q := (form.q.data or "").strip():
            stmt = stmt.where(
                or_(
                    Region.name.icontains(q, autoescape=True),
                    Region.division_code.startswith(q, autoescape=True),
                )
            )
        if form.kind.data:
            stmt = stmt.where(Region.kind == RegionKind(form.kind.data))
    else:
        stmt = stmt.where(false())
    page = paginate(get_session(), stmt, page_arg(request.args.get("page")))
    return render_template("admin/regions.html", form=form, page=page, args=list_args())


@require(Permission.ORGS_MANAGE)
def region_new():  # type: ignore[no-untyped-def]
    db = get_session()
    form = RegionCreateForm(parents=region_choices(db, RegionKind.PROVINCE, RegionKind.CITY))
    if form.validate_on_submit():
        parent = db.get(Region, form.parent_id.data) if form.parent_id.data else None
        region = uow.run(
            lambda session: orgs.create_region(
                session,
                uow.acting(),
                name=form.name.data,
                division_code=form.division_code.data.strip(),
                kind=RegionKind(form.kind.data),
                parent=parent,
            ),
            form=form,
        ).value
        if region is None:
            return render_template("admin/region_form.html", form=form, region=None), 200
        flash(f"已创建行政区划 {region.name}（{region.division_code}）", "success")
        return redirect(url_for("admin.regions"))
    return render_template("admin/region_form.html", form=form, region=None)


@require(Permission.ORGS_MANAGE)
def region_edit(region_id: int):  # type: ignore[no-untyped-def]
    db = get_session()
    region = _load(db, Region, region_id)
    form = RegionEditForm(data={"name": region.name, "division_code": region.division_code})
    if form.validate_on_submit():
        outcome = uow.run(
            lambda session: orgs.update_region(
                session,
                uow.acting(),
                region,
                name=form.name.data,
                division_code=form.division_code.data,
            ),
            form=form,
        )
        if not outcome.ok:
            return render_template("admin/region_form.html", form=form, region=region), 200
        flash(f"已保存行政区划 {region.name}（{region.division_code}）", "success")
        return redirect(url_for("admin.regions"))
    return render_template("admin/region_form.html", form=form, region=region)


# --- enterprises ----------------------------------------------------------------------


def _district_choices(session: Session) -> list[tuple[int, str]]:
    return region_choices(session, RegionKind.DISTRICT)


@require(Permission.ORGS_MANAGE)
def enterprises():  # type: ignore[no-untyped-def]
    db = get_session()
    form = EnterpriseFilterForm(request.args, districts=_district_choices(db))
    stmt = select(Enterprise).options(selectinload(Enterprise.district)).order_by(Enterprise.id)
    if form.validate():
        if q := (form.q.data or "").strip():
            stmt = stmt.where(
                or_(
                    Enterprise.name.icontains(q, autoescape=True),
                    # Codes are stored upper case; people type them in either case.
                    Enterprise.uscc.contains(q.upper(), autoescape=True),
                )
            )
        if form.district_id.data:
            stmt = stmt.where(Enterprise.district_id == form.district_id.data)
    else:
        stmt = stmt.where(false())
    page = paginate(db, stmt, page_arg(request.args.get("page")))
    return render_template("admin/enterprises.html", form=form, page=page, args=list_args())


def _enterprise_values(form: EnterpriseForm, session: Session) -> dict:  # type: ignore[type-arg]
    return {
        "name": form.name.data,
        "uscc": form.uscc.data,
        "district": session.get(Region, form.district_id.data) if form.district_id.data else None,
        "address": form.address.data or "",
        "industry": form.industry.data or "",
        "permit_number": form.permit_number.data or None,
    }


@require(Permission.ORGS_MANAGE)
def enterprise_new():  # type: ignore[no-untyped-def]
    db = get_session()
    form = EnterpriseForm(districts=_district_choices(db))
    if form.validate_on_submit():
        enterprise = uow.run(
            lambda session: orgs.create_enterprise(
                session, uow.acting(), **_enterprise_values(form, session)
            ),
            form=form,
        ).value
        if enterprise is None:
            return render_template("admin/enterprise_form.html", form=form, enterprise=None), 200
        flash(f"已创建企业 {enterprise.name}", "success")
        return redirect(url_for("admin.enterprises"))
    return render_template("admin/enterprise_form.html", form=form, enterprise=None)


@require(Permission.ORGS_MANAGE)
def enterprise_edit(enterprise_id: int):  # type: ignore[no-untyped-def]
    db = get_session()
    enterprise = _load(db, Enterprise, enterprise_id)
    form = EnterpriseForm(
        districts=_district_choices(db),
        data={
            "name": enterprise.name,
            "uscc": enterprise.uscc,
            "district_id": enterprise.district_id,
            "address": enterprise.address,
            "industry": enterprise.industry,
            "permit_number": enterprise.permit_number or "",
        },
    )
    if form.validate_on_submit():
        outcome = uow.run(
            lambda session: orgs.update_enterprise(
                session, uow.acting(), enterprise, **_enterprise_values(form, session)
            ),
            form=form,
        )
        if not outcome.ok:
            return render_template(
                "admin/enterprise_form.html", form=form, enterprise=enterprise
            ), 200
        flash(f"已保存企业 {enterprise.name}", "success")
        return redirect(url_for("admin.enterprises"))
    return render_template("admin/enterprise_form.html", form=form, enterprise=enterprise)

"""Regions and enterprises: list and search, create, edit."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import false, or_, select
from sqlalchemy.orm import Session, selectinload

from dispatch.access import Permission, require
from dispatch.admin.common import acting_user, list_args, region_choices, show_error
from dispatch.db import get_session
from dispatch.errors import DomainError
from dispatch.orgs import services as orgs
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
        try:
            region = orgs.create_region(
                db,
                name=form.name.data,
                division_code=form.division_code.data.strip(),
                kind=RegionKind(form.kind.data),
                parent=parent,
                actor=acting_user(),
            )
        except DomainError as exc:
            db.rollback()
            show_error(form, exc)
            return render_template("admin/region_form.html", form=form, region=None), 200
        db.commit()
        flash(f"已创建行政区划 {region.name}（{region.division_code}）", "success")
        return redirect(url_for("admin.regions"))
    return render_template("admin/region_form.html", form=form, region=None)


@require(Permission.ORGS_MANAGE)
def region_edit(region_id: int):  # type: ignore[no-untyped-def]
    db = get_session()
    region = _load(db, Region, region_id)
    form = RegionEditForm(data={"name": region.name, "division_code": region.division_code})
    if form.validate_on_submit():
        try:
            orgs.update_region(
                db,
                region,
                name=form.name.data,
                division_code=form.division_code.data,
                actor=acting_user(),
            )
        except DomainError as exc:
            db.rollback()
            show_error(form, exc)
            return render_template("admin/region_form.html", form=form, region=region), 200
        db.commit()
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
        try:
            enterprise = orgs.create_enterprise(
                db, **_enterprise_values(form, db), actor=acting_user()
            )
        except DomainError as exc:
            db.rollback()
            show_error(form, exc)
            return render_template("admin/enterprise_form.html", form=form, enterprise=None), 200
        db.commit()
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
        try:
            orgs.update_enterprise(
                db, enterprise, **_enterprise_values(form, db), actor=acting_user()
            )
        except DomainError as exc:
            db.rollback()
            show_error(form, exc)
            return render_template(
                "admin/enterprise_form.html", form=form, enterprise=enterprise
            ), 200
        db.commit()
        flash(f"已保存企业 {enterprise.name}", "success")
        return redirect(url_for("admin.enterprises"))
    return render_template("admin/enterprise_form.html", form=form, enterprise=enterprise)

"""Helpers the admin view modules share (list filters, region choices)."""

from __future__ import annotations

from typing import Any

from flask import request
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Region, RegionKind


def list_args() -> dict[str, Any]:
    """The current filters, for the pager's links."""
    return {k: v for k, v in request.args.items() if k != "page" and v}


def region_label(region: Region) -> str:
    return f"{region.name}（{region.division_code}，{region.kind.label}级）"


def region_choices(session: Session, *kinds: RegionKind) -> list[tuple[int, str]]:
    """Regions for a select, in division-code order (which follows the tree)."""
    stmt = select(Region).order_by(Region.division_code)
    if kinds:
        stmt = stmt.where(Region.kind.in_(kinds))
    return [(r.id, region_label(r)) for r in session.scalars(stmt)]

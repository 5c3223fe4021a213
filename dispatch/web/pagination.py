"""Offset pagination over a select, counting with the same filters."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from dispatch.core import inputs


@dataclasses.dataclass(frozen=True)
class Page:
    items: list[Any]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def paginate(session: Session, stmt: Select[Any], page: int, per_page: int = 50) -> Page:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    pages = max(1, math.ceil(total / per_page))
    number = min(max(1, page), pages)
    items = list(session.scalars(stmt.limit(per_page).offset((number - 1) * per_page)))
    return Page(items, number, per_page, total)


def page_arg(value: str | None) -> int:
    """``?page=`` parsed leniently: garbage (Unicode digits included) means page 1, a page
    beyond the database's range the last one (``paginate`` clamps), never an error page."""
    try:
        number = inputs.parse_int(value or "1", "页码")
    except inputs.InputError as exc:
        return inputs.DB_INT_MAX if exc.kind == "range" else 1
    return min(max(1, number), inputs.DB_INT_MAX)

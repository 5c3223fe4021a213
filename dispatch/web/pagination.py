"""Offset pagination over a select, counting with the same filters."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session


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
    """``?page=`` parsed leniently: garbage means page 1, never an error page."""
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1

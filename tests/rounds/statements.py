"""Count the SQL statements a piece of code sends (to show a figure costs one query)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session


@contextlib.contextmanager
def statements(db: Session) -> Iterator[list[str]]:
    """The statements sent on ``db``'s connection inside the block, in order."""
    seen: list[str] = []
    engine = db.get_bind()

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)

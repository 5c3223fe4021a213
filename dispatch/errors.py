"""Domain exceptions carrying a user-facing Chinese message."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the action; ``message`` is shown to the user as is."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class StaleObjectError(DomainError):
    """Someone else saved the object first (optimistic locking)."""

    def __init__(self) -> None:
        super().__init__("已被他人修改，请刷新后重试")

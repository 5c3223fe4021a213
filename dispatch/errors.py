"""Domain exceptions carrying a user-facing Chinese message."""

from __future__ import annotations

from dispatch.core import inputs


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


def clean_text_field(text: str | None, label: str, *, field: str, max_length: int) -> str:
    """A free-text field (a reason, a note) through the shared input hygiene
    (:func:`dispatch.core.inputs.clean_text`, multi-line), its refusal as a
    :class:`DomainError` on ``field`` so the form shows it beside the field."""
    try:
        return inputs.clean_text(text, label, max_length=max_length, multiline=True)
    except inputs.InputError as exc:
        raise DomainError(exc.message, field=field) from exc

"""The upload view flow every workbook import page shares.

:func:`upload_page` is the whole view: show the page, or read at most one byte more than
:data:`~dispatch.workbooks.importer.MAX_BYTES` of the upload (enough for the reader to
refuse a larger file without holding all of it), run the import in the unit of work (one
commit; a lost race on a generated code is rerun there) and hand what it created to the
feature's success response. On :class:`~dispatch.workbooks.importer.Rejected` the work is
rolled back, the refusal is recorded in its own commit and the page is shown again with
the first :data:`SHOWN_ERRORS` errors.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from dispatch.audit import Acting
from dispatch.web import uow
from dispatch.workbooks import importer
from dispatch.workbooks.importer import CellError, Rejected, record_rejected

T = TypeVar("T")
# The import itself: (session, acting, the file's bytes, the file's name) → what it created.
Work = Callable[[Session, Acting, bytes, str], T]

# A report of thousands of lines helps nobody; the first ones show what to fix.
SHOWN_ERRORS = 500


@dataclasses.dataclass(frozen=True)
class Received(Generic[T]):
    """What the import returned (committed), or the errors of a refused upload."""

    value: T | None = None
    errors: list[CellError] = dataclasses.field(default_factory=list)
    ok: bool = False


def receive(upload: FileStorage, work: Work[T]) -> Received[T]:
    """Run ``work`` on the uploaded file, committed once.

    A refusal's message is flashed by the unit of work; a :class:`Rejected` upload is also
    recorded as a failed import and its errors returned.
    """
    filename = upload.filename or ""
    data = upload.read(importer.MAX_BYTES + 1)
    acting = uow.acting()
    refused: list[Rejected] = []

    def attempt(session: Session) -> T:
        try:
            return work(session, acting, data, filename)
        except Rejected as exc:
            refused.append(exc)
            raise

    outcome = uow.run(attempt)
    if refused:
        rejected = refused[-1]
        uow.run(lambda session: record_rejected(session, acting, rejected, filename))
        return Received(errors=rejected.errors)
    return Received(value=outcome.value, ok=outcome.ok)


def error_report(errors: list[CellError]) -> dict[str, Any]:
    """Template context of the error list: the first :data:`SHOWN_ERRORS` and the total."""
    return {"errors": errors[:SHOWN_ERRORS], "error_total": len(errors)}


def upload_page(
    form: FlaskForm,
    work: Work[T],
    page: Callable[[list[CellError]], ResponseReturnValue],
    imported: Callable[[T], ResponseReturnValue],
) -> ResponseReturnValue:
    """An import page: ``page(errors)`` shows it, ``imported(value)`` answers a success.

    ``form`` has the upload in its ``file`` field.
    """
    if not form.validate_on_submit():
        return page([])
    received = receive(form.file.data, work)
    if not received.ok:
        return page(received.errors)
    return imported(received.value)  # type: ignore[arg-type]

"""The properties every fuzz example checks.

:func:`check_answer`: no answer is a 5xx, and what the user is told is Chinese (a refusal
must say something, and a field it marks as refused a message naming the field).
:func:`refusal_changed_nothing`: a form shown again as refused left every table but the
audit log as it was. :func:`check_export`: the city's plan-list export of every year that
has projects still answers 200, opens with openpyxl and holds no formula cell, nor text
that begins like one without the quote prefix (what was stored cannot break it or inject
into it).
"""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from dispatch.workbooks.writer import FORMULA_START, XLSX_MIMETYPE
from models import Project
from tests.access.test_route_access import fingerprint
from tests.fuzz.arena import EXPORT_YEAR, Arena
from tests.fuzz.pages import check_messages

# Years the export form accepts (a stored year outside cannot be exported at all).
EXPORTABLE = range(2000, 2101)
# The login, second-step and password forms count failed attempts: a refusal there
# writes by design.
WRITES_WHEN_REFUSED = {"auth.login", "auth.second_step", "auth.change_password"}


def _html(response: TestResponse) -> str | None:
    return response.get_data(as_text=True) if response.mimetype == "text/html" else None


def check_answer(
    client: FlaskClient, response: TestResponse, where: str, *, read_only: bool = False
) -> int:
    """No 5xx; what the user is told is Chinese. Returns the status.

    A form answered with 200 is a refused form shown again and must say why, unless the
    request only reads (``read_only``: a filter shown with its results); every field it
    marks as refused shows a message that names the field. An error page must
    say what went wrong. A redirect's flashes are read on the page it leads to (a request
    that only reads is redirected only when refused, so there must be one); a workbook
    must open.
    """
    status = response.status_code
    body = _html(response)
    workbook = response.get_data() if response.mimetype == XLSX_MIMETYPE else None
    response.close()
    assert status < 500, f"{where}: HTTP {status}"
    if 300 <= status < 400:
        location = response.headers["Location"]
        follow = client.get(location)
        shown = _html(follow)
        follow.close()
        assert follow.status_code < 500, f"{where} → {location}: HTTP {follow.status_code}"
        if shown is not None:
            check_messages(shown, refusal=read_only, where=f"{where} → {location}")
    elif workbook is not None:
        open_export(workbook, where)
    elif body is not None:
        refusal = status >= 400 or not read_only
        check_messages(body, refusal=refusal, where=f"{where} (HTTP {status})")
    return status


def state(arena: Arena) -> dict[str, list[Any]]:
    """Every row of every table but the audit log."""
    with arena.session() as session:
        return fingerprint(session)


def refusal_changed_nothing(
    before: dict[str, list[Any]], after: dict[str, list[Any]], where: str
) -> None:
    changed = sorted(t for t in before if before[t] != after.get(t))
    assert not changed, f"{where}: refused, yet tables changed: {changed}"


def _injectable(cell: Any) -> bool:
    """A formula cell, or text a spreadsheet would evaluate when copied or re-entered
    (it begins like a formula and lacks the quote prefix)."""
    kind = getattr(cell, "data_type", None)
    if kind == "f":
        return True
    value = cell.value if kind == "s" else None
    return bool(value) and value[0] in FORMULA_START and not cell.style_array.quotePrefix


def open_export(data: bytes, where: str) -> None:
    """The workbook opens, every cell reads, none is a formula and no formula-looking text
    lacks the quote prefix (formula injection)."""
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        formulas = [
            f"{sheet.title}!{cell.coordinate}: {str(cell.value)[:60]!r}"
            for sheet in workbook.worksheets
            for cells in sheet.iter_rows()
            for cell in cells
            if _injectable(cell)
        ]
    finally:
        workbook.close()
    assert not formulas, f"{where}: formulas or unquoted formula-looking text: {formulas[:5]}"


def export_years(arena: Arena) -> list[int]:
    with arena.session() as session:
        years = set(session.scalars(select(Project.plan_year).distinct()))
    return sorted({EXPORT_YEAR, *(y for y in years if y in EXPORTABLE)})[:4]


def check_export(arena: Arena) -> None:
    """The city's plan-list export of every stored year still answers 200 and opens.

    Called after an example that stored something: an export depends on nothing else.
    """
    for year in export_years(arena):
        response = arena.exporter.get(f"/projects/export.xlsx?year={year}&status=all")
        try:
            data, status = response.get_data(), response.status_code
        finally:
            response.close()
        where = f"the city's export of {year}"
        assert status == 200, f"{where} answers HTTP {status}"
        open_export(data, where)

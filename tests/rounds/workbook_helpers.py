"""Helpers of the workbook tests: downloads, uploads, cells by header, report states."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl

from dispatch.audit import Acting
from dispatch.rounds import services
from models import ProgressReport
from tests.conftest import START, post_form

FILL_SHEET, MISSING_SHEET, PROGRESS_SHEET = "进展填报", "缺报与逾期", "进展调度"


def get(client: Any, path: str) -> Any:
    response = client.get(path)
    data = response.get_data()
    response.close()
    return response, data


def book(data: bytes, **kw: Any) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data), **kw)


def rows(sheet: Any) -> list[dict[str, Any]]:
    """Each data row as header → cell (the openpyxl cell, to check its type too)."""
    headers = [c.value for c in sheet[1]]
    return [dict(zip(headers, row, strict=False)) for row in sheet.iter_rows(min_row=2)]


def by_code(sheet: Any) -> dict[str, dict[str, Any]]:
    return {row["项目编号"].value: row for row in rows(sheet)}


def to_bytes(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client: Any, round_id: int, data: bytes, name: str = "填报.xlsx") -> Any:
    return post_form(
        client,
        f"/rounds/{round_id}/import",
        {"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def submit(db: Any, user: Any, report: ProgressReport, at: dt.datetime = START) -> None:
    services.submit(db, Acting(user, at), report, version=report.version_id)
    db.flush()


def state(report: ProgressReport) -> dict[str, Any]:
    return {
        "status": report.status,
        "version": report.version_id,
        "construction_status": report.construction_status,
        "percent_complete": report.percent_complete,
        "investment_month": report.investment_month,
        "investment_cumulative": report.investment_cumulative,
        "actual_start": report.actual_start,
        "actual_completion": report.actual_completion,
        "stable_operation_from": report.stable_operation_from,
        "description": report.description,
        "problems": report.problems,
        "next_steps": report.next_steps,
    }


def states(db: Any, rounds: Any) -> dict[str, dict[str, Any]]:
    db.expire_all()
    return {key: state(rounds.report(db, key)) for key in ("ent", "pub", "b")}


def fill_book(client: Any, round_id: int) -> openpyxl.Workbook:
    response, data = get(client, f"/rounds/{round_id}/fill.xlsx")
    assert response.status_code == 200, response.status_code
    return book(data)


def set_cells(sheet: Any, code: str, **values: Any) -> None:
    headers = {c.value: c.column for c in sheet[1]}
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, headers["项目编号"]).value == code:
            for header, value in values.items():
                sheet.cell(row, headers[header]).value = value
            return
    raise AssertionError(f"{code} not in the sheet")

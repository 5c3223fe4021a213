"""The audit log as a workbook: the filtered events, streaming, through the house writer.

Rows are read in batches (``yield_per``) and written by xlsxwriter in constant-memory
mode, so neither the query nor the workbook grows with the log; times are real Excel
date-times in Beijing time. A second sheet says who exported what filter when, so a
copy passed around still tells where it came from.

The web export is bounded (:data:`MAX_WEB_ROWS`: a request should not write for minutes);
``dispatch audit export`` writes up to what one sheet can hold.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from dispatch.auditlog.categories import BY_KEY, OUTCOME_LABELS, action_label, categories_of
from dispatch.auditlog.queries import AuditCriteria
from dispatch.core.beijing import CHINA_TZ
from dispatch.workbooks.layout import Column, LayoutError, load_sheet_columns, parse_columns
from dispatch.workbooks.writer import WorkbookWriter
from models import AuditEvent

LAYOUT_FILE = Path(__file__).with_name("export_layout.yaml")
KEYS = (
    "id",
    "occurred_at",
    "actor",
    "action",
    "action_label",
    "category",
    "object_type",
    "object_id",
    "outcome",
    "remote_addr",
    "details",
    "hash",
)
CONDITION_KEYS = ("name", "value")
# What a request may write (20,000 rows took 30 s on a two-core machine under a load of
# five, a few times faster idle); more is the command's job.
MAX_WEB_ROWS = 50_000
# One sheet holds 1,048,576 rows, the header among them.
MAX_ROWS = 1_048_575
# Excel keeps at most 32,767 characters in a cell.
CELL_LIMIT = 32_000
CRITERIA_LABELS = {
    "category": "类别",
    "actor": "操作人",
    "action": "操作",
    "object_type": "对象类型",
    "object_id": "对象编号",
    "remote_addr": "来源地址",
    "outcome": "结果",
    "date_from": "开始日期",
    "date_to": "结束日期",
}
SYSTEM = "（系统）"


@dataclasses.dataclass(frozen=True)
class ExportLayout:
    sheet: str
    filename: str
    columns: tuple[Column, ...]
    conditions_sheet: str
    conditions_columns: tuple[Column, ...]

    def download_name(self, criteria: AuditCriteria, today: dt.date) -> str:
        start = criteria.date_from.isoformat() if criteria.date_from else "最早"
        end = (criteria.date_to or today).isoformat()
        return self.filename.format(start=start, end=end)


@functools.cache
def get_layout() -> ExportLayout:
    raw, columns = load_sheet_columns(LAYOUT_FILE, KEYS)
    errors: list[str] = []
    conditions = parse_columns(raw.get("conditions_columns"), "conditions", CONDITION_KEYS, errors)
    for key in ("sheet", "filename", "conditions_sheet"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            errors.append(f"{key}: 不能为空")
    if errors:
        raise LayoutError(LAYOUT_FILE.name, errors)
    return ExportLayout(
        sheet=raw["sheet"],
        filename=raw["filename"],
        columns=tuple(columns),
        conditions_sheet=raw["conditions_sheet"],
        conditions_columns=tuple(c for c in conditions if isinstance(c, Column)),
    )


def _details(details: dict[str, Any]) -> str:
    text = json.dumps(details or {}, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= CELL_LIMIT else text[:CELL_LIMIT] + "…（过长，已截断）"


def _cells(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        # xlsxwriter writes naive date-times; the auditor reads Beijing time.
        "occurred_at": event.occurred_at.astimezone(CHINA_TZ).replace(tzinfo=None),
        "actor": event.actor_username or SYSTEM,
        "action": event.action,
        "action_label": action_label(event.action),
        "category": categories_of(event.action),
        "object_type": event.object_type,
        "object_id": event.object_id,
        "outcome": OUTCOME_LABELS.get(event.outcome.value, event.outcome.value),
        "remote_addr": event.remote_addr,
        "details": _details(event.details),
        "hash": event.hash,
    }


def _condition_rows(
    criteria: AuditCriteria, rows: int, exported_at: dt.datetime, exported_by: str
) -> list[tuple[str, Any]]:
    used = criteria.as_details()
    if "category" in used:
        used["category"] = BY_KEY[used["category"]].label
    if "outcome" in used:
        used["outcome"] = OUTCOME_LABELS[used["outcome"]]
    return [
        ("导出时间", exported_at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S（北京时间）")),
        ("导出人", exported_by or SYSTEM),
        ("事件条数", str(rows)),
        *((CRITERIA_LABELS[k], v) for k, v in used.items()),
        *([("筛选条件", "无（全部事件）")] if not used else []),
    ]


def write_events(
    session: Session,
    stmt: Select[tuple[AuditEvent]],
    out: IO[bytes],
    *,
    criteria: AuditCriteria,
    exported_at: dt.datetime,
    exported_by: str,
    batch_size: int = 1000,
) -> int:
    """Write the events of ``stmt`` in id order into ``out``; returns how many."""
    layout = get_layout()
    keys = [c.key for c in layout.columns]
    rows = 0
    with WorkbookWriter(out) as book:
        sheet = book.sheet(layout.sheet, layout.columns)
        ordered = stmt.order_by(AuditEvent.id).execution_options(yield_per=batch_size)
        with session.scalars(ordered) as events:
            for event in events:
                cells = _cells(event)
                sheet.row([cells[k] for k in keys])
                rows += 1
                session.expunge(event)
        sheet.filter_all()
        cover = book.sheet(layout.conditions_sheet, layout.conditions_columns)
        for name, value in _condition_rows(criteria, rows, exported_at, exported_by):
            cover.row([name, value])
    return rows

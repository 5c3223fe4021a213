"""The importer skeleton: header matching, blank rows and row numbers, the row limit,
errors sorted as they stand in the file, the guarded open and the refusal's audit event."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import select

from dispatch.audit import Acting
from dispatch.workbooks import importer
from dispatch.workbooks.importer import (
    CellError,
    ImportSpec,
    Reading,
    Rejected,
    open_workbook,
    record_rejected,
)
from dispatch.workbooks.layout import Column
from models import AuditEvent, AuditOutcome
from tests.conftest import START

SPEC = ImportSpec(
    noun="样品",
    audit_action="sample.import",
    audit_object_type="sample_import",
    not_xlsx_hint="请使用模板",
    no_data="文件中没有样品数据",
)
COLUMNS = (
    Column("seq", "序号", 6, "integer"),
    Column("name", "名称", 20, required=True),
    Column("code", "代码", 10, required=True),
    Column("note", "备注", 20),
)


def _rows(reading: Reading, rows: list[tuple], title: str = "表") -> list:
    return list(reading.rows(title, iter(rows), COLUMNS, blank_ignoring={"序号"}))


def test_columns_are_matched_by_header_text_in_any_order() -> None:
    reading = Reading(SPEC)
    found = _rows(reading, [("代码", None, "名称"), (" 001 ", None, "甲"), ("002", "x", "乙")])
    assert reading.errors == []
    assert [(r.row, r.text("名称"), r.text("代码"), r.raw("代码")) for r in found] == [
        (2, "甲", "001", "001"),
        (3, "乙", "002", "002"),
    ]
    assert found[0].text("备注") == ""  # a column the sheet does not have reads as empty


def test_unknown_duplicate_and_missing_headers_are_all_reported() -> None:
    reading = Reading(SPEC)
    assert _rows(reading, [("名称", "名称", "编号" * 30), ("甲", "甲", "x")]) == []
    assert reading.errors == [
        CellError("表", 1, "名称", "列“名称”重复出现"),
        CellError(
            "表", 1, "编号" * 30,
            f"无法识别的列“{('编号' * 30)[:40]}…”；表头只能是：序号、名称、代码、备注",
        ),
        CellError("表", 1, "代码", "缺少列“代码”"),
    ]  # fmt: skip


def test_long_layouts_do_not_list_every_header() -> None:
    many = tuple(Column(f"c{i}", f"列{i}", 5) for i in range(importer.LIST_ALLOWED_UP_TO + 1))
    reading = Reading(SPEC)
    list(reading.rows("表", iter([("怪列",)]), many))
    assert reading.errors == [CellError("表", 1, "怪列", "无法识别的列“怪列”")]


def test_blank_rows_are_skipped_and_keep_their_numbers() -> None:
    reading = Reading(SPEC)
    rows = [
        ("序号", "名称", "代码"),
        (1, "甲", "001"),
        (2, None, "  "),  # only the pre-filled 序号: blank
        (),
        (4, "丁", None),
    ]
    assert [r.row for r in _rows(reading, rows)] == [2, 5]
    # Blank rows are skipped but still count against the limit (issue 8: near-empty rows).
    assert reading.rows_read == 4


def test_row_limit_counts_every_sheet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer, "MAX_ROWS", 3)
    reading = Reading(SPEC)
    header = ("名称", "代码")
    _rows(reading, [header, ("甲", "1"), ("乙", "2")], title="一")
    with pytest.raises(Rejected) as caught:
        _rows(reading, [header, ("丙", "3"), ("丁", "4")], title="二")
    assert caught.value.errors == [
        CellError(
            "",
            None,
            "",
            "工作表行数超过 3 行（空行也计入），请删除多余的空行或拆分为多个文件分批导入",
        )
    ]
    assert "未导入任何样品" in caught.value.message


def test_errors_come_out_in_sheet_row_and_column_order() -> None:
    reading = Reading(SPEC)
    first = _rows(reading, [("代码", "名称"), ("1", "甲"), ("2", "乙")], title="一")
    second = _rows(reading, [("名称", "代码"), ("丙", "3")], title="二")
    reading.add_at(second[0], "名称", "d")
    reading.add_at(first[1], "名称", "c")
    reading.add_at(first[1], "代码", "b")
    reading.add_at(first[0], "名称", "a")
    with pytest.raises(Rejected) as caught:
        reading.raise_if_errors()
    assert [e.message for e in caught.value.errors] == ["a", "b", "c", "d"]
    assert caught.value.message == "导入失败：发现 4 处问题，未导入任何样品，请修改后重新上传。"


def test_no_errors_no_rejection() -> None:
    Reading(SPEC).raise_if_errors()


def _xlsx(*rows: tuple) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "上传的文件为空"),
        (b"name,code\n", "文件不是有效的 .xlsx 格式，请使用模板"),
        (b"PK\x03\x04 broken", "无法读取该文件：文件已损坏或不是有效的 .xlsx 格式"),
        (b"\xd0\xcf\x11\xe0 old", "不支持旧版 .xls 格式"),
    ],
)
def test_unreadable_files_are_refused_as_a_whole(data: bytes, message: str) -> None:
    with pytest.raises(Rejected) as caught:
        open_workbook(data, Reading(SPEC), lambda book: None)
    [error] = caught.value.errors
    assert (error.sheet, error.row, error.column) == ("", None, "")
    assert message in error.message


def test_too_large_a_file_is_refused_before_opening(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _xlsx(("名称", "代码"), ("甲", "1"))
    monkeypatch.setattr(importer, "MAX_BYTES", len(data) - 1)
    with pytest.raises(Rejected, match="导入失败"):
        open_workbook(data, Reading(SPEC), lambda book: pytest.fail("opened"))


def test_a_file_without_data_is_refused() -> None:
    reading = Reading(SPEC)
    data = _xlsx(("名称", "代码"))
    found = open_workbook(
        data, reading, lambda book: _rows(reading, list(book.active.iter_rows(values_only=True)))
    )
    with pytest.raises(Rejected) as caught:
        reading.refuse_if_empty(bool(found))
    assert caught.value.errors[0].message == "文件中没有样品数据"


def test_refused_upload_is_audited(db, world) -> None:  # type: ignore[no-untyped-def]
    acting = Acting(world.users["admin"], START, "192.0.2.7")
    rejected = Rejected([CellError("表", 2, "名称", "x")] * 12, SPEC)
    record_rejected(db, acting, rejected, "样品" * 200 + ".xlsx")
    db.commit()
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "sample.import"))
    assert event is not None
    assert (event.object_type, event.outcome) == ("sample_import", AuditOutcome.FAILURE)
    assert event.actor_id == world.users["admin"].id and event.remote_addr == "192.0.2.7"
    assert event.details == {"filename": ("样品" * 200 + ".xlsx")[:255], "errors": 12}

"""Enterprise import from .xlsx: all rows or none, with a report by row and column."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch.workbooks import importer
from dispatch.workbooks.writer import XLSX_MIMETYPE
from models import AuditEvent, AuditOutcome, Enterprise
from models.orgs import uscc_check_char
from tests.conftest import post_form
from tests.factories import World

HEADER = ["企业名称", "统一社会信用代码", "所属区县代码", "地址", "行业", "排污许可证编号"]
PATH = "/admin/enterprises/import"


def _uscc(serial: int) -> str:
    first17 = f"91990101MA{serial:07d}"
    return first17 + uscc_check_char(first17)


def _xlsx(rows: list[list[Any]], header: list[str] | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER if header is None else header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(client: FlaskClient, data: bytes, filename: str = "企业.xlsx"):  # type: ignore[no-untyped-def]
    return post_form(
        client,
        PATH,
        {"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def _count(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count(Enterprise.id))) or 0


def _import_events(db: Session) -> list[AuditEvent]:
    db.expire_all()
    stmt = select(AuditEvent).where(AuditEvent.action == "admin.enterprise.import")
    return list(db.scalars(stmt.order_by(AuditEvent.id)))


def _error_rows(html: str) -> str:
    """The error table only, so assertions do not match the instructions text."""
    start = html.index('data-testid="import-errors"')
    return html[start : html.index("</table>", start)]


def test_valid_workbook_imports_every_row(db, world, login_as):  # type: ignore[no-untyped-def]
    rows = [
        ["一号纸业有限公司", _uscc(1), "990101", "纸业路 1 号", "造纸", "PERMIT-001"],
        # District code typed as a number, credit code in lower case with spaces.
        ["二号钢铁有限公司", f" {_uscc(2).lower()} ", 990102, "", "钢铁", None],
        ["三号水泥有限公司", _uscc(3), 990101.0, None, None, ""],
    ]
    before = _count(db)
    response = _upload(login_as("admin"), _xlsx(rows))
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/enterprises"
    assert _count(db) == before + 3

    second = db.scalar(select(Enterprise).where(Enterprise.uscc == _uscc(2)))
    assert second is not None
    assert (second.name, second.district_id) == ("二号钢铁有限公司", world.district_b.id)
    assert second.permit_number is None
    third = db.scalar(select(Enterprise).where(Enterprise.uscc == _uscc(3)))
    assert third is not None and third.district_id == world.district_a.id

    # One event for the import, naming every enterprise it created.
    [summary] = _import_events(db)
    assert summary.object_type == "enterprise_import"
    assert summary.outcome == AuditOutcome.SUCCESS
    assert (summary.details["filename"], summary.details["rows"]) == ("企业.xlsx", 3)
    assert sorted(summary.details["enterprises"]) == sorted(
        [e.id, e.uscc]
        for e in db.scalars(
            select(Enterprise).where(Enterprise.uscc.in_([_uscc(n) for n in (1, 2, 3)]))
        )
    )
    assert summary.actor_id == world.users["admin"].id


def test_columns_may_come_in_any_order(db, world, login_as):  # type: ignore[no-untyped-def]
    header = list(reversed(HEADER))
    row = list(reversed(["倒序企业", _uscc(7), "990101", "地址", "行业", ""]))
    assert _upload(login_as("admin"), _xlsx([row], header)).status_code == 302
    db.expire_all()
    enterprise = db.scalar(select(Enterprise).where(Enterprise.uscc == _uscc(7)))
    assert enterprise is not None and enterprise.name == "倒序企业"


def test_workbook_with_bad_rows_imports_nothing(db, world, login_as):  # type: ignore[no-untyped-def]
    broken = _uscc(4)[:-1] + ("0" if _uscc(4)[-1] != "0" else "1")
    rows = [
        ["好企业甲", _uscc(10), "990101", "", "", ""],  # row 2: fine on its own
        ["坏代码企业", broken, "990101", "", "", ""],  # row 3
        ["重复企业", _uscc(10), "990102", "", "", ""],  # row 4: same code as row 2
        ["已存在企业", world.enterprise_a.uscc, "990101", "", "", ""],  # row 5
        ["未知区县企业", _uscc(11), "123456", "", "", ""],  # row 6
        ["市级企业", _uscc(12), world.city.division_code, "", "", ""],  # row 7
        [None, _uscc(13), "990101", "", "", ""],  # row 8: no name
        ["缺代码企业", "", "99010", "", "", ""],  # row 9: no code, malformed district
        [],  # row 10: blank rows are skipped, but keep the numbering
        ["超长企业" + "厂" * 130, _uscc(14), "990101", "", "", ""],  # row 11
    ]
    before = _count(db)
    events_before = len(_import_events(db))
    response = _upload(login_as("admin"), _xlsx(rows))
    assert response.status_code == 200
    assert _count(db) == before

    html = response.get_data(as_text=True)
    assert "导入失败" in html and "未导入任何企业" in html
    table = _error_rows(html)
    expected = [
        (3, "统一社会信用代码", "校验位符合 GB 32100-2015"),
        (4, "统一社会信用代码", "与第 2 行重复"),
        (5, "统一社会信用代码", f"已被系统中的企业“{world.enterprise_a.name}”使用"),
        (6, "所属区县代码", "行政区划代码 123456 在系统中不存在"),
        (7, "所属区县代码", "是市级区划，企业只能属于区县级区划"),
        (8, "企业名称", "企业名称不能为空"),
        (9, "统一社会信用代码", "统一社会信用代码不能为空"),
        (9, "所属区县代码", "不是 6 位行政区划代码"),
        (11, "企业名称", "企业名称过长：最多 128 个字符"),
    ]
    for row, column, message in expected:
        cells = f"<td>第 {row} 行</td><td>{column}</td><td>"
        assert cells in table, (row, column)
        line = table[table.index(cells) :].split("</tr>")[0]
        assert message in table[table.index(cells) :], (row, column, message, line)
    assert "第 2 行</td>" not in table
    assert f"共 {len(expected)} 处" in html

    # The refused attempt is in the audit log, marked as a failure.
    [failure] = _import_events(db)[events_before:]
    assert failure.outcome == AuditOutcome.FAILURE
    assert failure.details["errors"] == len(expected)


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"name,code\nfoo,bar\n", "企业.csv", "文件不是有效的 .xlsx 格式"),
        (b"PK\x03\x04 not really a zip", "企业.xlsx", "文件已损坏或不是有效的 .xlsx 格式"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "企业.xls", "不支持旧版 .xls 格式"),
        (b"", "企业.xlsx", "上传的文件为空"),
    ],
    ids=["csv", "broken-zip", "xls", "empty-file"],
)
def test_files_that_are_not_workbooks_get_a_message(db, world, login_as, data, filename, message):  # type: ignore[no-untyped-def]
    before = _count(db)
    response = _upload(login_as("admin"), data, filename)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _count(db) == before


def test_missing_file_gets_a_message(world, login_as):  # type: ignore[no-untyped-def]
    response = post_form(login_as("admin"), PATH, {}, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "请选择要导入的 .xlsx 文件" in response.get_data(as_text=True)


def test_header_problems_are_reported_together(db, world, login_as):  # type: ignore[no-untyped-def]
    header = ["企业名称", "信用代码", "所属区县代码", "地址", "地址", "排污许可证编号"]
    response = _upload(login_as("admin"), _xlsx([["甲", _uscc(20), "990101"]], header))
    assert response.status_code == 200
    table = _error_rows(response.get_data(as_text=True))
    assert "无法识别的列“信用代码”" in table
    assert "列“地址”重复出现" in table
    assert "缺少列“统一社会信用代码”" in table
    assert "缺少列“行业”" in table


def test_workbook_without_data_or_header(db, world, login_as):  # type: ignore[no-untyped-def]
    client = login_as("admin")
    header_only = _upload(client, _xlsx([]))
    assert "文件中没有企业数据" in header_only.get_data(as_text=True)
    blank = _upload(client, _xlsx([], header=[]))
    assert "文件为空" in blank.get_data(as_text=True)


def test_row_limit(db, world, login_as, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(importer, "MAX_ROWS", 2)
    rows = [[f"企业{i}", _uscc(30 + i), "990101"] for i in range(3)]
    before = _count(db)
    response = _upload(login_as("admin"), _xlsx(rows))
    assert response.status_code == 200
    assert "工作表行数超过 2 行（空行也计入）" in response.get_data(as_text=True)
    assert _count(db) == before


def test_template_is_an_empty_workbook_with_the_header(world, login_as):  # type: ignore[no-untyped-def]
    response = login_as("admin").get("/admin/enterprises/import/template.xlsx")
    assert response.status_code == 200
    assert response.mimetype == XLSX_MIMETYPE
    assert "attachment" in response.headers["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    rows = [r for r in workbook.active.iter_rows(values_only=True) if any(r)]
    workbook.close()
    assert rows == [tuple(HEADER)]


def test_filled_template_imports(db, world: World, login_as):  # type: ignore[no-untyped-def]
    client = login_as("admin")
    template = client.get("/admin/enterprises/import/template.xlsx").data
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    workbook.active.append(["模板企业", _uscc(50), "990102", "", "", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    # The template's pre-formatted rows sit above the appended one and count as blank.
    assert _upload(client, buffer.getvalue()).status_code == 302
    db.expire_all()
    assert db.scalar(select(Enterprise).where(Enterprise.uscc == _uscc(50))) is not None

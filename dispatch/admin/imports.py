"""Import of enterprises from an ``.xlsx`` workbook: all rows or none.

The first worksheet's first row is the header; it must hold the six columns of
:data:`HEADERS`, in any order (columns are matched by name, blank header cells are
ignored, any other header is an error). Every row is checked before anything is written,
and every problem is collected as a :class:`RowError` (the row number as Excel shows it,
the column header, a Chinese reason), so the admin fixes the file once rather than
once per error. Only a file without a single error is imported, in one transaction.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterable, Iterator
from typing import Any

import openpyxl
from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch import audit
from dispatch.errors import DomainError
from dispatch.workbooks.reader import UnreadableWorkbook, cell_text, read_upload
from models import (
    AuditOutcome,
    Enterprise,
    Region,
    RegionKind,
    User,
    is_valid_division_code,
    is_valid_uscc,
)

COL_NAME = "企业名称"
COL_USCC = "统一社会信用代码"
COL_DISTRICT = "所属区县代码"
COL_ADDRESS = "地址"
COL_INDUSTRY = "行业"
COL_PERMIT = "排污许可证编号"
HEADERS = (COL_NAME, COL_USCC, COL_DISTRICT, COL_ADDRESS, COL_INDUSTRY, COL_PERMIT)
# Column limits mirror models.Enterprise.
MAX_LENGTHS = {COL_NAME: 128, COL_ADDRESS: 255, COL_INDUSTRY: 64, COL_PERMIT: 64}

MAX_ROWS = 5000
MAX_BYTES = 10 * 1024 * 1024
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# IN lists are chunked: SQLite builds may cap bound parameters per statement.
_CHUNK = 500


@dataclasses.dataclass(frozen=True)
class RowError:
    """One problem in the file; ``row`` is None for problems of the file as a whole."""

    row: int | None
    column: str
    message: str


class ImportRejected(DomainError):
    """The file was not imported; ``errors`` lists every reason."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"导入失败：发现 {len(errors)} 处问题，未导入任何企业，请修改后重新上传。")
        self.errors = errors


@dataclasses.dataclass(frozen=True)
class EnterpriseRow:
    """One data row, as text, with its Excel row number."""

    row: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values.get(column, "")


def _shown(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[:limit] + "…"


def _file_error(message: str) -> ImportRejected:
    return ImportRejected([RowError(None, "", message)])


# --- reading --------------------------------------------------------------------------


def read_rows(data: bytes) -> list[EnterpriseRow]:
    """Parse the workbook into rows, or raise :class:`ImportRejected` for the file itself."""
    try:
        return read_upload(
            data,
            lambda workbook: _rows_of(workbook.worksheets[0].iter_rows(values_only=True)),
            max_bytes=MAX_BYTES,
            not_xlsx_hint="请使用导入模板填写后上传",
        )
    except UnreadableWorkbook as exc:
        raise _file_error(exc.message) from exc


def _rows_of(sheet_rows: Iterable[tuple[Any, ...]]) -> list[EnterpriseRow]:
    rows = iter(sheet_rows)
    header = next(rows, None)
    if header is None or not any(cell_text(v) for v in header):
        raise _file_error("文件为空：第 1 行应为表头（" + "、".join(HEADERS) + "）")
    columns = _header_columns(header)
    found: list[EnterpriseRow] = []
    # Excel row numbers: the header is row 1 and read-only sheets yield blank rows too.
    for number, values in enumerate(rows, start=2):
        texts = {name: cell_text(values[i]) if i < len(values) else "" for name, i in columns}
        if not any(texts.values()):
            continue
        if len(found) >= MAX_ROWS:
            raise _file_error(f"数据超过 {MAX_ROWS} 行，请拆分为多个文件分批导入")
        found.append(EnterpriseRow(number, texts))
    if not found:
        raise _file_error("文件中没有企业数据：请从第 2 行开始填写")
    return found


def _header_columns(header: tuple[Any, ...]) -> list[tuple[str, int]]:
    """``[(column name, index)]`` for the six columns, or every header problem at once."""
    errors: list[RowError] = []
    positions: dict[str, int] = {}
    for index, value in enumerate(header):
        name = cell_text(value)
        if not name:
            continue
        if name not in HEADERS:
            allowed = "、".join(HEADERS)
            errors.append(RowError(1, name, f"无法识别的列“{_shown(name)}”；表头只能是：{allowed}"))
        elif name in positions:
            errors.append(RowError(1, name, f"列“{name}”重复出现"))
        else:
            positions[name] = index
    errors.extend(RowError(1, name, f"缺少列“{name}”") for name in HEADERS if name not in positions)
    if errors:
        raise ImportRejected(errors)
    return [(name, positions[name]) for name in HEADERS]


# --- checking -------------------------------------------------------------------------


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _regions_by_code(session: Session, codes: set[str]) -> dict[str, Region]:
    found: dict[str, Region] = {}
    for chunk in _chunks(sorted(codes)):
        for region in session.scalars(select(Region).where(Region.division_code.in_(chunk))):
            found[region.division_code] = region
    return found


def _existing_names_by_uscc(session: Session, codes: set[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for chunk in _chunks(sorted(codes)):
        stmt = select(Enterprise.uscc, Enterprise.name).where(Enterprise.uscc.in_(chunk))
        found.update({uscc: name for uscc, name in session.execute(stmt)})
    return found


def check_rows(session: Session, rows: list[EnterpriseRow]) -> list[RowError]:
    """Every problem of every row, in row order (nothing is written)."""
    regions = _regions_by_code(session, {r[COL_DISTRICT] for r in rows if r[COL_DISTRICT]})
    codes = {r[COL_USCC].upper() for r in rows if r[COL_USCC]}
    taken = _existing_names_by_uscc(session, codes)
    first_row_of: dict[str, int] = {}
    errors: list[RowError] = []
    for r in rows:

        def add(column: str, message: str, row: int = r.row) -> None:
            errors.append(RowError(row, column, message))

        if not r[COL_NAME]:
            add(COL_NAME, "企业名称不能为空")
        for column, limit in MAX_LENGTHS.items():
            if len(r[column]) > limit:
                add(column, f"不能超过 {limit} 个字符（当前 {len(r[column])} 个）")

        uscc = r[COL_USCC].upper()
        if not uscc:
            add(COL_USCC, "统一社会信用代码不能为空")
        elif not is_valid_uscc(uscc):
            add(
                COL_USCC,
                f"“{_shown(uscc)}”无效：统一社会信用代码应为 18 位，且校验位符合 GB 32100-2015",
            )
        elif uscc in first_row_of:
            add(COL_USCC, f"{uscc} 与第 {first_row_of[uscc]} 行重复")
        else:
            first_row_of[uscc] = r.row
            if uscc in taken:
                add(COL_USCC, f"{uscc} 已被系统中的企业“{taken[uscc]}”使用")

        code = r[COL_DISTRICT]
        region = regions.get(code)
        if not code:
            add(COL_DISTRICT, "所属区县代码不能为空")
        elif not is_valid_division_code(code):
            add(COL_DISTRICT, f"“{_shown(code)}”不是 6 位行政区划代码")
        elif region is None:
            add(COL_DISTRICT, f"行政区划代码 {code} 在系统中不存在")
        elif region.kind != RegionKind.DISTRICT:
            add(
                COL_DISTRICT,
                f"{code}（{region.name}）是{region.kind.label}级区划，企业只能属于区县级区划",
            )
    return errors


# --- importing ------------------------------------------------------------------------


def import_enterprises(
    session: Session, data: bytes, *, actor: User, filename: str = ""
) -> list[Enterprise]:
    """Create every enterprise of the workbook, or none and raise :class:`ImportRejected`.

    :func:`check_rows` has applied every rule of ``orgs.create_enterprise`` (credit code,
    uniqueness in the file and the database, district kind) to all rows at once, so the
    rows are inserted in one batch and recorded as one ``admin.enterprise.import`` event
    listing each new enterprise's id and credit code. Going through ``create_enterprise``
    row by row (one uniqueness query and one chained audit event per row) took about 25 s
    for 5000 rows, longer than a worker's request timeout.
    """
    rows = read_rows(data)
    errors = check_rows(session, rows)
    if errors:
        raise ImportRejected(errors)
    regions = _regions_by_code(session, {r[COL_DISTRICT] for r in rows})
    created = [
        Enterprise(
            name=r[COL_NAME],
            uscc=r[COL_USCC].upper(),
            district=regions[r[COL_DISTRICT]],
            district_id=regions[r[COL_DISTRICT]].id,
            address=r[COL_ADDRESS],
            industry=r[COL_INDUSTRY],
            permit_number=r[COL_PERMIT] or None,
        )
        for r in rows
    ]
    session.add_all(created)
    session.flush()
    audit.record(
        session,
        "admin.enterprise.import",
        actor=actor,
        object_type="enterprise_import",
        details={
            "filename": filename[:255],
            "rows": len(created),
            "enterprises": [[e.id, e.uscc] for e in created],
        },
    )
    return created


def record_rejected(session: Session, *, actor: User, filename: str, error_count: int) -> None:
    """Log a refused import (nothing else was written), so failed attempts are visible too."""
    audit.record(
        session,
        "admin.enterprise.import",
        actor=actor,
        object_type="enterprise_import",
        outcome=AuditOutcome.FAILURE,
        details={"filename": filename[:255], "errors": error_count},
    )


def template_workbook() -> bytes:
    """An empty workbook holding the header row, for admins to fill in."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "企业"
    sheet.append(list(HEADERS))
    for letter, width in zip("ABCDEF", (36, 24, 14, 40, 16, 24), strict=True):
        sheet.column_dimensions[letter].width = width
    # Text format keeps leading zeros and long codes from turning into numbers.
    for letter in "BCF":
        for row in range(2, 1002):
            sheet[f"{letter}{row}"].number_format = "@"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

"""The workbook imports, fed hostile workbooks (issue 8, point 8).

Each example starts from a workbook that imports cleanly (the plan list: the actor's own
export with the project names made new; enterprises: two valid rows under the layout's
headers; a round's reports: the actor's fill workbook with the descriptions changed), then
puts hostile cells into it (text of every hostile kind, numbers beyond 64 bits and beyond a
double's range, NaN and infinities as error cells, formulas, dates at Excel's ends,
booleans; the header row included), may add near-empty rows and uploads it under a hostile
file name, sometimes twice. No answer is a 5xx, a refusal says why in Chinese and imports
nothing, and the city's exports (the plan list; for a round's import also the round's
progress workbook) still open.

Two fixed cases are the issue's findings in small: a zip bomb (a member inflating to
1 GiB, about 1 MB on the wire) and more near-empty rows than the row limit; both must be
refused with a Chinese message and nothing imported.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from dispatch.admin import imports
from dispatch.demo.orgs import demo_uscc
from dispatch.workbooks.importer import MAX_ROWS
from dispatch.workbooks.writer import XLSX_MIMETYPE
from tests.access.cases import Row
from tests.access.matrix import MATRIX
from tests.conftest import csrf_token
from tests.factories import World
from tests.fuzz import checks
from tests.fuzz.arena import BASELINE_NAME, EXPORT_YEAR, FUZZ, Arena, Objects, allowed_actors
from tests.fuzz.hostile import filename
from tests.fuzz.workbooks import (
    Mutation,
    Sheet,
    hostile_cell,
    read_sheets,
    with_bomb,
    write_workbook,
)

IMPORTS = ("projects.import_plan_list", "admin.import_enterprises", "rounds.import_reports")
IMPORT_ROWS = [row for row in MATRIX if row.method == "POST" and row.endpoint in IMPORTS]
NAME_HEADER = "项目名称"
DESCRIPTION_HEADER = "进展情况"  # the fill workbook's column every baseline row changes
RENAMED = "（导入）"
MAX_MUTATIONS = 5
NEAR_EMPTY = (0, 1, 40)


def _plan_list(client: FlaskClient) -> tuple[list[Sheet], int]:
    """The actor's export of the year, names made new; and the sheet holding the project."""
    response = client.get(f"/projects/export.xlsx?year={EXPORT_YEAR}&status=all")
    data = response.get_data()
    response.close()
    assert response.status_code == 200, f"export for the baseline: HTTP {response.status_code}"
    sheets = read_sheets(data)
    data_sheet = None
    for index, (_title, rows) in enumerate(sheets):
        if not rows or NAME_HEADER not in rows[0]:
            continue
        column = rows[0].index(NAME_HEADER)
        for line in rows[1:]:
            if column < len(line) and line[column]:
                if line[column] == BASELINE_NAME:
                    data_sheet = index
                line[column] = f"{line[column]}{RENAMED}"
    assert data_sheet is not None, "the baseline project is not in the actor's export"
    return sheets, data_sheet


def _enterprises(world: World) -> tuple[list[Sheet], int]:
    layout = imports.get_layout()
    code = world.district_a.division_code
    rows: list[list[Any]] = [list(layout.headers)]
    for n in (1, 2):
        values = {
            "name": f"模糊导入企业{n}有限公司",
            "uscc": demo_uscc(code, 900 + n),
            "district": code,
            "address": f"甲区导入路 {n} 号",
            "industry": "化工",
            "permit_number": "",
        }
        rows.append([values[c.key] for c in layout.columns])
    return [(layout.sheet, rows)], 0


def _fill_workbook(client: FlaskClient, arena: Arena, objects: Objects) -> list[Sheet]:
    """The actor's fill workbook of the row's round (an empty fill sheet if it sees none)."""
    response = client.get(arena.url("/rounds/{round}/fill.xlsx", objects))
    data = response.get_data()
    response.close()
    assert response.status_code == 200, f"fill workbook: HTTP {response.status_code}"
    return read_sheets(data)


def _reports(client: FlaskClient, arena: Arena, objects: Objects) -> tuple[list[Sheet], int]:
    """The actor's fill workbook with every progress description changed (so that
    importing it saves something)."""
    sheets = _fill_workbook(client, arena, objects)
    rows = sheets[0][1]
    assert len(rows) > 1, "the baseline report is not in the actor's fill workbook"
    column = rows[0].index(DESCRIPTION_HEADER)
    for line in rows[1:]:
        line[column] = f"{line[column] or ''}{RENAMED}"
    return sheets, 0


def _baseline(
    row: Row, client: FlaskClient, arena: Arena, objects: Objects
) -> tuple[list[Sheet], int]:
    if row.endpoint == "projects.import_plan_list":
        return _plan_list(client)
    if row.endpoint == "rounds.import_reports":
        return _reports(client, arena, objects)
    return _enterprises(arena.world)


def _upload(client: FlaskClient, path: str, body: bytes, name: str, where: str) -> int:
    upload = FileStorage(io.BytesIO(body), filename=name, content_type=XLSX_MIMETYPE)
    fields = {"csrf_token": csrf_token(client, path), "file": upload}
    # Encoded in memory: the test client would spool a large body to a temporary file
    # that it never closes (a ResourceWarning, an error under filterwarnings = error).
    boundary, encoded = encode_multipart(fields)
    response = client.post(
        path, data=encoded, content_type=f"multipart/form-data; boundary={boundary}"
    )
    return checks.check_answer(client, response, where)


def _check_exports(arena: Arena, objects: Objects) -> None:
    """After an import that stored something: the plan-list export, and the round's
    progress workbook when the import was a round's, still open without formulas."""
    checks.check_export(arena)
    if objects.round_id is None:
        return
    response = arena.exporter.get(arena.url("/rounds/{round}/progress.xlsx", objects))
    data, status = response.get_data(), response.status_code
    response.close()
    assert status == 200, f"the city's progress workbook answers HTTP {status}"
    checks.open_export(data, "the city's progress workbook")


def _import_actors(arena: Arena, row: Row) -> list[str]:
    """Admitted actors whose starting workbook has data (the plan list: who sees the project)."""
    found = []
    for actor in allowed_actors(row):
        with arena.isolated():
            objects = arena.set_up(row)
            client = arena.signed_in(actor)
            if row.endpoint == "rounds.import_reports":
                if len(_fill_workbook(client, arena, objects)[0][1]) > 1:
                    found.append(actor)
            elif row.endpoint != "projects.import_plan_list":
                found.append(actor)
            else:
                response = client.get(f"/projects/export.xlsx?year={EXPORT_YEAR}&status=all")
                data = response.get_data()
                response.close()
                sheets = read_sheets(data)
                if any(BASELINE_NAME in r for _t, rows in sheets for r in rows):
                    found.append(actor)
    return found[:2]


@pytest.mark.parametrize("row", IMPORT_ROWS, ids=[row.endpoint for row in IMPORT_ROWS])
def test_import_survives_hostile_workbooks(row: Row, arena: Arena):
    actors = _import_actors(arena, row)
    assert actors, f"no admitted actor can build a workbook for {row.path}"

    @FUZZ
    @given(data=st.data())
    def attack(data: st.DataObject) -> None:
        actor = data.draw(st.sampled_from(actors), label="actor")
        with arena.isolated():
            objects = arena.set_up(row)
            path = arena.url(row.path, objects)
            client = arena.signed_in(actor)
            sheets, data_sheet = _baseline(row, client, arena, objects)
            height = max(len(rows) for _t, rows in sheets) + 1
            width = max((len(r) for _t, rows in sheets for r in rows), default=1) + 1
            mutations = data.draw(
                st.lists(
                    st.builds(
                        Mutation,
                        st.integers(0, len(sheets) - 1),
                        st.integers(0, height),
                        st.integers(0, width),
                        hostile_cell(),
                    ),
                    max_size=MAX_MUTATIONS,
                ),
                label="cells",
            )
            near_empty = data.draw(st.sampled_from(NEAR_EMPTY), label="near-empty rows")
            name = data.draw(filename(), label="file name")
            body = write_workbook(sheets, mutations, (data_sheet, near_empty))
            sends = 2 if data.draw(st.booleans(), label="twice") else 1
            start = previous = checks.state(arena)
            for attempt in range(1, sends + 1):
                where = f"{actor} uploads to {path} (attempt {attempt})"
                status = _upload(client, path, body, name, where)
                current = checks.state(arena)
                if status == 200:
                    checks.refusal_changed_nothing(previous, current, where)
                previous = current
            if previous != start:
                _check_exports(arena, objects)

    attack()


def _refused(arena: Arena, row: Row, build: Callable[[list[Sheet], int], bytes]) -> None:
    """The workbook ``build`` makes from the starting one is refused and imports nothing,
    while the starting workbook itself imports (so the refusal is the hostile part's)."""
    actor = _import_actors(arena, row)[0]
    with arena.isolated():
        objects = arena.set_up(row)
        path = arena.url(row.path, objects)
        client = arena.signed_in(actor)
        sheets, data_sheet = _baseline(row, client, arena, objects)
        where = f"{actor} uploads to {path}"
        with arena.isolated():
            before = checks.state(arena)
            status = _upload(client, path, write_workbook(sheets), "plain.xlsx", where)
            assert status == 302, f"{where}: the starting workbook is refused (HTTP {status})"
            assert checks.state(arena) != before, f"{where}: the starting workbook imported nothing"
        before = checks.state(arena)
        status = _upload(client, path, build(sheets, data_sheet), "hostile.xlsx", where)
        assert status == 200, f"{where}: not refused (HTTP {status})"
        checks.refusal_changed_nothing(before, checks.state(arena), where)


@pytest.mark.parametrize("row", IMPORT_ROWS, ids=[row.endpoint for row in IMPORT_ROWS])
def test_zip_bomb_is_refused(row: Row, arena: Arena):
    _refused(arena, row, lambda sheets, _sheet: with_bomb(write_workbook(sheets)))


@pytest.mark.parametrize("row", IMPORT_ROWS, ids=[row.endpoint for row in IMPORT_ROWS])
def test_rows_beyond_the_limit_are_refused_even_when_near_empty(row: Row, arena: Arena):
    _refused(
        arena,
        row,
        lambda sheets, sheet: write_workbook(sheets, near_empty=(sheet, MAX_ROWS + 1)),
    )

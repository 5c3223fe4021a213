"""Exports never trust stored data: formula-looking text stays text, characters a workbook
cannot hold are dropped, and the export answers 200 whatever is stored.

Findings: a project name, owner unit or note starting with ``=`` (a ``HYPERLINK`` or a DDE
payload) was exported as a live formula cell; one control character stored in any text
field (typed before the forms refused it, or written by another tool) broke the city's
export of that year for everyone.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from models import Enterprise, Project, Region
from tests.projects.excel_helpers import (
    YEAR,
    export,
    make_project,
    project_input,
    reported_errors,
    sheet_rows,
    upload,
    workbook,
)

# Formula-looking text in every text field the plan-list import reads back.
FORMULA_TEXTS = {
    "name": '=HYPERLINK("http://x","点我")',
    "owner_unit": "-1+2",
    "site_address": "@SUM(1)",
    "contact_name": "+张三",
    "notes": "=cmd|'/C calc'!A0\n第二行",
}
# A few more names, one per formula start of OWASP's rule that a form keeps (the form
# strips a leading tab or carriage return).
MORE_NAMES = ("-1+2", "@SUM(1)", "+1", "=1+1")
# What XML 1.0 cannot hold; PostgreSQL refuses NUL in text and JSON, so it is only stored
# on SQLite.
ESC, NUL = "\x1b", "\x00"


def _cells(data: bytes) -> list[Any]:
    book = workbook(data)
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def _export_then_forget(db, app, client, world, raws) -> bytes:  # type: ignore[no-untyped-def]
    """Approve the projects, export them as the city, then roll them back."""
    savepoint = db.begin_nested()
    for raw in raws:
        make_project(db, app, world.users["district_a"], raw, approver=world.users["city"])
    data = export(client)
    savepoint.rollback()
    db.expire_all()
    return data


def test_formula_looking_text_round_trips_as_text(db, app, client, login_as, world) -> None:
    login_as("city")
    district = world.district_a
    others = {k: v for k, v in FORMULA_TEXTS.items() if k != "name"}
    raws = [project_input(district, "W3", "network", FORMULA_TEXTS["name"], n=0, **others)]
    raws += [
        project_input(district, "W3", "network", name, n=n)
        for n, name in enumerate(MORE_NAMES, start=1)
    ]
    data = _export_then_forget(db, app, client, world, raws)

    # Exported as text cells with the quote prefix: the very same text, no formula, no
    # apostrophe added to the value.
    cells = _cells(data)
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [*FORMULA_TEXTS.values(), *MORE_NAMES]
    for text in texts:
        found = [c for c in cells if c.value == text]
        assert found, text
        assert all(c.data_type == "s" and c.quotePrefix for c in found), text
    assert not any(c.quotePrefix for c in cells if c.value == district.name)

    response = upload(client, data)
    assert response.status_code == 302, reported_errors(response.get_data(as_text=True))
    db.expire_all()
    imported = {p.name: p for p in db.scalars(select(Project).where(Project.plan_year == YEAR))}
    assert set(imported) == {FORMULA_TEXTS["name"], *MORE_NAMES}
    project = imported[FORMULA_TEXTS["name"]]
    assert {key: getattr(project, key) for key in FORMULA_TEXTS} == FORMULA_TEXTS


def test_export_drops_characters_a_workbook_cannot_hold(db, app, client, login_as, world) -> None:
    """Stored straight into the database (the forms refuse them), they still export."""
    login_as("city")
    on_sqlite = db.get_bind().dialect.name == "sqlite"
    bad = ESC + (NUL if on_sqlite else "")
    district = world.district_a
    with_enterprise = make_project(
        db, app, world.users["district_a"],
        project_input(district, "A1", "flue_gas", "锅炉改造", n=0, enterprise=world.enterprise_a),
        approver=world.users["city"],
    )  # fmt: skip
    substitution = make_project(
        db, app, world.users["district_a"],
        project_input(district, "A4", "voc_substitution", "涂装线替代", n=1),
        approver=world.users["city"],
    )  # fmt: skip
    params = dict(substitution.params)
    params["materials"] = [{**params["materials"][0], "name": f"溶剂{bad}型涂料"}]
    db.execute(
        update(Project)
        .where(Project.id == with_enterprise.id)
        .values(name=f"锅炉{bad}改造", notes=f"备注{bad}\ufffe第二行\n\uffff")
    )
    db.execute(update(Project).where(Project.id == substitution.id).values(params=params))
    db.execute(update(Region).where(Region.id == district.id).values(name=f"甲{ESC}区"))
    db.execute(
        update(Enterprise)
        .where(Enterprise.id == world.enterprise_a.id)
        .values(name=f"{ESC}甲区企业{bad}")
    )
    db.commit()

    response = client.get(f"/projects/export.xlsx?year={YEAR}")

    assert response.status_code == 200
    values = [c.value for c in _cells(response.data) if isinstance(c.value, str)]
    illegal = {ESC, NUL, "\ufffe", "\uffff"}
    assert not [v for v in values if illegal & set(v)]
    # Nor escaped as _x001B_ (what xlsxwriter would otherwise write for a control).
    assert not [v for v in values if "_x00" in v]
    for expected in ("锅炉改造", "备注第二行\n", "溶剂型涂料", "甲区", "甲区企业"):
        assert expected in values, expected
    a1 = next(s for s in workbook(response.data).worksheets if s.title.startswith("A1"))
    (row,) = sheet_rows(a1)
    assert (row["项目名称"], row["所在区县"], row["建设单位"]) == ("锅炉改造", "甲区", "甲区企业")

"""The yearly package through the web: one zip with the four parts under their own
download names, each part readable and holding the caller's area only, the archive's
files copied from the store, and one audit event naming the parts."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
from sqlalchemy import select

from models import AuditEvent
from tests.exports.seed import YEAR, seed_year

PLAN_LIST = f"重点减排工程计划清单（{YEAR}年）.xlsx"
PROGRESS = f"重点减排工程进展调度（{YEAR}年05月）{{scope}}.xlsx"
ACCOUNTING = f"重点工程减排量核算（{YEAR}年）{{scope}}.xlsx"
ARCHIVE = "减排档案（{area}）.zip"


def _package(client, year: int = YEAR):  # type: ignore[no-untyped-def]
    response = client.get(f"/exports/package.zip?year={year}")
    data = response.get_data()
    response.close()
    return response, data


def _codes(data: bytes, sheet: str, header: str = "项目编号") -> set[str]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    rows = list(book[sheet].iter_rows(values_only=True))
    book.close()
    at = list(rows[0]).index(header)
    return {row[at] for row in rows[1:] if row[at]}


def test_city_package_holds_the_four_parts(app, db, world, login_as):
    with app.app_context():
        seeded = seed_year(db, world, app.extensions["storage"])
    response, data = _package(login_as("city"))
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    package = zipfile.ZipFile(io.BytesIO(data))
    names = [
        PLAN_LIST,
        PROGRESS.format(scope=""),
        ACCOUNTING.format(scope=""),
        ARCHIVE.format(area="测试市"),
    ]
    assert package.namelist() == names
    assert package.testzip() is None
    parts = {name: package.read(name) for name in names}

    plan_list = openpyxl.load_workbook(io.BytesIO(parts[PLAN_LIST]), read_only=True)
    assert plan_list.sheetnames[0] == "汇总"
    plan_list.close()
    every = set(seeded.current) | {seeded.draft_code}
    assert _codes(parts[names[1]], "进展调度") == every  # the round holds every project
    assert _codes(parts[names[2]], "核算明细") == set(seeded.current)

    archive = zipfile.ZipFile(io.BytesIO(parts[names[3]]))
    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    assert len(manifest) == seeded.files
    assert all(archive.getinfo(row["path"]).file_size == int(row["size"]) for row in manifest)

    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "package.export")).one()
    assert event.actor_id == world.users["city"].id
    assert event.object_type == "export_package" and event.object_id == str(YEAR)
    assert [p["name"] for p in event.details["parts"]] == names
    assert [p["bytes"] for p in event.details["parts"]] == [len(parts[n]) for n in names]
    assert event.details["round"] == "2025-05"
    assert event.details["accounting"] == len(seeded.current)
    assert event.details["archive"]["files"] == seeded.files


def test_a_district_package_is_its_own_district_as_a_preview(app, db, world, login_as):
    with app.app_context():
        seeded = seed_year(db, world, app.extensions["storage"])
    response, data = _package(login_as("district_b"))
    assert response.status_code == 200
    package = zipfile.ZipFile(io.BytesIO(data))
    names = [
        PLAN_LIST,
        PROGRESS.format(scope="乙区预览"),
        ACCOUNTING.format(scope="乙区预览"),
        ARCHIVE.format(area="乙区"),
    ]
    assert package.namelist() == names
    mine = {c for c, s in seeded.current.items() if s.project.district_id == world.district_b.id}
    assert _codes(package.read(names[2]), "核算明细") == mine
    assert _codes(package.read(names[1]), "进展调度") == mine | {seeded.draft_code}
    archive = zipfile.ZipFile(io.BytesIO(package.read(names[3])))
    folders = {name.split("/")[0] for name in archive.namelist() if "/" in name}
    assert folders == {"乙区"}
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "package.export")).one()
    assert event.details["scope"] == "乙区"


def test_a_year_without_a_round_leaves_the_progress_workbook_out(app, db, world, login_as):
    with app.app_context():
        seed_year(db, world, app.extensions["storage"], with_round=False)
    _response, data = _package(login_as("city"))
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert names == [PLAN_LIST, ACCOUNTING.format(scope=""), ARCHIVE.format(area="测试市")]
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "package.export")).one()
    assert event.details["round"] is None


def test_a_file_gone_from_the_store_is_an_error_page_and_nothing_is_logged(
    app, db, world, login_as
):
    with app.app_context():
        seeded = seed_year(db, world, app.extensions["storage"], with_round=False)
    stored = next(iter(seeded.current.values()))
    storage = app.extensions["storage"]
    storage.delete(next(iter(storage.iter_keys(f"reductions-test/{stored.project_id}/"))).key)
    response, _data = _package(login_as("city"))
    assert response.status_code == 404
    assert "报送材料无法导出" in response.get_data(as_text=True)
    assert not db.scalars(select(AuditEvent).where(AuditEvent.action == "package.export")).all()


def test_the_reductions_page_offers_both_downloads(app, db, world, login_as):
    client = login_as("city")
    html = client.get(f"/reductions/?period={YEAR}").get_data(as_text=True)
    assert f"/reductions/accounting.xlsx?year={YEAR}" in html
    assert f"/exports/package.zip?year={YEAR}" in html

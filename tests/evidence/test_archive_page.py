"""The evidence archive downloaded from the evidence home, and 档案完整率 on the home pages.

Files are filed and judged through the services into the app's own store; the archive is
then fetched as a browser would and opened: its manifest's hashes are checked against the
bytes of every member, and which files are in it against what was accepted and in scope.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile

from sqlalchemy import select

from dispatch.audit import Acting
from dispatch.core.catalog import get_catalog
from dispatch.evidence import checklist, services
from models import AuditEvent, EvidenceFile
from tests.conftest import START
from tests.evidence.browse import signed_in
from tests.evidence.corpus import GOOD
from tests.projects.excel_helpers import make_project, project_input

PDF, PNG = GOOD["实施方案.pdf"], GOOD["竣工图.png"]
CATALOG = get_catalog()


def _file(db, app, ev, project, item, name, data, *, accept=True) -> EvidenceFile:  # type: ignore[no-untyped-def]
    users = ev.world.users
    mine = project.enterprise_id == ev.world.enterprise_a.id
    uploader = users["enterprise_a"] if mine else users["district_b"]
    row = services.upload(
        db, app.extensions["storage"], Acting(uploader, START), CATALOG, project, item,
        io.BytesIO(data), name,
    )  # fmt: skip
    if accept:
        services.review(db, Acting(users["city"], START), row, True, "", version=row.version_id)
    db.commit()
    return row


def _district_b_project(db, app, ev):  # type: ignore[no-untyped-def]
    world = ev.world
    project = make_project(
        db, app, world.users["district_b"],
        project_input(world.district_b, "A2", "fuel_elimination", "乙区燃煤锅炉淘汰", n=1,
                      enterprise=world.enterprise_b),
        approver=world.users["city"],
    )  # fmt: skip
    db.commit()
    return project


def _archive(client, **query):  # type: ignore[no-untyped-def]
    response = client.get("/evidence/archive.zip", query_string=query)
    return response, response.get_data()


def _members(data: bytes) -> dict[str, bytes]:
    """The archive's files by path, after checking every manifest line against its member."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        members = {name: archive.read(name) for name in archive.namelist()}
    manifest = list(csv.reader(io.StringIO(members.pop("manifest.csv").decode("utf-8-sig"))))
    assert manifest[0] == ["path", "size", "sha256"]
    listed = {path for path, _size, _sha in manifest[1:]}
    for path, size, sha in manifest[1:]:
        assert len(members[path]) == int(size)
        assert hashlib.sha256(members[path]).hexdigest() == sha
    files = {p: b for p, b in members.items() if not p.endswith("/卷内目录.xlsx")}
    assert set(files) == listed
    return files


def _events(db) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    db.expire_all()
    stmt = select(AuditEvent).where(AuditEvent.action == "evidence.archive_download")
    return list(db.scalars(stmt.order_by(AuditEvent.id)))


def test_city_downloads_the_accepted_files_or_all_of_them(app, db, ev) -> None:
    plan = _file(db, app, ev, ev.project, "G03", "实施方案.pdf", PDF)
    _file(db, app, ev, ev.project, "A2-02", "竣工图.png", PNG, accept=False)
    other = _district_b_project(db, app, ev)
    _file(db, app, ev, other, "G03", "乙区方案.pdf", GOOD["实施方案.pdf"])
    city = signed_in(app, ev.world, "city")

    response, data = _archive(city)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition
    assert "%E5%87%8F%E6%8E%92%E6%A1%A3%E6%A1%88" in disposition  # 减排档案
    files = _members(data)
    assert sorted(p.rsplit("/", 1)[1] for p in files) == ["乙区方案.pdf", "实施方案.pdf"]
    mine = next(p for p in files if p.endswith("/实施方案.pdf"))
    assert mine.startswith("甲区/A2/") and "/G03_" in mine and files[mine] == PDF
    (event,) = _events(db)
    assert event.actor_id == ev.world.users["city"].id
    assert event.details["projects"] == 2 and event.details["files"] == 2
    assert not event.details["all_files"] and event.details["district"] == "all"
    assert plan.file.sha256 in data.decode("latin-1")

    response, data = _archive(city, all="1")
    assert response.status_code == 200
    names = sorted(p.rsplit("/", 1)[1] for p in _members(data))
    assert names == ["乙区方案.pdf", "实施方案.pdf", "竣工图.png"]
    assert _events(db)[-1].details["all_files"] is True

    response, data = _archive(city, district=str(ev.world.district_b.id))
    assert response.status_code == 200
    assert [p.rsplit("/", 1)[1] for p in _members(data)] == ["乙区方案.pdf"]


def test_a_district_gets_its_own_district_only(app, db, ev) -> None:
    _file(db, app, ev, ev.project, "G03", "实施方案.pdf", PDF)
    other = _district_b_project(db, app, ev)
    _file(db, app, ev, other, "G03", "乙区方案.pdf", PDF)
    district = signed_in(app, ev.world, "district_a")
    for query in ({}, {"district": str(ev.world.district_a.id)}):
        response, data = _archive(district, **query)
        assert response.status_code == 200
        files = _members(data)
        assert [p.rsplit("/", 1)[1] for p in files] == ["实施方案.pdf"]
        assert all(p.startswith("甲区/") for p in files)
    assert [e.details["projects"] for e in _events(db)] == [1, 1]
    page = district.get("/evidence/").get_data(as_text=True)
    assert 'data-testid="archive-form"' in page and "全市" not in page.split("archive-form")[1]

    before = len(_events(db))
    response, _data = _archive(district, district=str(ev.world.district_b.id))
    assert response.status_code == 404
    assert len(_events(db)) == before


def test_out_of_scope_or_unreadable_districts_are_not_found(app, db, ev) -> None:
    city = signed_in(app, ev.world, "city")
    page = city.get("/evidence/").get_data(as_text=True)
    form = page.split('data-testid="archive-form"')[1].split("</form>")[0]
    assert "全市" in form and "甲区" in form and "乙区" in form and "丙区" not in form
    for value in (str(ev.world.other_district.id), str(ev.world.city.id), "abc", "9" * 30, "-1"):
        response, _data = _archive(city, district=value)
        assert response.status_code == 404, value
        assert "页面不存在" in response.get_data(as_text=True)
    assert _events(db) == []


def test_enterprise_has_no_archive(app, db, ev) -> None:
    _file(db, app, ev, ev.project, "G03", "实施方案.pdf", PDF)
    enterprise = signed_in(app, ev.world, "enterprise_a")
    response, _data = _archive(enterprise)
    assert response.status_code == 404
    assert 'data-testid="archive-form"' not in enterprise.get("/evidence/").get_data(as_text=True)
    assert _events(db) == []


def _panel(client) -> dict[str, tuple[str, str]]:  # type: ignore[no-untyped-def]
    page = client.get("/").get_data(as_text=True)
    panel = page.split('data-testid="archive-completeness"')[1].split("</section>")[0]
    rows = re.findall(
        r'data-testid="completeness-([^"]+)"><td>[^<]*</td><td class="text-end">([^<]*)</td>'
        r'<td class="text-end" data-testid="percent">([^<]*)</td>',
        panel,
    )
    return {name: (count, percent) for name, count, percent in rows}


def test_home_pages_show_the_archive_completeness(app, db, ev) -> None:
    _district_b_project(db, app, ev)
    city = signed_in(app, ev.world, "city")
    district = signed_in(app, ev.world, "district_a")
    assert _panel(city) == {
        "甲区": ("0/1", "0%"),
        "乙区": ("0/1", "0%"),
        "全市": ("0/2", "0%"),
    }
    assert _panel(district) == {"甲区": ("0/1", "0%")}

    # Accept what the plan stage (the stage a project not yet started has reached) needs.
    found = checklist.checklist(db, CATALOG, ev.project)
    needed = [s.item for stage in found.stages for s in stage.items if checklist.blocking(s.item)]
    assert needed
    for item in needed[:-1]:
        for n in range(item.min_files):
            _file(db, app, ev, ev.project, item.code, f"{item.code}-{n}.pdf", PDF)
    last = needed[-1]
    for n in range(last.min_files - 1):
        _file(db, app, ev, ev.project, last.code, f"{last.code}-{n}.pdf", PDF)
    # The last file only uploaded: not yet complete.
    pending = _file(db, app, ev, ev.project, last.code, "最后.pdf", PDF, accept=False)
    assert _panel(city)["甲区"] == ("0/1", "0%")

    services.review(db, Acting(ev.world.users["city"], START), pending, True, "", version=1)
    db.commit()
    assert checklist.checklist(db, CATALOG, ev.project).complete
    assert _panel(city) == {
        "甲区": ("1/1", "100%"),
        "乙区": ("0/1", "0%"),
        "全市": ("1/2", "50%"),
    }
    assert _panel(district) == {"甲区": ("1/1", "100%")}
    assert 'data-testid="archive-completeness"' not in (
        signed_in(app, ev.world, "enterprise_a").get("/").get_data(as_text=True)
    )


def test_a_file_gone_from_the_store_is_an_error_page_not_a_cut_zip(app, db, ev) -> None:
    row = _file(db, app, ev, ev.project, "G03", "实施方案.pdf", PDF)
    app.extensions["storage"].delete(row.file.key)
    response, data = _archive(signed_in(app, ev.world, "city"))
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "存储中找不到该文件" in data.decode()
    assert _events(db) == []

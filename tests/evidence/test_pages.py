"""The evidence pages: the checklist and uploads of several files at once.

Everything goes through the pages as a browser would post them (the token of the page
that shows the form) and is judged by what is stored: rows, objects in storage, statuses,
and the messages the next page shows.
"""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from models import EvidenceStatus, PlanStatus, ProgressReport, ReportStatus, StoredFile
from tests.conftest import csrf_token
from tests.evidence.browse import evidence_rows, keys, page_of, stored_bytes, upload
from tests.evidence.corpus import EXE, GOOD, HOSTILE, SVG
from tests.projects.helpers import make_project

PDF, PNG = GOOD["实施方案.pdf"], GOOD["竣工图.png"]


# --- the checklist ------------------------------------------------------------------------


def test_checklist_lists_the_reached_stage_with_method_conditions(ev, login_as) -> None:
    page = page_of(login_as("enterprise_a"), ev.project.id)
    # A2 by fuel elimination, not started: the plan stage only; A1-02 is for flue gas.
    assert 'data-testid="stage-plan"' in page and 'data-testid="stage-construction"' not in page
    for code in ("G01", "G02", "G03", "A2-02"):
        assert f'data-testid="item-{code}"' in page
    assert 'data-testid="item-A1-02"' not in page
    assert "完整度 0/2" in page  # G03 and A2-02 are required; G01, G02 conditional
    assert "审核要点：" in page and "单个文件不超过 200 MB" in page and "OFD 版式文档" in page
    assert page.count('data-testid="upload-form"') == 4
    assert "js/upload.js" in page


def test_checklist_of_a_project_not_in_the_plan_list_offers_noupload(db, ev, login_as) -> None:
    ev.project.plan_status = PlanStatus.WITHDRAWN
    db.commit()
    page = page_of(login_as("district_a"), ev.project.id)
    assert 'data-testid="upload-form"' not in page and "纳入计划清单的项目才能上传" in page


# --- uploads --------------------------------------------------------------------------------


def test_two_good_files_are_uploaded_at_once(app, db, ev, login_as) -> None:
    client = login_as("enterprise_a")
    response = upload(client, ev.project.id, [("实施方案.pdf", PDF), ("竣工图.png", PNG)])
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/evidence/projects/{ev.project.id}#item-G03")
    rows = evidence_rows(db, ev.project.id)
    assert [(r.item_code, r.file.original_name, r.status) for r in rows] == [
        ("G03", "实施方案.pdf", EvidenceStatus.UPLOADED),
        ("G03", "竣工图.png", EvidenceStatus.UPLOADED),
    ]
    assert [r.file.content_type for r in rows] == ["application/pdf", "image/png"]
    assert all(r.current and r.report_id is None for r in rows)
    assert keys(app) == sorted(r.file.key for r in rows)
    assert stored_bytes(app, rows[0].file.key) == PDF
    assert stored_bytes(app, rows[1].file.key) == PNG
    page = page_of(client, ev.project.id)
    assert "已上传 2 个文件" in page and "“实施方案.pdf”" in page and "“竣工图.png”" in page
    assert rows[0].file.sha256[:12] in page and "待审核" in page


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [HOSTILE[0], HOSTILE[4], HOSTILE[6], HOSTILE[8], HOSTILE[14], HOSTILE[18], HOSTILE[20]],
    ids=["exe-as-pdf", "svg-script", "polyglot", "macros", "traversal", "bidi", "mislabelled"],
)
def test_a_hostile_file_is_refused_and_the_others_kept(
    app, db, ev, login_as, name, data, reason
) -> None:
    client = login_as("enterprise_a")
    response = upload(client, ev.project.id, [(name, data), ("竣工图.png", PNG)])
    assert response.status_code == 302
    rows = evidence_rows(db, ev.project.id)
    assert [r.file.original_name for r in rows] == ["竣工图.png"]
    assert keys(app) == [rows[0].file.key]
    assert db.scalar(select(func.count()).select_from(StoredFile)) == 1
    page = page_of(client, ev.project.id)
    alerts = re.findall(r'<div class="alert alert-danger[^>]*>\s*(.*?)\s*<button', page, re.S)
    assert len(alerts) == 1 and "文件“" in alerts[0] and reason in alerts[0]
    assert "已上传 1 个文件" in page


def test_only_hostile_files_leave_nothing(app, db, ev, login_as) -> None:
    client = login_as("enterprise_a")
    upload(client, ev.project.id, [("报告.pdf", EXE), ("图.png", SVG)])
    assert evidence_rows(db, ev.project.id) == [] and keys(app) == []
    page = page_of(client, ev.project.id)
    assert "“报告.pdf”" in page and "“图.png”" in page and "已上传" not in page


def test_an_upload_without_files_or_to_an_unknown_item(db, ev, login_as) -> None:
    client = login_as("enterprise_a")
    token = csrf_token(client, f"/evidence/projects/{ev.project.id}")
    response = client.post(
        f"/evidence/projects/{ev.project.id}/items/G03/upload", data={"csrf_token": token}
    )
    assert response.status_code == 302
    assert "请选择要上传的文件" in page_of(client, ev.project.id)
    # An item of another method, or none at all: not an address of this project.
    assert upload(client, ev.project.id, [("a.pdf", PDF)], item="A1-02").status_code == 404
    assert upload(client, ev.project.id, [("a.pdf", PDF)], item="X9").status_code == 404
    assert evidence_rows(db, ev.project.id) == []


def test_the_upload_script_gets_the_address_and_the_next_page_the_messages(
    db, ev, login_as
) -> None:
    client = login_as("district_a")
    token = csrf_token(client, f"/evidence/projects/{ev.project.id}")
    response = client.post(
        f"/evidence/projects/{ev.project.id}/items/A2-02/upload",
        data={"csrf_token": token, "files": [(io.BytesIO(PDF), "台账.pdf")]},
        headers={"X-Requested-With": "XMLHttpRequest", "X-CSRFToken": token},
    )
    assert response.status_code == 200 and response.is_json
    assert response.json == {"location": f"/evidence/projects/{ev.project.id}#item-A2-02"}
    assert [r.item_code for r in evidence_rows(db, ev.project.id)] == ["A2-02"]
    assert "已上传 1 个文件" in page_of(client, ev.project.id)


def test_files_may_belong_to_a_report_of_the_same_project(db, app, world, login_as) -> None:
    from tests.rounds.states import report_at

    with app.app_context():
        report = report_at(db, world, ReportStatus.PENDING)
        # Approved while the round is open: it joins the round with a report of its own.
        project = make_project(db, world, status=PlanStatus.APPROVED, name="另一项目锅炉改造")
        other = db.scalar(select(ProgressReport).where(ProgressReport.project_id == project.id))
        assert other is not None
    client = login_as("enterprise_a")
    page = page_of(client, report.project_id)
    assert f'<option value="{report.id}">' in page and f'value="{other.id}"' not in page
    preselected = client.get(f"/evidence/projects/{report.project_id}?report={report.id}")
    assert f'<option value="{report.id}" selected>' in preselected.get_data(as_text=True)
    upload(client, report.project_id, [("实施方案.pdf", PDF)], report_id=str(report.id))
    assert [r.report_id for r in evidence_rows(db, report.project_id)] == [report.id]
    # Another project's report is no choice of this page: refused, nothing stored.
    upload(client, report.project_id, [("方案2.pdf", PDF)], report_id=str(other.id))
    assert len(evidence_rows(db, report.project_id)) == 1
    assert "所属月度填报无效" in page_of(client, report.project_id)


def test_the_project_and_report_pages_link_to_the_checklist(app, db, world, login_as) -> None:
    from tests.rounds.states import report_at

    with app.app_context():
        report = report_at(db, world, ReportStatus.PENDING)
    client = login_as("enterprise_a")
    project_page = client.get(f"/projects/{report.project_id}").get_data(as_text=True)
    assert f'href="/evidence/projects/{report.project_id}" data-testid="evidence-link"' in (
        project_page
    )
    report_page = client.get(f"/rounds/reports/{report.id}").get_data(as_text=True)
    link = f"/evidence/projects/{report.project_id}?report={report.id}"
    assert link in report_page
    # The report is chosen for the files uploaded from there.
    page = client.get(link).get_data(as_text=True)
    assert f'<option value="{report.id}" selected>' in page

"""The evidence pages: new versions, the district's pre-review, the city's review and the
evidence home's queues.

Everything goes through the pages as a browser would post them (the token of the page
that shows the form) and is judged by what is stored: rows, objects in storage, statuses,
and the messages the next page shows.
"""

from __future__ import annotations

import io

from dispatch.storage.current import current_storage
from models import EvidenceStatus
from tests.evidence.browse import evidence_rows, keys, page_of, post, signed_in
from tests.evidence.corpus import GOOD
from tests.evidence.states import evidence_at

PDF, PNG = GOOD["实施方案.pdf"], GOOD["竣工图.png"]


# --- versions ---------------------------------------------------------------------------------


def test_replacing_a_file_adds_a_version(app, db, world, login_as) -> None:
    with app.app_context():
        old = evidence_at(db, world, current_storage())
    client = login_as("enterprise_a")
    page = f"/evidence/projects/{old.project_id}"
    response = post(
        client,
        f"/evidence/files/{old.id}/replace",
        page,
        version=str(old.version_id),
        note="补充盖章页",
        file=(io.BytesIO(PNG), "盖章页.png"),
    )
    assert response.status_code == 302
    rows = evidence_rows(db, old.project_id)
    assert [(r.file.original_name, r.current) for r in rows] == [
        ("实施方案.pdf", False),
        ("盖章页.png", True),
    ]
    assert rows[1].replaces_id == rows[0].id and rows[1].note == "补充盖章页"
    assert keys(app) == sorted(r.file.key for r in rows)  # nothing overwritten or deleted
    shown = page_of(client, old.project_id)
    assert "已上传新版本“盖章页.png”" in shown and "历史版本（1）" in shown
    # The old version is no longer acted on: the form was for a row that is not current.
    again = post(
        client,
        f"/evidence/files/{old.id}/replace",
        page,
        version=str(rows[0].version_id),
        file=(io.BytesIO(PDF), "再次.pdf"),
    )
    assert again.status_code == 302 and len(evidence_rows(db, old.project_id)) == 2
    assert "已被新版本替换" in page_of(client, old.project_id)


def test_a_stale_replace_is_refused(app, db, world, login_as) -> None:
    with app.app_context():
        ev = evidence_at(db, world, current_storage())
    client = login_as("enterprise_a")
    stale = ev.version_id
    post(
        signed_in(app, world, "district_a"),
        f"/evidence/files/{ev.id}/pre-review",
        f"/evidence/projects/{ev.project_id}",
        version=str(stale),
        decision="accept",
    )
    post(
        client,
        f"/evidence/files/{ev.id}/replace",
        f"/evidence/projects/{ev.project_id}",
        version=str(stale),
        file=(io.BytesIO(PDF), "新版.pdf"),
    )
    assert len(evidence_rows(db, ev.project_id)) == 1 and len(keys(app)) == 1
    assert "已被他人修改" in page_of(client, ev.project_id)


# --- pre-review and review ---------------------------------------------------------------------


def test_district_pre_review_needs_a_reason_to_reject(app, db, world, login_as) -> None:
    with app.app_context():
        ev = evidence_at(db, world, current_storage())
    client = login_as("district_a")
    page = f"/evidence/projects/{ev.project_id}"
    assert 'data-testid="pre_review-form"' in page_of(client, ev.project_id)
    assert 'data-testid="review-form"' not in page_of(client, ev.project_id)
    path = f"/evidence/files/{ev.id}/pre-review"
    post(client, path, page, version=str(ev.version_id), decision="reject", reason="  ")
    db.expire_all()
    assert ev.pre_status is None
    assert "判定不合格必须填写原因" in page_of(client, ev.project_id)
    post(client, path, page, version=str(ev.version_id), decision="reject", reason="缺少盖章页")
    db.expire_all()
    assert ev.pre_status == EvidenceStatus.REJECTED and ev.pre_reason == "缺少盖章页"
    assert ev.status == EvidenceStatus.UPLOADED  # advisory: the city decides
    assert ev.pre_reviewed_by_id == world.users["district_a"].id
    # The city cannot pre-review, the district cannot review: neither route is theirs.
    assert post(client, f"/evidence/files/{ev.id}/review", page,
                 version=str(ev.version_id), decision="accept").status_code == 404  # fmt: skip


def test_city_review_rejects_with_a_reason_the_uploader_sees(app, db, world, login_as) -> None:
    with app.app_context():
        ev = evidence_at(db, world, current_storage())
    client = login_as("city")
    page = f"/evidence/projects/{ev.project_id}"
    path = f"/evidence/files/{ev.id}/review"
    post(client, path, page, version=str(ev.version_id), decision="reject")
    db.expire_all()
    assert ev.status == EvidenceStatus.UPLOADED
    assert "判定不合格必须填写原因" in page_of(client, ev.project_id)
    post(client, path, page, version=str(ev.version_id), decision="reject", reason="缺少盖章页")
    db.expire_all()
    assert ev.status == EvidenceStatus.REJECTED and ev.review_reason == "缺少盖章页"
    assert ev.reviewed_by_id == world.users["city"].id
    # Decided: no more review form; a second verdict is refused by the workflow.
    assert 'data-testid="review-form"' not in page_of(client, ev.project_id)
    post(client, path, page, version=str(ev.version_id), decision="accept")
    db.expire_all()
    assert ev.status == EvidenceStatus.REJECTED
    uploader = signed_in(app, world, "enterprise_a")
    assert "不合格原因：缺少盖章页" in page_of(uploader, ev.project_id)
    todo = uploader.get("/evidence/").get_data(as_text=True)
    assert f'data-testid="rejected-file-{ev.id}"' in todo and "缺少盖章页" in todo


def test_city_acceptance_counts_toward_completeness(app, db, world, login_as) -> None:
    with app.app_context():
        ev = evidence_at(db, world, current_storage())
    client = login_as("city")
    post(
        client,
        f"/evidence/files/{ev.id}/review",
        f"/evidence/projects/{ev.project_id}",
        version=str(ev.version_id),
        decision="accept",
    )
    db.expire_all()
    assert ev.status == EvidenceStatus.ACCEPTED
    page = page_of(client, ev.project_id)
    assert "已审核：合格" in page and "完整度 1/1" in page  # A1 flue gas: G03 only


def test_a_stale_review_is_refused(app, db, world, login_as) -> None:
    with app.app_context():
        ev = evidence_at(db, world, current_storage())
    stale = ev.version_id
    post(
        signed_in(app, world, "district_a"),
        f"/evidence/files/{ev.id}/pre-review",
        f"/evidence/projects/{ev.project_id}",
        version=str(stale),
        decision="accept",
    )
    city = login_as("city")
    post(
        city,
        f"/evidence/files/{ev.id}/review",
        f"/evidence/projects/{ev.project_id}",
        version=str(stale),
        decision="accept",
    )
    db.expire_all()
    assert ev.status == EvidenceStatus.UPLOADED
    assert "已被他人修改" in page_of(city, ev.project_id)


# --- the evidence home: queues and completeness ------------------------------------------------


def test_reviewers_queue_lists_files_awaiting_them_oldest_first(
    app, db, world, clock, login_as
) -> None:
    with app.app_context():
        first = evidence_at(db, world, current_storage())
        clock.advance(minutes=5)
        second = evidence_at(db, world, current_storage(), name="第二份.pdf")
        done = evidence_at(db, world, current_storage(), EvidenceStatus.ACCEPTED)
    city = signed_in(app, world, "city").get("/evidence/").get_data(as_text=True)
    assert "待审核的佐证材料" in city
    assert city.index(f"queue-file-{first.id}") < city.index(f"queue-file-{second.id}")
    assert f"queue-file-{done.id}" not in city
    assert f'data-testid="evidence-project-{first.project_id}"' in city
    district = signed_in(app, world, "district_a")
    post(
        district,
        f"/evidence/files/{first.id}/pre-review",
        f"/evidence/projects/{first.project_id}",
        version=str(first.version_id),
        decision="accept",
    )
    queue = district.get("/evidence/").get_data(as_text=True)
    assert "待预审的佐证材料" in queue
    assert f"queue-file-{first.id}" not in queue and f"queue-file-{second.id}" in queue
    for key in ("district_b", "other_city"):
        page = signed_in(app, world, key).get("/evidence/").get_data(as_text=True)
        assert "queue-file-" not in page and f"evidence-project-{first.project_id}" not in page
    owner = signed_in(app, world, "enterprise_a").get("/evidence/").get_data(as_text=True)
    assert "evidence-queue" not in owner
    assert f'data-testid="evidence-project-{done.project_id}"' in owner

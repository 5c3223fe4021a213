"""Confirmed accounting: the district enters, the city confirms; each blocked case is
refused with its Chinese reason; a correction supersedes without editing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from dispatch.audit import Acting
from dispatch.core.accounting import catalog_fingerprint
from dispatch.core.catalog import get_catalog
from dispatch.errors import DomainError, StaleObjectError
from dispatch.reductions import services
from dispatch.storage import MemoryStorage
from models import (
    AuditEvent,
    ConfirmationStatus,
    ConstructionStatus,
    PlanStatus,
    ReductionConfirmation,
)
from tests.projects.helpers import NOW
from tests.reductions.states import ACTUAL, complete_archive, confirm, enter, stable_project

LATER = NOW + dt.timedelta(days=30)


def _rows(db, project):
    db.expire_all()
    stmt = select(ReductionConfirmation).where(ReductionConfirmation.project_id == project.id)
    return list(db.scalars(stmt.order_by(ReductionConfirmation.version)))


def test_district_enters_and_city_confirms_with_everything_stored(app, db, world):
    with app.app_context():
        project = stable_project(db, world)
        draft = enter(db, world, project)
        assert draft.status == ConfirmationStatus.DRAFT
        row = confirm(db, world, project)
    assert row.id == draft.id and row.version == 1
    assert row.status == ConfirmationStatus.CURRENT
    # Worked example 2: NOx 396 t/a, stable from 2025-03-15 → 9 months → 297 t in 2025.
    assert row.capacity("NOx") == Decimal("396") and row.credit("NOx") == Decimal("297")
    assert row.credit_months == 9 and row.credit_rule == "months_after_stable"
    assert row.inputs == {k: v for k, v in ACTUAL.items()} | row.inputs
    assert row.formula_by_pollutant["NOx"] == [
        "NOx = 500000 Nm³/h × (150 − 50) mg/Nm³ × 7920 h × 10⁻⁹ = 396.0000 t/a",
        "2025年当年减排量 NOx = 396.0000 t/a × 9 / 12 = 297.0000 t（自 2025-04-01 起计）",
    ]
    assert row.fingerprint == catalog_fingerprint(get_catalog())
    assert row.entered_by_id == world.users["district_a"].id
    assert row.confirmed_by_id == world.users["city"].id and row.confirmed_at == NOW
    actions = db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["accounting.enter", "accounting.confirm"]


def _refused(db, world, project, message_part, **kwargs):
    before = [(r.id, r.status, r.version_id) for r in _rows(db, project)]
    with pytest.raises(DomainError) as caught:
        services.confirm(
            db, Acting(world.users["city"], NOW), kwargs.pop("catalog", get_catalog()),
            project, year=2025, version=1, storage=MemoryStorage(),
        )  # fmt: skip
    db.rollback()
    assert message_part in caught.value.message
    assert [(r.id, r.status, r.version_id) for r in _rows(db, project)] == before
    return caught.value.message


def test_refused_while_the_operation_archive_is_incomplete(app, db, world):
    with app.app_context():
        project = stable_project(db, world, complete=False)
        complete_archive(db, project, skip="A1-01")
        db.commit()
        enter(db, world, project)
        message = _refused(db, world, project, "运行阶段佐证材料不完整")
    assert "A1-01 超低排放评估监测报告（缺失）" in message


def test_refused_when_the_project_is_not_in_stable_operation(app, db, world):
    with app.app_context():
        project = stable_project(db, world)
        enter(db, world, project)
        # A city-approved correction moved it back (workflow.md): no longer countable.
        project.construction_status = ConstructionStatus.COMPLETED
        db.commit()
        _refused(db, world, project, "项目尚未进入稳定运行")


def test_refused_when_the_project_left_the_plan_list(app, db, world):
    with app.app_context():
        project = stable_project(db, world)
        enter(db, world, project)
        project.plan_status = PlanStatus.WITHDRAWN
        db.commit()
        _refused(db, world, project, "项目不在计划清单中")


def test_refused_when_the_parameters_fail_the_engines_validation(app, db, world):
    catalog = get_catalog()
    method = catalog.method("flue_gas")
    # The province tightened the hours range after the district entered 7920 h.
    hours = dataclasses.replace(method.param("hours"), max=Decimal("7000"))
    params = tuple(hours if p.key == "hours" else p for p in method.params)
    tightened = dataclasses.replace(
        catalog,
        methods={**catalog.methods, "flue_gas": dataclasses.replace(method, params=params)},
    )
    with app.app_context():
        project = stable_project(db, world)
        enter(db, world, project)
        message = _refused(db, world, project, "核算参数不合格，不能核定", catalog=tightened)
    assert "运行小时数" in message


def test_entry_refuses_invalid_parameters_naming_the_field(app, db, world):
    with app.app_context():
        project = stable_project(db, world)
        with pytest.raises(services.ParamsInvalid) as caught:
            enter(db, world, project, params=ACTUAL | {"nox_after": "200"})
    assert {e.param for e in caught.value.errors} >= {"nox_after"}
    db.rollback()
    assert _rows(db, project) == []


def test_a_correction_supersedes_without_editing_the_old_version(app, db, world):
    with app.app_context():
        project = stable_project(db, world)
        enter(db, world, project)
        first = confirm(db, world, project)
        frozen = {c.key: getattr(first, c.key) for c in ReductionConfirmation.__table__.columns}
        with pytest.raises(DomainError, match="更正须填写更正原因"):
            enter(db, world, project, params=ACTUAL | {"hours": "7000"})
        db.rollback()
        enter(db, world, project, params=ACTUAL | {"hours": "7000"}, reason="运行小时数按台账更正")
        second = confirm(db, world, project, at=LATER)
    old, new = _rows(db, project)
    assert (old.id, new.id) == (first.id, second.id)
    assert old.status == ConfirmationStatus.SUPERSEDED and old.superseded_by_id == new.id
    assert old.superseded_at == LATER
    # Everything the old version said is as it was, but its status and successor.
    unchanged = {"status", "superseded_by_id", "superseded_at", "version_id"}
    for key, value in frozen.items():
        if key not in unchanged:
            assert getattr(old, key) == value, key
    assert new.status == ConfirmationStatus.CURRENT and new.version == 2
    assert new.capacity("NOx") == Decimal("350") and new.credit("NOx") == Decimal("262.5")


def test_a_confirmed_version_cannot_be_edited_or_deleted_in_the_database(app, db, world):
    with app.app_context():
        project = stable_project(db, world)
        enter(db, world, project)
        row = confirm(db, world, project)
    for statement in (
        "UPDATE reduction_confirmations SET credit_nox = 1 WHERE id = :id",
        "UPDATE reduction_confirmations SET inputs = '{}' WHERE id = :id",
        "UPDATE reduction_confirmations SET status = 'draft' WHERE id = :id",
        "DELETE FROM reduction_confirmations WHERE id = :id",
    ):
        with pytest.raises(DBAPIError, match="immutable"):
            db.execute(text(statement), {"id": row.id})
        db.rollback()
    assert _rows(db, project)[0].credit("NOx") == Decimal("297")


def test_a_second_entry_updates_the_draft_and_a_stale_page_is_refused(app, db, world):
    with app.app_context():
        project = stable_project(db, world)
        first = enter(db, world, project)
        again = enter(db, world, project, params=ACTUAL | {"hours": "7000"})
        assert again.id == first.id and again.version == 1
        with pytest.raises(StaleObjectError):
            services.enter_actuals(
                db, Acting(world.users["city"], NOW), get_catalog(), project, year=2025,
                params=ACTUAL, version=project.version_id, draft_version=None,
            )  # fmt: skip
        db.rollback()


def test_entry_is_refused_before_stable_operation_and_for_years_without_credit(app, db, world):
    with app.app_context():
        project = stable_project(db, world, stable_from=dt.date(2025, 12, 10))
        with pytest.raises(DomainError, match="没有可计入的当年减排量"):
            enter(db, world, project, year=2025)
        db.rollback()
        with pytest.raises(DomainError, match="不能早于稳定运行开始的年份"):
            enter(db, world, project, year=2024)
        db.rollback()
        assert enter(db, world, project, year=2026).credit("NOx") == Decimal("396")
        project.construction_status = ConstructionStatus.COMPLETED
        db.commit()
        with pytest.raises(DomainError, match="项目尚未进入稳定运行"):
            enter(db, world, project, year=2026)

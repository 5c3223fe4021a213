"""Builders for project tests: valid inputs and projects created through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dispatch.audit import Acting
from dispatch.core.catalog import get_catalog
from dispatch.projects import services
from dispatch.projects.data import ProjectInput, validate_project
from models import PlanStatus, Project

NOW = dt.datetime(2025, 6, 2, 1, 0, tzinfo=dt.UTC)
TODAY = dt.date(2025, 6, 2)  # NOW in Beijing

FLUE_GAS = {"gas_flow": "500000", "nox_before": "150", "nox_after": "50", "hours": "7920"}


def project_input(world: Any, **overrides: Any) -> ProjectInput:
    values: dict[str, Any] = {
        "name": "乙区热电有限公司锅炉超低排放改造",
        "type_code": "A1",
        "method": "flue_gas",
        "plan_year": 2025,
        "district": world.district_a,
        "enterprise": world.enterprise_a,
        "site_address": "甲区工业路 1 号",
        "longitude": "117.1",
        "latitude": "36.6",
        "planned_start": "2025-03-01",
        "planned_completion": "2025-10-31",
        "total_investment": "1200",
        "env_investment": "900",
        "contact_name": "张工",
        "contact_phone": "0531-88888888",
        "params": dict(FLUE_GAS),
    }
    values.update(overrides)
    return ProjectInput(**values)


def make_project(
    db: Any, world: Any, *, status: PlanStatus = PlanStatus.DRAFT, actor_key: str = "district_a",
    **overrides: Any,
) -> Project:  # fmt: skip
    clean, errors = validate_project(get_catalog(), project_input(world, **overrides), today=TODAY)
    assert clean is not None, errors
    actor = Acting(world.users[actor_key], NOW)
    project = services.create_project(db, actor, clean)
    if status in (
        PlanStatus.SUBMITTED,
        PlanStatus.APPROVED,
        PlanStatus.RETURNED,
        PlanStatus.WITHDRAWN,
    ):
        services.submit(db, actor, project, version=project.version_id)
    city = Acting(world.users["city"], NOW)
    if status == PlanStatus.RETURNED:
        services.return_project(db, city, project, "材料不全", version=project.version_id)
    if status in (PlanStatus.APPROVED, PlanStatus.WITHDRAWN):
        services.approve(db, city, project, version=project.version_id)
    if status == PlanStatus.WITHDRAWN:
        services.withdraw(db, city, project, "项目取消", version=project.version_id)
    db.commit()
    return project

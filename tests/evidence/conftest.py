from __future__ import annotations

import dataclasses

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from dispatch.storage import LocalStorage, MemoryStorage, Storage
from models import Project
from tests.factories import World
from tests.projects.excel_helpers import make_project, project_input
from tests.storage.conftest import s3_storage


@dataclasses.dataclass
class EvidenceWorld:
    world: World
    project: Project  # enterprise A's boiler elimination (A2, fuel_elimination), approved
    other: Project  # the other city's project


@pytest.fixture
def ev(db: Session, app: Flask, world: World) -> EvidenceWorld:
    project = make_project(
        db, app, world.users["district_a"],
        project_input(world.district_a, "A2", "fuel_elimination", "甲区燃煤锅炉淘汰", n=1,
                      enterprise=world.enterprise_a),
        approver=world.users["city"],
    )  # fmt: skip
    other = make_project(
        db,
        app,
        world.users["other_city"],
        project_input(world.other_district, "A6", "vehicle_retirement", "丙区柴油车淘汰", n=2),
    )
    db.commit()
    return EvidenceWorld(world, project, other)


@pytest.fixture(params=["memory", "local", "s3"])
def store_backend(request: pytest.FixtureRequest, tmp_path) -> Storage:  # type: ignore[no-untyped-def]
    if request.param == "memory":
        return MemoryStorage()
    if request.param == "local":
        return LocalStorage(tmp_path / "objects")
    return s3_storage(request.getfixturevalue("s3_server"))

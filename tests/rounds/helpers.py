"""A city with approved projects and an open round, built through the services, and its
reports filled, submitted or approved the same way."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.audit import Acting
from dispatch.rounds import services
from dispatch.rounds.data import ReportInput, validate_report
from models import DispatchRound, ProgressReport, Project, Role, User
from tests.conftest import START
from tests.factories import World, make_user
from tests.projects.excel_helpers import make_project, project_input

PERIOD = (2025, 5)  # the month before START (2025-06-02)


@dataclasses.dataclass
class RoundWorld:
    world: World
    projects: dict[str, Project]
    round: DispatchRound

    def report(self, db: Session, key: str) -> ProgressReport:
        project = self.projects[key]
        report = db.scalar(
            select(ProgressReport).where(
                ProgressReport.round_id == self.round.id,
                ProgressReport.project_id == project.id,
            )
        )
        assert report is not None
        return report


def build_projects(db: Session, app: Flask, world: World) -> dict[str, Project]:
    a, b, o = world.district_a, world.district_b, world.other_district
    city, other = world.users["city"], world.users["other_city"]
    return {
        "ent": make_project(
            db, app, world.users["district_a"],
            project_input(a, "A2", "fuel_elimination", "甲区燃煤锅炉淘汰", n=1,
                          enterprise=world.enterprise_a),
            approver=city,
        ),
        "pub": make_project(
            db, app, world.users["district_a"],
            project_input(a, "W1", "plant_new", "甲区第二污水处理厂扩建", n=2),
            approver=city,
        ),
        "b": make_project(
            db, app, world.users["district_b"],
            project_input(b, "A6", "vehicle_retirement", "乙区国三柴油车淘汰", n=3),
            approver=city,
        ),
        "draft": make_project(
            db, app, world.users["district_b"],
            project_input(b, "A6", "vehicle_retirement", "乙区草稿项目", n=4),
        ),
        "other": make_project(
            db, app, make_user(db, Role.DISTRICT, region=o, username="dist_c"),
            project_input(o, "A6", "vehicle_retirement", "丙区柴油车淘汰", n=5),
            approver=other,
        ),
    }  # fmt: skip


def open_round(db: Session, app: Flask, world: World, at: dt.datetime = START) -> DispatchRound:
    with app.app_context():
        rnd = services.open_round(db, Acting(world.users["city"], at), world.city, *PERIOD)
        db.flush()
    return rnd


def values(**overrides: Any) -> ReportInput:
    base: dict[str, Any] = {
        "construction_status": "under_construction",
        "percent_complete": "40",
        "investment_month": "120.5",
        "investment_cumulative": "300",
        "actual_start": "2025-03-10",
        "description": "主体工程施工中",
        "problems": "",
        "next_steps": "设备安装",
    }
    base.update(overrides)
    return ReportInput(**base)


def fill(
    db: Session, user: User, report: ProgressReport, at: dt.datetime = START, **kw: Any
) -> None:
    clean, errors = validate_report(values(**kw), project=report.project, today=at.date())
    assert clean is not None, errors
    services.fill(db, Acting(user, at), report, clean, version=report.version_id)
    db.flush()


def submit(
    db: Session, rounds: RoundWorld, key: str, user: str = "district_a", at: dt.datetime = START
) -> None:
    """Fill the report of project ``key`` as ``user`` and submit it (committed)."""
    report = rounds.report(db, key)
    fill(db, rounds.world.users[user], report, at=at)
    services.submit(db, Acting(rounds.world.users[user], at), report, version=report.version_id)
    db.commit()


def close(db: Session, app: Flask, rounds: RoundWorld) -> None:
    """The city closes the round (committed)."""
    with app.app_context():
        city = Acting(rounds.world.users["city"], START)
        services.close_round(db, city, rounds.round, version=rounds.round.version_id)
        db.commit()


def approved_then_next_round(rounds: RoundWorld, db: Session, app: Flask) -> ProgressReport:
    """ent's May report approved at 300 万元 under construction; June's round open."""
    users = rounds.world.users
    report = rounds.report(db, "ent")
    with app.app_context():
        fill(db, users["district_a"], report)
        services.submit(db, Acting(users["district_a"], START), report, version=report.version_id)
        services.approve(db, Acting(users["city"], START), report, version=report.version_id)
        june = services.open_round(db, Acting(users["city"], START), rounds.world.city, 2025, 6)
        db.commit()
    new = db.scalar(
        select(ProgressReport).where(
            ProgressReport.round_id == june.id, ProgressReport.project_id == report.project_id
        )
    )
    assert new is not None
    return new

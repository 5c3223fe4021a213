"""Demo key reduction projects for the demo city (issue 4, point 7).

`seed_demo_projects` files the projects of dispatch.demo.project_data through the same
services the web pages use (validate_project → create_project → submit → approve /
return_project / withdraw / request_change), acting as the demo users: the district user
where the district has one (历下区 lixia, 市中区 shizhong), otherwise the city user, who
also reviews. Construction progress is derived from the planned dates and `today`, so
the demo looks current whenever it is seeded.

Idempotent: a project is looked up by district + plan year + name (the unique key) and
skipped when it exists, so a second run creates nothing.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch import audit
from dispatch.audit import Acting
from dispatch.core.catalog import get_catalog
from dispatch.demo.orgs import ACCOUNTS, ENTERPRISES, demo_uscc
from dispatch.demo.project_data import PROJECTS, DemoProject
from dispatch.projects.data import ProjectInput, validate_project
from dispatch.projects.samples import sample_for_type
from dispatch.projects.services import (
    approve,
    create_project,
    decide_request,
    request_change,
    return_project,
    submit,
    withdraw,
)
from models import (
    ConstructionStatus,
    Enterprise,
    PlanStatus,
    Project,
    ProjectEvent,
    Region,
    RegionKind,
    Role,
    User,
)

__all__ = ["seed_demo_projects"]

CITY_USER = "city"
# District users of the demo accounts, by division code (only 历下区 and 市中区 have one).
DISTRICT_USERS = {org: name for name, _d, role, org in ACCOUNTS if role == Role.DISTRICT}
CONTACTS = ("王建国", "李明", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "周敏", "吴强")
CLOSE_COMMENT = "减排量核算已确认，运行阶段档案齐全，同意销号"
WITHDRAWAL_DECISION = "同意调出本年度计划清单"

Progress = tuple[ConstructionStatus, dt.date | None, dt.date | None, dt.date | None]


def progress(spec: DemoProject, today: dt.date) -> Progress:
    """(construction status, actual start, actual completion, stable operation from).

    Before the planned start: not started (preparation in the last 60 days). Then under
    construction (commissioning in the last 15 % of the schedule). After the planned
    completion an on-track project is completed five days early and runs stably 20 days
    later; a late one is still under construction, i.e. overdue.
    """
    if spec.progress == "none" or today < spec.start:
        soon = spec.progress != "none" and today >= spec.start - dt.timedelta(days=60)
        status = ConstructionStatus.PREPARATION if soon else ConstructionStatus.NOT_STARTED
        return status, None, None, None
    actual_start = min(spec.start + dt.timedelta(days=7), today)
    if today <= spec.end or spec.progress == "late":
        elapsed = (today - spec.start).days / max((spec.end - spec.start).days, 1)
        if elapsed >= 0.85 and spec.progress != "late":
            return ConstructionStatus.COMMISSIONING, actual_start, None, None
        return ConstructionStatus.UNDER_CONSTRUCTION, actual_start, None, None
    completed = max(spec.end - dt.timedelta(days=5), actual_start)
    stable = completed + dt.timedelta(days=20)
    if stable <= today:
        return ConstructionStatus.STABLE_OPERATION, actual_start, completed, stable
    return ConstructionStatus.COMPLETED, actual_start, completed, None


def _params(spec: DemoProject) -> tuple[str, dict[str, Any]]:
    method, params = sample_for_type(spec.type_code, spec.method, spec.scale)
    params.update(copy.deepcopy(spec.params or {}))
    return method, params


def _input(
    spec: DemoProject,
    index: int,
    district: Region,
    enterprise: Enterprise | None,
    status: ConstructionStatus,
) -> ProjectInput:
    method, params = _params(spec)
    return ProjectInput(
        name=spec.name,
        type_code=spec.type_code,
        method=method,
        plan_year=spec.year,
        district=district,
        enterprise=enterprise,
        owner_unit=spec.owner if isinstance(spec.owner, str) else "",
        site_address=spec.address,
        longitude=spec.lon,
        latitude=spec.lat,
        planned_start=spec.start,
        planned_completion=spec.end,
        total_investment=spec.total,
        env_investment=spec.env,
        contact_name=CONTACTS[index % len(CONTACTS)],
        contact_phone=f"0531-8{(6012345 + index * 7919) % 10_000_000:07d}",
        construction_status=status.value,
        params=params,
    )


def _clean(raw: ProjectInput, today: dt.date):  # type: ignore[no-untyped-def]
    clean, errors = validate_project(get_catalog(), raw, today=today)
    if clean is None:
        raise ValueError(f"演示项目“{raw.name}”数据有误：{dict(errors)}")
    return clean


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise LookupError(f"演示账户 {username} 不存在，请先写入演示区划和账户")
    return user


def _enterprise(session: Session, owner: int | str) -> Enterprise | None:
    if isinstance(owner, str):
        return None
    uscc = demo_uscc(ENTERPRISES[owner][0], owner)
    found = session.scalar(select(Enterprise).where(Enterprise.uscc == uscc))
    if found is None:
        raise LookupError(f"演示企业“{ENTERPRISES[owner][1]}”不存在")
    return found


def _exists(session: Session, district: Region, spec: DemoProject) -> bool:
    stmt = select(Project.id).where(
        Project.district_id == district.id,
        Project.plan_year == spec.year,
        Project.name == spec.name,
    )
    return session.scalar(stmt) is not None


def _close(session: Session, city: User, project: Project, *, now: dt.datetime) -> None:
    # There is no close-out service yet (workflow.md: the city closes a project after its
    # accounting is confirmed and its archive is complete). The demo sets the status
    # itself and writes the same history entry and audit event a service would.
    before = project.plan_status
    project.plan_status = PlanStatus.CLOSED
    project.updated_at = now
    session.add(
        ProjectEvent(
            project=project,
            occurred_at=now,
            actor_id=city.id,
            action="close",
            from_status=before.value,
            to_status=PlanStatus.CLOSED.value,
            comment=CLOSE_COMMENT,
        )
    )
    audit.record(
        session,
        Acting(city, now),
        "project.close",
        object_type="project",
        object_id=project.id,
        details={"code": project.code, "comment": CLOSE_COMMENT},
    )


def _change(
    session: Session, author: User, project: Project, raw: ProjectInput, spec: DemoProject, now,
    today: dt.date,
) -> None:  # fmt: skip
    """A pending change request with the spec's proposed values."""
    proposed = dict(spec.change or {})
    params = {**raw.params, **proposed.pop("params", {})}
    changed = dataclasses.replace(raw, params=params, **proposed)
    request_change(
        session, Acting(author, now), project, _clean(changed, today), spec.reason,
        version=project.version_id,
    )  # fmt: skip


def _seed_one(
    session: Session, spec: DemoProject, index: int, district: Region, users: dict[str, User],
    *, today: dt.date, now: dt.datetime,
) -> Project:  # fmt: skip
    city = users[CITY_USER]
    author = users.get(DISTRICT_USERS.get(spec.district, ""), city)
    # The demo acts as its users, at the seeding time, from no network address.
    as_city, as_author = Acting(city, now), Acting(author, now)
    reviewed = spec.status in ("approved", "closed")
    status, started, completed, stable = (
        progress(spec, today) if reviewed else (ConstructionStatus.NOT_STARTED, None, None, None)
    )
    raw = _input(spec, index, district, _enterprise(session, spec.owner), status)
    # Actual dates normally arrive through approved monthly progress reports; the demo
    # enters the ones its construction status implies with the project.
    raw.actual_start, raw.actual_completion, raw.stable_operation_from = started, completed, stable
    project = create_project(session, as_author, _clean(raw, today))
    if spec.status == "draft":
        return project
    submit(session, as_author, project, version=project.version_id)
    if spec.status == "submitted":
        return project
    if spec.status == "returned":
        return_project(session, as_city, project, spec.reason, version=project.version_id)
        return project
    approve(session, as_city, project, version=project.version_id)
    if spec.status == "withdrawn":
        if spec.via_request:
            request_ = request_change(
                session, as_author, project, None, spec.reason, version=project.version_id
            )
            decide_request(
                session, as_city, request_, approve_it=True, comment=WITHDRAWAL_DECISION,
                clean=None, version=project.version_id,
            )  # fmt: skip
        else:
            withdraw(session, as_city, project, spec.reason, version=project.version_id)
        return project
    if spec.change:
        _change(session, author, project, raw, spec, now, today)
    # Only a project in stable operation can be closed out; seeded before that date, the
    # project stays in the plan list (approved).
    if spec.status == "closed" and status == ConstructionStatus.STABLE_OPERATION:
        _close(session, city, project, now=now)
    return project


def seed_demo_projects(session: Session, *, today: dt.date, now: dt.datetime) -> int:
    """Create the demo projects that do not exist yet; return how many were created.

    Needs the demo city (regions, enterprises, accounts) of dispatch.demo.orgs. Every
    history entry and audit event is dated ``now``. Flushes, never commits.
    """
    users = {name: _user(session, name) for name in (CITY_USER, *DISTRICT_USERS.values())}
    districts = {
        r.division_code: r
        for r in session.scalars(select(Region).where(Region.kind == RegionKind.DISTRICT))
    }
    created = 0
    for index, spec in enumerate(PROJECTS):
        district = districts[spec.district]
        if _exists(session, district, spec):
            continue
        _seed_one(session, spec, index, district, users, today=today, now=now)
        created += 1
    session.flush()
    return created

"""What the backup tests back up: the demo city, or a small world, plus files uploaded
through the evidence service (so a drill always has objects, of more than one chunk too),
and the project pages the drill compares before and after."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dispatch.app import create_app
from dispatch.audit import Acting
from dispatch.core.catalog import get_catalog
from dispatch.db import Database, get_session
from dispatch.demo import DEMO_PASSWORD, seed_demo
from dispatch.evidence import samples, services
from dispatch.storage import Storage
from dispatch.storage.current import current_storage
from models import PlanStatus, Project, User
from tests.backup.site import Site, comparable
from tests.conftest import START, FakeClock, login, migrate
from tests.factories import build_world
from tests.projects.excel_helpers import make_project, project_input

MB = 1024 * 1024
# Three kinds of file; the PDF spans several storage chunks (1 MiB) and S3 parts' worth.
FILES = [
    ("整改方案.pdf", samples.pdf(["Backup drill"], padding=3 * MB)),
    ("竣工照片.png", samples.png(64, 48)),
    ("现场照片.jpg", samples.jpeg(32, 24)),
]


@dataclasses.dataclass(frozen=True)
class Source:
    site: Site
    folder: Path  # its backup
    uploaded: dict[str, bytes]  # storage key → the bytes uploaded


def _upload(
    session: Session, storage: Storage, user: User, projects: list[Project], at: dt.datetime
) -> dict[str, bytes]:
    """Each of :data:`FILES` against an item of one of ``projects`` that accepts its kind."""
    catalog = get_catalog()
    uploaded: dict[str, bytes] = {}
    for n, (name, body) in enumerate(FILES):
        project = projects[n % len(projects)]
        extension = name.rsplit(".", 1)[1]
        item = next(
            i
            for i in catalog.type(project.type_code).evidence_items
            if i.applies_to(project.method) and extension in i.formats
        )
        ev = services.upload(
            session, storage, Acting(user, at), catalog, project, item.code,
            io.BytesIO(body), name,
        )  # fmt: skip
        uploaded[ev.file.key] = body
    return uploaded


def seed_demo_site(site: Site, now: dt.datetime) -> dict[str, bytes]:
    """The demo city seeded at ``now`` into the site, plus :data:`FILES` uploaded by the city."""
    migrate(site.url).dispose()
    app = site.app(FakeClock(now))
    try:
        with app.app_context():
            session = get_session()
            seed_demo(session)
            session.commit()
            city = session.scalars(select(User).where(User.username == "city")).one()
            approved = select(Project).where(Project.plan_status == PlanStatus.APPROVED)
            projects = list(session.scalars(approved.order_by(Project.id).limit(len(FILES))))
            uploaded = _upload(session, current_storage(), city, projects, now)
            session.commit()
    finally:
        app.extensions["db"].engine.dispose()
    return uploaded


def seed_small(site: Site) -> dict[str, bytes]:
    """Two districts of one city (tests.factories), one approved project, :data:`FILES`."""
    engine = migrate(site.url)
    factory = sessionmaker(engine, expire_on_commit=False)
    storage = site.storage()
    app = create_app(site.settings(), database=Database(engine, factory), storage=storage)
    try:
        with app.app_context(), factory() as db:
            world = build_world(db)
            project = make_project(
                db, app, world.users["district_a"],
                project_input(world.district_a, "A2", "fuel_elimination", "甲区燃煤锅炉淘汰",
                              n=1, enterprise=world.enterprise_a),
                approver=world.users["city"],
            )  # fmt: skip
            uploaded = _upload(db, storage, world.users["enterprise_a"], [project], START)
            db.commit()
    finally:
        engine.dispose()
    return uploaded


def project_pages(site: Site, now: dt.datetime) -> dict[int, str]:
    """Every project's page as the demo city user sees it, comparable across sessions."""
    app = site.app(FakeClock(now))
    try:
        with app.app_context():
            ids = list(get_session().scalars(select(Project.id).order_by(Project.id)))
        client = app.test_client()
        signed_in = login(client, "city", DEMO_PASSWORD)
        assert signed_in.status_code == 302, signed_in.get_data(as_text=True)
        pages = {}
        for project_id in ids:
            page = client.get(f"/projects/{project_id}")
            assert page.status_code == 200, project_id
            pages[project_id] = comparable(page.get_data(as_text=True))
    finally:
        app.extensions["db"].engine.dispose()
    return pages

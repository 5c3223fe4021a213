"""A fresh database holding the demo city as seeded on a chosen day.

Seeding the demo's history takes seconds, so the demo tests seed once per day and module
and only read afterwards (the rollback-per-test database of ``tests.conftest`` would seed
it again for every test). The app runs on a :class:`~tests.conftest.FakeClock` set to
that day, as ``dispatch demo`` runs on the real one. Its evidence files go to a local
store in the module's instance folder (the embedded default, set explicitly here so the
tests can read the files back).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dispatch.app import create_app
from dispatch.config import Settings
from dispatch.db import Database, get_session
from dispatch.demo import seed_demo
from dispatch.storage import LocalStorage, Storage
from tests.conftest import TEST_SECRET, FakeClock, migrate


@dataclasses.dataclass
class SeededDemo:
    app: Flask
    engine: Engine
    now: dt.datetime
    created: dict[str, int]
    storage: Storage

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session on the seeded database, inside the app (its clock at ``now``)."""
        with self.app.app_context():
            yield get_session()


def seed_demo_at(url: str, instance: Path, now: dt.datetime) -> SeededDemo:
    engine = migrate(url)
    settings = Settings(
        env="development",
        instance_path=instance,
        database_url=url,
        secret_key=TEST_SECRET,
        testing=True,
    )
    storage = LocalStorage(instance / "evidence")
    app = create_app(settings, database=Database(engine), clock=FakeClock(now), storage=storage)
    with app.app_context():
        session = get_session()
        created = seed_demo(session)
        session.commit()
    return SeededDemo(app=app, engine=engine, now=now, created=created, storage=storage)

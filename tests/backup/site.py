"""One installation for the backup tests: a database, an instance folder and an evidence
store, as the ``dispatch`` command sees them through its environment.

SQLite sites keep their evidence in the instance folder (the embedded default);
PostgreSQL sites in a bucket of the session's SeaweedFS server, so the suite's two runs
(``--db=sqlite`` and ``--db=postgresql``) drill the two deployments the bureau can run.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import re
import shutil
import subprocess
from pathlib import Path

from click.testing import CliRunner, Result
from flask import Flask
from minio.deleteobjects import DeleteObject
from sqlalchemy import Engine, MetaData, select
from sqlalchemy.engine import make_url

from dispatch.app import create_app
from dispatch.cli import main
from dispatch.config import Settings
from dispatch.db import make_engine
from dispatch.storage import LocalStorage, S3Storage, Storage, make_storage
from tests.cli.test_cli_commands import run
from tests.conftest import TEST_SECRET, FakeClock
from tests.pg import TempPostgres
from tests.s3 import TempS3

_buckets = itertools.count()


def new_bucket() -> str:
    return f"backup-{next(_buckets)}"


@dataclasses.dataclass
class Site:
    url: str
    instance: Path
    s3: TempS3 | None = None
    bucket: str = ""
    postgres: TempPostgres | None = None

    @property
    def env(self) -> dict[str, str]:
        if self.s3 is None:
            return {}
        return {
            "DISPATCH_STORAGE": "s3",
            "DISPATCH_S3_ENDPOINT": self.s3.endpoint,
            "DISPATCH_S3_ACCESS_KEY": self.s3.access_key,
            "DISPATCH_S3_SECRET_KEY": self.s3.secret_key,
            "DISPATCH_S3_BUCKET": self.bucket,
            "DISPATCH_S3_SECURE": "false",
        }

    def settings(self) -> Settings:
        return dataclasses.replace(
            Settings.from_env(self.env),
            instance_path=self.instance,
            database_url=self.url,
            secret_key=TEST_SECRET,
            testing=True,
            ratelimit_enabled=False,
        )

    def storage(self) -> Storage:
        """The site's store (an S3 bucket is created when missing, as the app does)."""
        return make_storage(self.settings())

    def app(self, clock: FakeClock) -> Flask:
        return create_app(self.settings(), clock=clock)

    def engine(self) -> Engine:
        return make_engine(self.url)

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``dispatch *args`` as a separate process configured for this site."""
        return run(*args, url=self.url, instance=self.instance, **self.env)

    def invoke(self, *args: str) -> Result:
        """``dispatch *args`` in this process (faster), configured the same way."""
        env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("DISPATCH_")}
        env.update(
            DISPATCH_DATABASE_URL=self.url, DISPATCH_INSTANCE_PATH=str(self.instance), **self.env
        )
        return CliRunner().invoke(main, list(args), env=env)

    def wipe(self) -> None:
        """Lose everything: drop the database and create it again empty, remove the store."""
        if self.postgres is not None:
            import psycopg

            name = make_url(self.url).database
            admin = f"host=127.0.0.1 port={self.postgres.port} user=postgres dbname=postgres"
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}"')
        else:
            database = Path(make_url(self.url).database or "")
            for suffix in ("", "-wal", "-shm"):
                Path(f"{database}{suffix}").unlink(missing_ok=True)
        storage = self.storage()
        if isinstance(storage, S3Storage):
            doomed = [DeleteObject(info.key) for info in storage.iter_keys("")]
            assert not list(storage.client.remove_objects(storage.bucket, doomed))
            storage.client.remove_bucket(storage.bucket)
        elif isinstance(storage, LocalStorage):
            shutil.rmtree(storage.root)

    def objects(self) -> list[str]:
        return [info.key for info in self.storage().iter_keys("")]


def table_rows(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in primary-key order: the database compared as data."""
    metadata = MetaData()
    metadata.reflect(engine)
    rows: dict[str, list[tuple[object, ...]]] = {}
    with engine.connect() as conn:
        for name, table in sorted(metadata.tables.items()):
            order = list(table.primary_key.columns) or list(table.columns)
            rows[name] = [tuple(row) for row in conn.execute(select(table).order_by(*order))]
    return rows


TOKEN = re.compile(r'(name="csrf_token"[^>]*value=")[^"]*(")')


def comparable(html: str) -> str:
    """A page with what differs from one session to the next (the CSRF token) blanked."""
    return TOKEN.sub(r"\1-\2", html)

"""Fixtures of the backup tests: fresh sites on the backend under test, and one small
backed-up site that the refusal and verification tests copy rather than change."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.backup.seed import Source, seed_small
from tests.backup.site import Site, new_bucket
from tests.pg import TempPostgres


@pytest.fixture(scope="session")
def new_site(
    request: pytest.FixtureRequest,
    backend: str,
    postgres: TempPostgres | None,
    new_database_url: Callable[[], str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[], Site]:
    """Factory of empty sites: SQLite with local storage, or PostgreSQL with S3."""
    s3 = request.getfixturevalue("s3_server") if backend == "postgresql" else None

    def make() -> Site:
        return Site(
            url=new_database_url(),
            instance=tmp_path_factory.mktemp("site"),
            s3=s3,
            bucket=new_bucket() if s3 is not None else "",
            postgres=postgres,
        )

    return make


@pytest.fixture(scope="session")
def small(new_site: Callable[[], Site], tmp_path_factory: pytest.TempPathFactory) -> Source:
    """A small site (two districts, one project, three files) and its backup, made once."""
    site = new_site()
    uploaded = seed_small(site)
    folder = tmp_path_factory.mktemp("small-backup") / "backup"
    created = site.invoke("backup", "create", "--out", str(folder))
    assert created.exit_code == 0, created.output
    return Source(site, folder, uploaded)


@pytest.fixture
def backup_copy(small: Source, tmp_path: Path) -> Iterator[Path]:
    """A copy of the small backup this test may damage."""
    copy = tmp_path / "backup"
    shutil.copytree(small.folder, copy)
    yield copy

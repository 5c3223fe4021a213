"""``dispatch export package``, run in-process with click's runner against a database of
its own (the command opens its own app and session from the environment, so the data it
reads must be committed): the four files written into the folder (or one zip), listed
with their sizes, the city's scope, and the audit event."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from dispatch.app import create_app
from dispatch.cli import main
from dispatch.config import Settings
from dispatch.db import get_session
from models import AuditEvent
from tests.conftest import TEST_SECRET, migrate
from tests.exports.seed import YEAR, Seeded, seed_year
from tests.factories import build_world

NAMES = [
    f"重点减排工程计划清单（{YEAR}年）.xlsx",
    f"重点减排工程进展调度（{YEAR}年05月）.xlsx",
    f"重点工程减排量核算（{YEAR}年）.xlsx",
    "减排档案（测试市）.zip",
]


@pytest.fixture(scope="module")
def committed(
    new_database_url: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path, Seeded, dict[str, str]]]:
    url = new_database_url()
    migrate(url).dispose()
    instance = tmp_path_factory.mktemp("package-instance")
    settings = Settings(
        instance_path=instance, database_url=url, secret_key=TEST_SECRET, testing=True
    )
    app = create_app(settings)
    try:
        with app.app_context():
            db = get_session()
            world = build_world(db)
            db.commit()
            seeded = seed_year(db, world, app.extensions["storage"])
            codes = {code: c.project.district.name for code, c in seeded.current.items()}
        yield url, instance, seeded, codes
    finally:
        app.extensions["db"].engine.dispose()


def _run(url: str, instance: Path, *args: str) -> Any:
    env = {"DISPATCH_DATABASE_URL": url, "DISPATCH_INSTANCE_PATH": str(instance)}
    return CliRunner().invoke(main, ["export", "package", *args], env=env)


def _events(url: str) -> list[AuditEvent]:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            stmt = select(AuditEvent).where(AuditEvent.action == "package.export")
            return list(session.scalars(stmt.order_by(AuditEvent.id)))
    finally:
        engine.dispose()


def _codes(data: bytes) -> set[str]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    rows = list(book["核算明细"].iter_rows(min_row=2, values_only=True))
    book.close()
    return {row[1] for row in rows}


def test_package_writes_the_four_files_and_lists_them_with_sizes(committed, tmp_path) -> None:
    url, instance, seeded, codes = committed
    out = tmp_path / "报送"
    before = len(_events(url))
    result = _run(url, instance, "--year", str(YEAR), "--out", str(out), "--city", "990100")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(NAMES)  # no temporary left
    for name in NAMES:
        size = (out / name).stat().st_size
        assert f"{name}  {size:,} 字节" in result.output
    # The city's accounting, both districts.
    assert _codes((out / NAMES[2]).read_bytes()) == set(codes)
    assert set(codes.values()) == {"甲区", "乙区"}
    archive = zipfile.ZipFile(out / NAMES[3])
    assert archive.testzip() is None and "manifest.csv" in archive.namelist()
    events = _events(url)
    assert len(events) == before + 1
    event = events[-1]
    assert event.actor_id is None and event.remote_addr == ""
    assert event.details["city"] == "测试市" and event.details["year"] == YEAR
    assert [p["name"] for p in event.details["parts"]] == NAMES
    assert event.details["archive"]["files"] == seeded.files


def test_package_as_one_zip(committed, tmp_path) -> None:
    url, instance, _seeded, codes = committed
    result = _run(url, instance, "--year", str(YEAR), "--out", str(tmp_path), "--city", "990100",
                  "--zip")  # fmt: skip
    assert result.exit_code == 0, result.output
    written = [p.name for p in tmp_path.iterdir()]
    assert written == [f"重点减排工程年度报送材料（{YEAR}年）.zip"]
    package = zipfile.ZipFile(tmp_path / written[0])
    assert package.namelist() == NAMES
    assert _codes(package.read(NAMES[2])) == set(codes)
    assert written[0] in result.output
    assert _events(url)[-1].details["file"] == written[0]


def test_package_needs_the_city_when_there_are_several(committed, tmp_path) -> None:
    url, instance, _seeded, _districts = committed
    before = len(_events(url))
    result = _run(url, instance, "--year", str(YEAR), "--out", str(tmp_path))
    assert result.exit_code != 0
    assert "990100 测试市" in result.output and "990200 邻市" in result.output
    unknown = _run(url, instance, "--year", str(YEAR), "--out", str(tmp_path), "--city", "123456")
    assert unknown.exit_code != 0 and "123456" in unknown.output
    assert list(tmp_path.iterdir()) == []
    assert len(_events(url)) == before


def test_the_other_city_package_holds_none_of_this_city(committed, tmp_path) -> None:
    url, instance, _seeded, _districts = committed
    result = _run(url, instance, "--year", str(YEAR), "--out", str(tmp_path), "--city", "990200")
    assert result.exit_code == 0, result.output
    assert _codes((tmp_path / NAMES[2]).read_bytes()) == set()
    assert "没有调度轮次" in result.output

"""``dispatch export progress``, run in-process with click's runner against a database of
its own (the command opens its own app and session from the environment, so the data it
reads must be committed, not held in a test's rolled-back transaction)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from dispatch.app import create_app
from dispatch.audit import Acting
from dispatch.cli import main
from dispatch.config import Settings
from dispatch.db import get_session
from dispatch.rounds import services
from models import AuditEvent, DispatchRound
from tests.conftest import START, TEST_SECRET, migrate
from tests.factories import build_world
from tests.rounds.helpers import build_projects, fill, open_round


@pytest.fixture(scope="module")
def committed(
    new_database_url: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path, dict[str, str]]]:
    """A database holding the rounds world for real: one report submitted, two not."""
    url = new_database_url()
    migrate(url).dispose()
    instance = tmp_path_factory.mktemp("export-instance")
    settings = Settings(
        instance_path=instance, database_url=url, secret_key=TEST_SECRET, testing=True
    )
    app = create_app(settings)
    try:
        with app.app_context():
            db = get_session()
            world = build_world(db)
            db.commit()
            projects = build_projects(db, app, world)
            rnd = open_round(db, app, world)
            db.commit()
            report = next(r for r in rnd.reports if r.project_id == projects["pub"].id)
            fill(db, world.users["district_a"], report)
            district = Acting(world.users["district_a"], START)
            services.submit(db, district, report, version=report.version_id)
            db.commit()
            codes = {key: p.code for key, p in projects.items()}
        yield url, instance, codes
    finally:
        app.extensions["db"].engine.dispose()


def _run(url: str, instance: Path, *args: str) -> Any:
    env = {"DISPATCH_DATABASE_URL": url, "DISPATCH_INSTANCE_PATH": str(instance)}
    return CliRunner().invoke(main, ["export", "progress", *args], env=env)


def test_export_progress_writes_the_rounds_workbook_and_is_audited(committed, tmp_path) -> None:
    url, instance, codes = committed
    out = tmp_path / "进展.xlsx"
    result = _run(url, instance, "--month", "2025-05", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "3 条填报" in result.output
    book = openpyxl.load_workbook(io.BytesIO(out.read_bytes()))
    assert book.sheetnames == ["进展调度", "缺报与逾期"]
    headers = [c.value for c in book["进展调度"][1]]
    rows = {r[0]: dict(zip(headers, r, strict=True)) for r in book["进展调度"].iter_rows(
        min_row=2, values_only=True
    )}  # fmt: skip
    assert set(rows) == {codes["ent"], codes["pub"], codes["b"]}  # the whole city
    assert rows[codes["pub"]]["填报状态"] == "区县已提交"
    assert rows[codes["pub"]]["累计完成投资（万元）"] == 300
    # Exported today, long after the 2025-05 deadline: the two unsubmitted are missing.
    situations = {r[1]: r[4] for r in book["缺报与逾期"].iter_rows(min_row=2, values_only=True)}
    assert situations == {codes["ent"]: "缺报", codes["b"]: "缺报"}
    settings = Settings(instance_path=instance, database_url=url, secret_key=TEST_SECRET)
    app = create_app(settings)
    try:
        with app.app_context():
            db = get_session()
            event = db.scalars(
                select(AuditEvent).where(AuditEvent.action == "progress.export")
            ).one()
            rnd = db.scalars(select(DispatchRound)).first()
            assert event.actor_id is None  # the system
            assert event.object_id == str(rnd.id) and event.details["rows"] == 3
            assert event.details["file"] == "进展.xlsx"
    finally:
        app.extensions["db"].engine.dispose()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--month", "2025-13"), "月份应写成 YYYY-MM"),
        (("--month", "2025-04"), "没有 2025年4月 的调度轮次"),
        (("--month", "2025-05", "--city", "990200"), "行政区划代码为 990200 的市"),
    ],
)
def test_export_progress_refuses_what_it_cannot_export(committed, tmp_path, args, message) -> None:
    url, instance, _codes = committed
    out = tmp_path / "out.xlsx"
    result = _run(url, instance, *args, "--out", str(out))
    assert result.exit_code != 0 and message in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == []

"""``dispatch evidence verify|reconcile`` and ``dispatch export archive`` run for real as
subprocesses against their own database and the local store of their instance folder."""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import sessionmaker

from dispatch.app import create_app
from dispatch.audit import Acting
from dispatch.config import Settings
from dispatch.core.catalog import get_catalog
from dispatch.db import Database
from dispatch.evidence import services
from dispatch.storage import LocalStorage, new_key
from tests.cli.test_cli_commands import run
from tests.conftest import START, TEST_SECRET, migrate
from tests.evidence.corpus import GOOD
from tests.factories import build_world
from tests.projects.excel_helpers import make_project, project_input


def test_verify_reconcile_and_archive_commands(
    new_database_url: Callable[[], str], tmp_path: Path
) -> None:
    url, instance = new_database_url(), tmp_path / "instance"
    engine = migrate(url)
    storage = LocalStorage(instance / "evidence")
    settings = Settings(
        instance_path=instance, database_url=url, secret_key=TEST_SECRET, testing=True
    )
    app = create_app(settings, database=Database(engine, sessionmaker(engine)), storage=storage)
    with app.app_context(), sessionmaker(engine)() as db:
        world = build_world(db)
        project = make_project(
            db, app, world.users["district_a"],
            project_input(world.district_a, "A2", "fuel_elimination", "甲区燃煤锅炉淘汰", n=1,
                          enterprise=world.enterprise_a),
            approver=world.users["city"],
        )  # fmt: skip
        row = services.upload(
            db, storage, Acting(world.users["enterprise_a"], START), get_catalog(), project,
            "G03", io.BytesIO(GOOD["实施方案.pdf"]), "实施方案.pdf",
        )  # fmt: skip
        services.review(db, Acting(world.users["city"], START), row, True, "", version=1)
        db.commit()
        key, code = row.file.key, world.district_a.division_code
    engine.dispose()

    ok = run("evidence", "verify", url=url, instance=instance)
    assert ok.returncode == 0, ok.stderr
    assert "已校验 1 个文件" in ok.stdout

    out = tmp_path / "档案.zip"
    exported = run(
        "export", "archive", "--out", str(out), "--district", code, url=url, instance=instance
    )
    assert exported.returncode == 0, exported.stderr
    names = zipfile.ZipFile(out).namelist()
    assert "manifest.csv" in names and any(n.endswith("G03_实施方案/实施方案.pdf") for n in names)

    (instance / "evidence" / key).write_bytes(b"%PDF-1.4 changed %%EOF")
    changed = run("evidence", "verify", url=url, instance=instance)
    assert changed.returncode == 1 and key in changed.stderr and "内容与记录不符" in changed.stderr

    orphan = new_key("evidence", START)
    storage.put(orphan, io.BytesIO(b"orphan"))
    old = (dt.datetime.now() - dt.timedelta(hours=3)).timestamp()
    os.utime(instance / "evidence" / orphan, (old, old))
    drift = run("evidence", "reconcile", url=url, instance=instance)
    assert drift.returncode == 1 and orphan in drift.stderr
    fixed = run("evidence", "reconcile", "--fix", url=url, instance=instance)
    assert "已删除孤立对象 1 个" in fixed.stdout
    assert not storage.exists(orphan)
    again = run("evidence", "reconcile", url=url, instance=instance)
    assert again.returncode == 0, again.stderr

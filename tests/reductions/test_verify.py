"""Reproducibility: ``dispatch account verify`` recomputes every confirmed version (current
and superseded) from what it stored, passes on untouched data and finds tampering."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from dispatch.core.catalog import get_catalog
from dispatch.reductions.verify import verify
from tests.conftest import migrate
from tests.factories import build_world
from tests.reductions.states import ACTUAL, confirm, enter, stable_project, with_rule

DISPATCH = Path(sys.executable).parent / "dispatch"


def drop_guard(db: Session) -> None:
    """What only someone with the database's owner rights could do: lift the guard."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("DROP TRIGGER reduction_confirmations_frozen ON reduction_confirmations"))
    else:
        db.execute(text("DROP TRIGGER reduction_confirmations_frozen_update"))


def _seed(db: Session, world) -> list[int]:  # type: ignore[no-untyped-def]
    """Two projects, one corrected (so a superseded version too), one livestock (a
    coefficient from the table and a pig-equivalent ratio), one under full_year."""
    ids = []
    boiler = stable_project(db, world)
    enter(db, world, boiler)
    ids.append(confirm(db, world, boiler).id)
    enter(db, world, boiler, params=ACTUAL | {"hours": "6000"}, reason="台账更正")
    ids.append(confirm(db, world, boiler).id)
    farm = stable_project(
        db, world, type_code="W6", method="livestock",
        params={"species": "layer", "head_count": "90000", "removal_before": "60",
                "removal_after": "95"},
    )  # fmt: skip
    layers = {"species": "layer", "head_count": "90000", "removal_before": "50",
              "removal_after": "95"}  # fmt: skip
    rule = with_rule("full_year")
    enter(db, world, farm, params=layers, catalog=rule)
    ids.append(confirm(db, world, farm, catalog=rule).id)
    return ids


def test_verify_passes_on_confirmed_versions_and_finds_a_tampered_value(app, db, world):
    with app.app_context():
        ids = _seed(db, world)
    report = verify(db, get_catalog())
    assert (report.checked, report.differences) == (3, [])
    # The farm was confirmed while full_year was in force: the tables changed since.
    assert [f.confirmation_id for f in report.drifted] == [ids[2]]

    drop_guard(db)
    # The superseded version is checked too.
    db.execute(text("UPDATE reduction_confirmations SET credit_nox = 300 WHERE id = :id"),
               {"id": ids[0]})  # fmt: skip
    db.execute(
        text("UPDATE reduction_confirmations SET credit_months = 11 WHERE id = :id"),
        {"id": ids[2]},
    )
    db.expire_all()
    report = verify(db, get_catalog())
    found = {f.confirmation_id: f.problems for f in report.differences}
    assert set(found) == {ids[0], ids[2]} and not report.ok
    assert found[ids[0]] == ["NOx当年减排量：存储值 300.000000，重算值 297.000000"]
    assert "计入月数：存储值 11，重算值 12" in found[ids[2]]


def test_a_changed_coefficient_table_is_drift_not_a_difference(app, db, world):
    with app.app_context():
        _seed(db, world)
    catalog = get_catalog()
    factors = dict(catalog.coefficients.factors)
    factors["livestock_cod"] = dataclasses.replace(factors["livestock_cod"], value=Decimal(40))
    edited = dataclasses.replace(
        catalog, coefficients=dataclasses.replace(catalog.coefficients, factors=factors)
    )
    report = verify(db, edited)
    assert report.ok and report.checked == 3
    assert len(report.drifted) == 3  # the farm's rule differs, the others' factor


def test_the_command_exits_non_zero_on_a_difference(app, new_database_url, tmp_path):
    url = new_database_url()
    engine = migrate(url)
    try:
        session = sessionmaker(bind=engine, expire_on_commit=False)()
        with app.app_context():
            world = build_world(session)
            session.commit()
            ids = _seed(session, world)
        env = {k: v for k, v in os.environ.items() if not k.startswith("DISPATCH_")}
        env |= {"DISPATCH_DATABASE_URL": url, "DISPATCH_INSTANCE_PATH": str(tmp_path)}

        def run() -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [str(DISPATCH), "account", "verify"],
                env=env, capture_output=True, text=True, timeout=120, check=False,
            )  # fmt: skip

        clean = run()
        assert clean.returncode == 0, clean.stderr
        assert "已核对 3 个已核定版本" in clean.stdout and "全部与重算结果一致" in clean.stdout
        drop_guard(session)
        session.execute(
            text("UPDATE reduction_confirmations SET capacity_cod = 1 WHERE id = :id"),
            {"id": ids[2]},
        )
        session.commit()
        tampered = run()
        assert tampered.returncode == 1
        assert "COD年减排能力：存储值 1.000000" in tampered.stderr
        session.close()
    finally:
        engine.dispose()

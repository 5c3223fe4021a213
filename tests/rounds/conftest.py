from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tests.factories import World
from tests.rounds.helpers import RoundWorld, build_projects, open_round


@pytest.fixture
def rounds(db: Session, app: Flask, world: World) -> RoundWorld:
    """Three approved projects in the city (one owned by enterprise A), a draft, one in the
    other city, and the city's round for 2025-05 open."""
    projects = build_projects(db, app, world)
    rnd = open_round(db, app, world)
    db.commit()
    return RoundWorld(world=world, projects=projects, round=rnd)

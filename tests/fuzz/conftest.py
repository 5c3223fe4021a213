"""Fixtures of the fuzz tests."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from tests.factories import World
from tests.fuzz.arena import Arena


@pytest.fixture
def arena(app: Flask, db: Session, world: World, session_factory: sessionmaker[Session]) -> Arena:
    """The world, an approved project of the export year and the signed-in exporter."""
    return Arena.build(app, db, world, session_factory)

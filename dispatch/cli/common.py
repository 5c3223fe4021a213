"""What every command shares: validated settings and an app context with a session."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import Flask
from sqlalchemy.orm import Session

from dispatch.config import ConfigError, Settings


def load_settings() -> Settings:
    try:
        settings = Settings.from_env().with_generated_secret()
        settings.validate()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    return settings


@contextmanager
def app_session() -> Iterator[tuple[Flask, Session]]:
    """An app context and a database session for one command."""
    from dispatch.app import create_app
    from dispatch.db import get_session

    app = create_app(load_settings())
    try:
        with app.app_context():
            yield app, get_session()
    finally:
        # The command's pool closes with it, so a command run in-process (click's test
        # runner) leaves no open connection behind.
        app.extensions["db"].engine.dispose()

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


SHOWN = 20  # items of a problem list printed before "…… 另有 N 个"


def echo_list(title: str, items: list[str]) -> None:
    """A titled list of problems on stderr, the first :data:`SHOWN` of them."""
    if items:
        click.echo(f"{title}（{len(items)}）：", err=True)
        for item in items[:SHOWN]:
            click.echo(f"  {item}", err=True)
        if len(items) > SHOWN:
            click.echo(f"  …… 另有 {len(items) - SHOWN} 个", err=True)

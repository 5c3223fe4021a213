"""``dispatch db``: schema migrations."""

from __future__ import annotations

import click

from dispatch.cli.common import load_settings


@click.group(name="db", help="数据库迁移")
def db() -> None:
    pass


@db.command("upgrade", help="升级数据库结构到最新版本")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    from dispatch.migrate import upgrade

    settings = load_settings()
    if settings.database_url.startswith("sqlite"):
        settings.instance_path.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url, revision)
    click.echo(f"数据库已升级到 {revision}")


@db.command("downgrade", help="回退数据库结构")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    from dispatch.migrate import downgrade

    downgrade(load_settings().database_url, revision)
    click.echo(f"数据库已回退到 {revision}")

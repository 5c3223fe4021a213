"""The ``dispatch`` command line: database, accounts, demo data, serving, audit, catalog."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.config import ConfigError, Settings
from dispatch.errors import DomainError


def _settings() -> Settings:
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

    app = create_app(_settings())
    with app.app_context():
        yield app, get_session()


@click.group(help="减排调度：重点减排工程调度系统")
def main() -> None:
    pass


@main.group(help="数据库迁移")
def db() -> None:
    pass


@db.command("upgrade", help="升级数据库结构到最新版本")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    from dispatch.migrate import upgrade

    settings = _settings()
    if settings.database_url.startswith("sqlite"):
        settings.instance_path.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url, revision)
    click.echo(f"数据库已升级到 {revision}")


@db.command("downgrade", help="回退数据库结构")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    from dispatch.migrate import downgrade

    downgrade(_settings().database_url, revision)
    click.echo(f"数据库已回退到 {revision}")


@main.group(help="用户账户")
def user() -> None:
    pass


@user.command("create", help="创建用户（组织按行政区划代码或统一社会信用代码指定）")
@click.option("--username", required=True)
@click.option("--display-name", default="")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["enterprise", "district", "city", "admin", "auditor"]),
)
@click.option("--org", required=True, help="行政区划代码（6 位）或企业统一社会信用代码（18 位）")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--must-change/--no-must-change", default=True, show_default=True)
def user_create(
    username: str, display_name: str, role: str, org: str, password: str, must_change: bool
) -> None:
    from dispatch import orgs
    from models import Enterprise, Region, Role

    with app_session() as (_app, session):
        region = session.scalar(select(Region).where(Region.division_code == org))
        enterprise = session.scalar(select(Enterprise).where(Enterprise.uscc == org.upper()))
        try:
            created = orgs.create_user(
                session,
                username=username,
                display_name=display_name,
                role=Role(role),
                password=password,
                region=region,
                enterprise=enterprise,
                must_change_password=must_change,
                actor=None,
            )
        except DomainError as exc:
            session.rollback()
            raise click.ClickException(exc.message) from exc
        session.commit()
        click.echo(f"已创建用户 {created.username}（{created.role.label}，{created.org_name}）")


@main.command(help="写入演示数据（济南市；可重复执行）")
def demo() -> None:
    from dispatch.demo import ACCOUNTS, DEMO_PASSWORD, seed_demo

    with app_session() as (_app, session):
        created = seed_demo(session)
        session.commit()
    click.echo(
        f"演示数据就绪：新建区划 {created['regions']} 个、企业 {created['enterprises']} 家、"
        f"用户 {created['users']} 个、项目 {created.get('projects', 0)} 个"
    )
    click.echo(f"演示账户（密码均为 {DEMO_PASSWORD}）：")
    for username, display, role, _org in ACCOUNTS:
        click.echo(f"  {username:<14} {role.label}（{display}）")


@main.command(help="启动 Web 服务（gunicorn）")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    from gunicorn.app.base import BaseApplication

    from dispatch.app import create_app

    settings = _settings()

    class _Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("accesslog", "-")

        def load(self) -> Flask:
            return create_app(settings)

    click.echo(f"减排调度已启动：http://{host}:{port}/")
    _Server().run()


@main.group(help="审计日志")
def audit() -> None:
    pass


@audit.command("verify", help="校验审计日志哈希链")
def audit_verify() -> None:
    from dispatch.audit import verify_chain

    with app_session() as (_app, session):
        report = verify_chain(session)
    if report.ok:
        click.echo(f"审计日志校验通过：共 {report.checked} 条事件")
        return
    click.echo(
        f"审计日志校验失败：事件 #{report.first_bad_id} 无法通过校验（{report.reason}）；"
        f"此前 {report.checked} 条正常",
        err=True,
    )
    sys.exit(1)


def _add_catalog_commands() -> None:
    from dispatch.accounting.cli import account_cli, catalog_cli

    main.add_command(catalog_cli)
    main.add_command(account_cli)


_add_catalog_commands()

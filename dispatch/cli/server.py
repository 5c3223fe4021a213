"""``dispatch demo`` and ``dispatch serve``: seed the demo city, run gunicorn."""

from __future__ import annotations

import click
from flask import Flask

from dispatch.cli.common import app_session, load_settings
from dispatch.config import ConfigError


@click.command(help="写入演示数据（济南市，按当天日期生成本年度清单和月度调度；可重复执行）")
def demo() -> None:
    from dispatch.demo import ACCOUNTS, DEMO_PASSWORD, seed_demo

    with app_session() as (_app, session):
        created = seed_demo(session)
        session.commit()
    click.echo(
        f"演示数据就绪：新建区划 {created['regions']} 个、企业 {created['enterprises']} 家、"
        f"用户 {created['users']} 个、项目 {created['projects']} 个、"
        f"调度轮次 {created['rounds']} 个、进展填报 {created['reports']} 份、"
        f"佐证材料 {created['evidence_files']} 份"
    )
    click.echo(f"演示账户（密码均为 {DEMO_PASSWORD}）：")
    for username, display, role, _org in ACCOUNTS:
        click.echo(f"  {username:<14} {role.label}（{display}）")


@click.command(help="启动 Web 服务（gunicorn）")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(min=1))
def serve(host: str, port: int, workers: int) -> None:
    from gunicorn.app.base import BaseApplication

    from dispatch.app import create_app

    # The worker count travels in the settings, so start-up can judge the limiter store
    # (in production several workers need Redis) before gunicorn forks anything.
    settings = load_settings().for_server(workers)
    try:
        settings.validate()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc

    class _Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("accesslog", "-")

        def load(self) -> Flask:
            return create_app(settings)

    click.echo(f"减排调度已启动：http://{host}:{port}/")
    _Server().run()

"""``dispatch audit``: the audit chain."""

from __future__ import annotations

import sys

import click

from dispatch.cli.common import app_session


@click.group(name="audit", help="审计日志")
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

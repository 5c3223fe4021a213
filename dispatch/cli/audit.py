"""``dispatch audit``: verify the chain, archive events past the retention, export the log.

``verify`` walks the live chain; with ``--archive FILE…`` it checks the archive files and
the live log as one chain from the first event ever recorded. ``archive`` moves the events
older than ``DISPATCH_AUDIT_RETENTION_DAYS`` (or than ``--before``, itself past the
retention) into a new file and records that in the chain. ``export`` writes the filtered
log as a workbook, like the auditor's page but without its size bound. Every file is
written next to its final name and moved there only when complete.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import click

from dispatch.cli.common import app_session

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@click.group(name="audit", help="审计日志")
def audit() -> None:
    pass


@contextmanager
def _file_beside(out_path: Path) -> Iterator[tuple[IO[bytes], Callable[[], None]]]:
    """A temporary file next to ``out_path`` and a function that moves it into place;
    removed if the block fails or ends without moving it."""
    fd, temp = tempfile.mkstemp(prefix=f".{out_path.name}-", dir=out_path.parent)
    moved = False

    def move() -> None:
        nonlocal moved
        out.flush()
        os.fsync(out.fileno())
        out.close()
        os.replace(temp, out_path)
        moved = True

    out = os.fdopen(fd, "wb")
    try:
        yield out, move
    finally:
        out.close()
        if not moved:
            Path(temp).unlink(missing_ok=True)


@audit.command("verify", help="校验审计日志哈希链（可连同归档文件从头校验）")
@click.option(
    "--archive",
    "archives",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="dispatch audit archive 生成的归档文件；可多次指定，须包括全部归档文件",
)
def audit_verify(archives: tuple[Path, ...]) -> None:
    from dispatch.audit import verify_chain
    from dispatch.auditlog.archive_check import verify_archives

    with app_session() as (_app, session):
        if archives:
            check = verify_archives(session, archives)
        else:
            report = verify_chain(session)
    if archives:
        if check.ok:
            click.echo(
                f"审计日志校验通过：归档文件 {len(check.files)} 个共 {check.archived} 条事件，"
                f"现存 {check.live.checked} 条事件，哈希链从第一条事件起完整衔接"
            )
            return
        click.echo("审计日志校验失败：", err=True)
        for problem in check.problems:
            click.echo(f"  - {problem}", err=True)
        sys.exit(1)
    if report.ok:
        archived = report.start.archived_through
        note = (
            f"；事件 #{archived} 及之前的事件已归档，连同归档校验请加 --archive 归档文件"
            if archived is not None
            else ""
        )
        click.echo(f"审计日志校验通过：共 {report.checked} 条事件{note}")
        return
    click.echo(
        f"审计日志校验失败：事件 #{report.first_bad_id} 无法通过校验（{report.reason}）；"
        f"此前 {report.checked} 条正常",
        err=True,
    )
    sys.exit(1)


def _date(value: str | None, option: str):  # type: ignore[no-untyped-def]
    import datetime as dt

    if value is None:
        return None
    try:
        if not DATE_RE.match(value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"日期应写成 YYYY-MM-DD（如 2025-01-01），而不是“{value}”", param_hint=option
        ) from None


@audit.command("archive", help="将超过保存期的审计事件移入归档文件（哈希链保持可校验）")
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="归档文件（JSON Lines，新文件，不会覆盖已有文件）",
)
@click.option(
    "--before",
    metavar="YYYY-MM-DD",
    help="只归档该日（北京时间）之前的事件；该日须早于保存期起点。默认：保存期起点",
)
def audit_archive(out_path: Path, before: str | None) -> None:
    from dispatch.audit import Acting
    from dispatch.auditlog.archive import archive_events, latest_cutoff
    from dispatch.auditlog.queries import day_start
    from dispatch.clock import CHINA_TZ, now
    from dispatch.errors import DomainError

    if out_path.exists():
        raise click.ClickException(
            f"{out_path} 已存在：归档不覆盖已有文件（其中可能是已归档的事件）"
        )
    day = _date(before, "--before")
    with app_session() as (app, session):
        retention = app.config["SETTINGS"].audit_retention_days
        at = now()
        latest = latest_cutoff(at, retention)
        cutoff = day_start(day) if day is not None else latest
        if cutoff > latest:
            last_day = latest.astimezone(CHINA_TZ).date()
            raise click.ClickException(
                f"--before {before} 未满保存期（DISPATCH_AUDIT_RETENTION_DAYS = {retention} 天）："
                f"最晚只能归档到 {last_day} 之前（--before {last_day}）"
            )
        with _file_beside(out_path) as (out, move):
            try:
                result = archive_events(
                    session,
                    Acting(None, at),
                    out,
                    cutoff=cutoff,
                    retention_days=retention,
                    file_name=out_path.name,
                )
                if result is not None:
                    session.commit()
            except DomainError as exc:
                session.rollback()
                raise click.ClickException(exc.message) from exc
            except BaseException:
                session.rollback()
                raise
            if result is not None:
                move()
    shown = cutoff.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
    if result is None:
        click.echo(f"没有 {shown}（北京时间）之前的审计事件，未生成归档文件")
        return
    plan = result.plan
    click.echo(
        f"已归档审计事件 #{plan.first_id}–#{plan.last_id} 共 {plan.count} 条"
        f"（{shown} 北京时间之前）到 {out_path}\n"
        f"SHA-256：{result.sha256}\n"
        f"归档已记入审计日志（事件 #{result.event.id}）。请将归档文件连同其 SHA-256 另行妥善保存；"
        f"校验：dispatch audit verify --archive {out_path}（及此前的全部归档文件）"
    )


@audit.command("export", help="按条件导出审计日志工作簿（.xlsx）")
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="输出文件（.xlsx）",
)
@click.option("--from", "date_from", metavar="YYYY-MM-DD", help="开始日期（北京时间，含）")
@click.option("--to", "date_to", metavar="YYYY-MM-DD", help="结束日期（北京时间，含）")
@click.option("--category", help="类别：security（安全事件）、export（导出与下载）等")
@click.option("--actor", help="操作人（用户名的一部分）")
@click.option("--action", help="操作（开头部分，如 auth.）")
@click.option("--outcome", help="结果：success、failure 或 denied")
@click.option("--object-type", help="对象类型")
@click.option("--object-id", help="对象编号")
@click.option("--remote-addr", help="来源地址（开头部分）")
def audit_export(out_path: Path, **filters: str | None) -> None:
    from werkzeug.datastructures import MultiDict

    from dispatch import audit as audit_log
    from dispatch.audit import Acting
    from dispatch.auditlog.export import MAX_ROWS, write_events
    from dispatch.auditlog.queries import AuditCriteria, count, filtered
    from dispatch.clock import now
    from forms.auditlog import AuditFilterForm

    with app_session() as (_app, session):
        form = AuditFilterForm(formdata=MultiDict({k: v for k, v in filters.items() if v}))
        if not form.validate():
            messages = [f"{f.label.text}：{e}" for f in form for e in f.errors]
            raise click.ClickException("；".join(messages))
        criteria = AuditCriteria.of(form.data)
        stmt = filtered(criteria)
        total = count(session, stmt)
        if total > MAX_ROWS:
            raise click.ClickException(
                f"符合条件的事件共 {total} 条，超过一个工作表可容纳的 {MAX_ROWS} 条："
                "请缩小日期范围分批导出"
            )
        acting = Acting(None, now())
        with _file_beside(out_path) as (out, move):
            rows = write_events(
                session, stmt, out, criteria=criteria, exported_at=acting.at, exported_by=""
            )
            details = {
                "filters": criteria.as_details(),
                "rows": rows,
                "via": "cli",
                "file": out_path.name[:255],
            }
            audit_log.record(
                session, acting, "audit.export", object_type="audit_log", details=details
            )
            session.commit()
            move()
    click.echo(f"已导出 {rows} 条审计事件到 {out_path}")

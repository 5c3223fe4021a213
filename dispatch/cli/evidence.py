"""``dispatch evidence``: storage integrity; ``dispatch export archive``: the evidence zip.

``verify`` re-reads every object and compares size and SHA-256 with its row;
``reconcile`` lists objects without a row and rows without an object (``--fix`` removes
orphans older than an hour and marks missing files). Both print a summary and exit 1 on
problems. ``archive`` writes the national archive zip (national-export.md §4) of the city
or one district, next to ``--out`` first and moved into place when complete.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click

from dispatch.cli.common import app_session, echo_list


@click.group(name="evidence", help="佐证材料存储校验")
def evidence() -> None:
    pass


@evidence.command("verify", help="重新读取每个文件，核对大小和 SHA-256")
def evidence_verify() -> None:
    from dispatch.evidence.integrity import verify
    from dispatch.storage.current import current_storage

    with app_session() as (_app, session):
        report = verify(session, current_storage())
    click.echo(f"已校验 {report.checked} 个文件，共 {report.bytes} 字节")
    echo_list("内容与记录不符", report.changed)
    echo_list("存储中缺失", report.missing)
    if not report.ok:
        sys.exit(1)
    click.echo("校验通过")


@evidence.command("reconcile", help="核对存储对象与数据库记录")
@click.option("--fix", is_flag=True, help="删除一小时前的孤立对象，并标记缺失文件")
def evidence_reconcile(fix: bool) -> None:
    from dispatch.audit import Acting
    from dispatch.clock import now
    from dispatch.evidence.integrity import reconcile
    from dispatch.storage.current import current_storage

    with app_session() as (_app, session):
        report = reconcile(session, current_storage(), Acting(None, now()), fix=fix)
        session.commit()
    click.echo(f"存储对象 {report.objects} 个，文件记录 {report.rows} 条")
    echo_list("无记录的孤立对象", report.orphans)
    echo_list("记录存在但对象缺失", report.missing)
    if fix:
        click.echo(f"已删除孤立对象 {len(report.removed)} 个，已标记缺失 {len(report.marked)} 条")
    if not report.ok:
        sys.exit(1)
    click.echo("存储与记录一致")


@click.command("archive", help="导出减排档案压缩包（按区县、工程类型、项目、条目分目录）")
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="输出文件（.zip）",
)
@click.option("--district", metavar="DIVISION_CODE", help="只导出该区县（行政区划代码）")
@click.option("--all-files", is_flag=True, help="包括尚未审核合格的文件")
def export_archive(out_path: Path, district: str | None, all_files: bool) -> None:
    from sqlalchemy import select

    from dispatch import audit
    from dispatch.audit import Acting
    from dispatch.clock import now
    from dispatch.core.catalog import get_catalog
    from dispatch.evidence.archive import ArchiveStats, stream_archive
    from dispatch.storage.current import current_storage
    from models import PlanStatus, Project, Region

    with app_session() as (_app, session):
        stmt = select(Project).where(
            Project.plan_status.in_([PlanStatus.APPROVED, PlanStatus.CLOSED])
        )
        if district:
            region = session.scalar(select(Region).where(Region.division_code == district))
            if region is None:
                raise click.BadParameter(
                    f"没有行政区划代码为 {district} 的区县", param_hint="--district"
                )
            stmt = stmt.where(Project.district_id == region.id)
        projects = list(session.scalars(stmt.order_by(Project.district_id, Project.code)))
        stats = ArchiveStats()
        fd, temp = tempfile.mkstemp(prefix=".archive-", dir=out_path.parent or ".")
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in stream_archive(
                    session, current_storage(), get_catalog(), projects,
                    all_files=all_files, stats=stats,
                ):  # fmt: skip
                    out.write(chunk)
            os.replace(temp, out_path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        audit.record(
            session,
            Acting(None, now()),
            "evidence.archive_export",
            object_type="archive",
            object_id=district or "all",
            details={"projects": stats.projects, "files": stats.files, "bytes": stats.bytes},
        )
        session.commit()
    click.echo(
        f"已导出 {stats.projects} 个项目、{stats.files} 个文件（{stats.bytes} 字节）到 {out_path}"
    )

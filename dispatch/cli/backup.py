"""``dispatch backup create|verify|restore``: the database and the evidence, backed up.

``create --out DIR`` writes the database (``pg_dump -Fc`` or SQLite's online backup),
every evidence object and ``manifest.json`` into a new or empty folder; ``verify DIR``
re-hashes a backup against its manifest (no database or store needed, so it runs on the
backup host too); ``restore DIR`` puts a verified backup into an empty database and an
empty store. Create and restore are audit events (restore's in the restored chain, after
the events it brought back). All three exit non-zero on any problem.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click

from dispatch.cli.common import app_session, echo_list


@click.group(name="backup", help="备份与恢复（数据库和全部佐证文件）")
def backup() -> None:
    pass


@backup.command("create", help="备份数据库和全部佐证文件到一个新目录（或空目录）")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="备份目录：不存在或为空",
)
def backup_create(out_dir: Path) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from dispatch import audit
    from dispatch.audit import Acting
    from dispatch.backup import BackupError, create_backup
    from dispatch.clock import now
    from dispatch.storage.current import current_storage
    from models import AuditOutcome

    with app_session() as (app, session):
        acting = Acting(user=None, at=now(), remote_addr="")
        try:
            created = create_backup(
                out_dir,
                app.config["SETTINGS"].database_url,
                current_storage(),
                at=acting.at,
                app_version=app.config["APP_VERSION"],
            )
        except BackupError as exc:
            # A failed backup is a security event too; recording it must not hide the cause.
            with contextlib.suppress(SQLAlchemyError):
                audit.record(
                    session, acting, "backup.create", object_type="backup",
                    object_id=out_dir.name[:64], outcome=AuditOutcome.FAILURE,
                    details={"path": str(out_dir.resolve())[:500], "error": exc.message[:500]},
                )  # fmt: skip
                session.commit()
            click.echo(f"备份失败：{exc.message}", err=True)
            sys.exit(1)
        manifest = created.manifest
        audit.record(
            session,
            acting,
            "backup.create",
            object_type="backup",
            object_id=out_dir.name[:64],
            outcome=AuditOutcome.SUCCESS if created.complete else AuditOutcome.FAILURE,
            details={
                "path": str(out_dir.resolve())[:500],
                "dialect": manifest.dialect,
                "revision": manifest.revision,
                "objects": len(manifest.objects),
                "bytes": manifest.object_bytes,
                "missing": len(manifest.missing),
                "changed": len(manifest.changed),
                "manifest_sha256": created.manifest_sha256,
            },
        )
        session.commit()
    click.echo(
        f"已备份 {manifest.dialect} 数据库（迁移版本 {manifest.revision}，"
        f"{sum(manifest.tables.values())} 行）和 {len(manifest.objects)} 个佐证文件"
        f"（{manifest.object_bytes} 字节）到 {out_dir}"
    )
    click.echo(f"清单 SHA-256：{created.manifest_sha256}")
    if manifest.other_backends:
        click.echo(f"另有 {manifest.other_backends} 个文件记录属于其他存储，未备份", err=True)
    echo_list("存储中缺失的文件（未能备份）", manifest.missing)
    echo_list("内容与记录不符的文件（已按存储现状备份）", manifest.changed)
    if not created.complete:
        click.echo("备份不完整：请先用 dispatch evidence verify 检查存储", err=True)
        sys.exit(1)


@backup.command("verify", help="按清单重新计算备份中每个文件的大小和 SHA-256")
@click.argument("folder", type=click.Path(path_type=Path))
def backup_verify(folder: Path) -> None:
    from dispatch.backup import verify_backup

    report = verify_backup(folder)
    manifest = report.manifest
    if manifest is not None:
        click.echo(
            f"备份时间 {manifest.created_at:%Y-%m-%d %H:%M:%S %Z}，{manifest.dialect} 数据库"
            f"（迁移版本 {manifest.revision}），{manifest.backend} 存储的 "
            f"{len(manifest.objects)} 个佐证文件"
        )
        click.echo(f"清单 SHA-256：{report.manifest_sha256}")
        click.echo(f"已校验 {report.checked} 个文件，共 {report.bytes} 字节")
        if manifest.missing or manifest.changed:
            click.echo(
                f"注意：备份时存储中缺失 {len(manifest.missing)} 个文件、"
                f"内容与记录不符 {len(manifest.changed)} 个",
                err=True,
            )
    echo_list("清单问题", report.problems)
    echo_list("内容与清单不符", report.changed)
    echo_list("缺失", report.missing)
    echo_list("未在清单中登记", report.unlisted)
    if not report.ok:
        click.echo("备份校验未通过", err=True)
        sys.exit(1)
    click.echo("备份校验通过")


@backup.command("restore", help="把备份恢复到空数据库和空存储")
@click.argument("folder", type=click.Path(path_type=Path))
def backup_restore(folder: Path) -> None:
    from dispatch import audit
    from dispatch.audit import Acting
    from dispatch.backup import BackupError, restore_backup
    from dispatch.clock import now
    from dispatch.storage.current import current_storage

    with app_session() as (app, session):
        settings = app.config["SETTINGS"]
        if settings.database_url.startswith("sqlite"):
            settings.instance_path.mkdir(parents=True, exist_ok=True)
        try:
            restored = restore_backup(folder, settings.database_url, current_storage())
        except BackupError as exc:
            click.echo(f"恢复失败：{exc.message}", err=True)
            sys.exit(1)
        manifest = restored.manifest
        audit.record(
            session,
            Acting(user=None, at=now(), remote_addr=""),
            "backup.restore",
            object_type="backup",
            object_id=folder.name[:64],
            details={
                "path": str(folder.resolve())[:500],
                "created_at": manifest.created_at.isoformat(),
                "revision": manifest.revision,
                "objects": restored.objects,
                "bytes": restored.bytes,
                "manifest_sha256": restored.manifest_sha256,
            },
        )
        session.commit()
    click.echo(
        f"已恢复 {manifest.created_at:%Y-%m-%d %H:%M:%S %Z} 的备份：{manifest.dialect} 数据库"
        f"（{sum(manifest.tables.values())} 行，迁移版本 {manifest.revision}）和 "
        f"{restored.objects} 个佐证文件（{restored.bytes} 字节），均已核对"
    )
    if manifest.missing:
        click.echo(
            f"备份时已缺失 {len(manifest.missing)} 个文件，其记录已恢复但没有内容；"
            "可运行 dispatch evidence reconcile --fix 标记",
            err=True,
        )
    _warn_if_old(manifest.revision)


def _warn_if_old(revision: str | None) -> None:
    from alembic.script import ScriptDirectory

    from dispatch.migrate import alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if revision != head:
        click.echo(
            f"备份的数据库版本为 {revision}，当前程序为 {head}：请运行 dispatch db upgrade",
            err=True,
        )

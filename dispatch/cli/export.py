"""``dispatch export``: workbooks written from the command line.

``dispatch export progress --month 2025-05 --out 进展.xlsx [--city 370100]`` writes the
round's progress workbook (national-export.md §2) with every report of the round, as the
city's own export does. The command acts as the system and is audited like a download.
The file is written next to ``--out`` first and moved into place when complete, so a
failed export never leaves half a workbook under the requested name.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import click

from dispatch.cli.common import app_session

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> tuple[int, int]:
    """``YYYY-MM`` → (year, month); a ``click.BadParameter`` in Chinese otherwise."""
    match = MONTH_RE.match(text.strip())
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise click.BadParameter(f"月份应写成 YYYY-MM（如 2025-05），而不是“{text}”")
    return int(match.group(1)), int(match.group(2))


@click.group(name="export", help="导出工作簿")
def export() -> None:
    pass


@export.command("progress", help="导出某月的进展调度工作簿（重点减排工程进展调度）")
@click.option("--month", required=True, metavar="YYYY-MM", help="调度月份，如 2025-05")
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="输出文件（.xlsx）",
)
@click.option(
    "--city", metavar="DIVISION_CODE", help="市的行政区划代码；只有一个市有该月轮次时可省略"
)
def export_progress(month: str, out_path: Path, city: str | None) -> None:
    from sqlalchemy import select

    from dispatch import audit
    from dispatch.audit import Acting
    from dispatch.clock import now
    from dispatch.rounds.workbook_export import write_progress
    from models import DispatchRound, ProgressReport, Region

    year, number = parse_month(month)
    with app_session() as (_app, session):
        stmt = (
            select(DispatchRound)
            .join(Region, DispatchRound.city_id == Region.id)
            .where(DispatchRound.year == year, DispatchRound.month == number)
            .order_by(Region.division_code)
        )
        if city:
            stmt = stmt.where(Region.division_code == city.strip())
        rounds = list(session.scalars(stmt))
        if not rounds:
            where = f"行政区划代码为 {city} 的市" if city else "任何市"
            raise click.ClickException(f"{where}都没有 {year}年{number}月 的调度轮次")
        if len(rounds) > 1:
            cities = "、".join(f"{r.city.division_code} {r.city.name}" for r in rounds)
            raise click.ClickException(
                f"{year}年{number}月有多个市的调度轮次，请用 --city 指定：{cities}"
            )
        rnd = rounds[0]
        # The command line acts as the system, from no network address.
        acting = Acting(user=None, at=now(), remote_addr="")
        everything = select(ProgressReport).join(ProgressReport.project)
        folder = out_path.resolve().parent
        handle, temporary = tempfile.mkstemp(suffix=".xlsx", dir=folder)
        try:
            with os.fdopen(handle, "wb") as out:
                written = write_progress(session, rnd, everything, out, at=acting.at)
            details = {
                "period": rnd.period,
                "city": rnd.city.name,
                "rows": written.rows,
                "unsubmitted": written.unsubmitted,
                "late": written.late,
                "file": out_path.name[:255],
            }
            summary = (
                f"已导出 {rnd.city.name}{rnd.title}进展调度：{written.rows} 条填报"
                f"（未提交 {written.unsubmitted} 条，逾期提交 {written.late} 条）→ {out_path}"
            )
            audit.record(
                session,
                acting,
                "progress.export",
                object_type="dispatch_round",
                object_id=rnd.id,
                details=details,
            )
            session.commit()
            os.replace(temporary, out_path)
        except BaseException:
            session.rollback()
            Path(temporary).unlink(missing_ok=True)
            raise
    click.echo(summary)

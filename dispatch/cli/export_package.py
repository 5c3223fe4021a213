"""``dispatch export package``: the yearly package of a city, from the command line.

``dispatch export package --year 2025 --out DIR [--city 370100] [--zip]`` writes the
package of :mod:`dispatch.exports.package` (plan list, the year's latest round, the
accounting workbook, the evidence archive) as files into ``DIR``, or with ``--zip`` as one
zip in ``DIR``, and prints each file with its size. The command acts for the city (the
city's scope, as a city user's download) as the system, and is audited like a download
(``package.export``). Each file is written next to its name and moved into place when
complete, so a failed export never leaves half a file under a final name.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import click

from dispatch.cli.common import app_session

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from models import Region


def _city(session: Session, code: str | None) -> Region:
    from sqlalchemy import select

    from models import Region, RegionKind

    stmt = select(Region).where(Region.kind == RegionKind.CITY).order_by(Region.division_code)
    if code:
        stmt = stmt.where(Region.division_code == code.strip())
    cities = list(session.scalars(stmt))
    if not cities:
        raise click.BadParameter(f"没有行政区划代码为 {code} 的市", param_hint="--city")
    if len(cities) > 1:
        names = "、".join(f"{c.division_code} {c.name}" for c in cities)
        raise click.UsageError(f"有多个市，请用 --city 指定：{names}")
    return cities[0]


def _size(size: int) -> str:
    return f"{size:,} 字节"


@click.command(
    "package", help="导出某年的报送材料（计划清单、最近一轮进展调度、减排量核算、减排档案）"
)
@click.option("--year", required=True, type=click.IntRange(2000, 2100), help="年度，如 2025")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, writable=True, path_type=Path),
    help="输出目录（不存在时创建）",
)
@click.option("--city", metavar="DIVISION_CODE", help="市的行政区划代码；只有一个市时可省略")
@click.option("--zip", "as_zip", is_flag=True, help="打包为一个 .zip 文件写入输出目录")
def package(year: int, out_dir: Path, city: str | None, as_zip: bool) -> None:
    from dispatch import audit
    from dispatch.audit import Acting
    from dispatch.clock import now
    from dispatch.core.catalog import get_catalog
    from dispatch.exports.package import (
        CityOffice,
        FolderSink,
        ZipSink,
        package_name,
        write_package,
    )
    from dispatch.storage import StorageError
    from dispatch.storage.current import current_storage

    out_dir.mkdir(parents=True, exist_ok=True)
    with app_session() as (_app, session):
        office = CityOffice(_city(session, city))
        # The command line acts as the system, from no network address.
        acting = Acting(user=None, at=now(), remote_addr="")
        options = {"at": acting.at, "storage": current_storage(), "catalog": get_catalog()}
        zip_name = package_name(year)
        try:
            if as_zip:
                handle, temporary = tempfile.mkstemp(prefix=".package-", dir=out_dir)
                try:
                    with os.fdopen(handle, "wb") as out, ZipSink(out) as sink:
                        made = write_package(session, office, year, sink, **options)
                    os.replace(temporary, out_dir / zip_name)
                except BaseException:
                    Path(temporary).unlink(missing_ok=True)
                    raise
            else:
                made = write_package(session, office, year, FolderSink(out_dir), **options)
        except StorageError as exc:
            session.rollback()
            raise click.ClickException(f"减排档案无法导出：{exc.message}") from exc
        details = {"year": year, "city": office.region.name, **made.details}
        if as_zip:
            details["file"] = zip_name
        audit.record(
            session,
            acting,
            "package.export",
            object_type="export_package",
            object_id=year,
            details=details,
        )
        session.commit()
        city_name = office.org_name
    click.echo(f"已导出 {city_name} {year}年报送材料 → {out_dir}")
    if as_zip:
        click.echo(f"  {zip_name}  {_size((out_dir / zip_name).stat().st_size)}，其中：")
    for part in made.parts:
        click.echo(f"  {part.name}  {_size(part.bytes)}（{part.holds}）")
    for note in made.left_out:
        click.echo(f"  注意：{note}")

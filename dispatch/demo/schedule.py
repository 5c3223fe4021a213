"""How a demo project's construction goes: where it stands on any day, from its plan dates.

The same rule dates the project when it is filed and every monthly report after it, so a
project's history is one story: before the planned start it is in preparation (in the
last 60 days, 1–4 % done) or not started; a week after the planned start it is under
construction, commissioning in the last 15 % of the schedule, completed five days before
the planned completion and in stable operation 20 days later. A "late" project stalls under
construction at :data:`LATE_CAP` per cent and never completes (overdue once its planned
completion has passed). Everything grows with the day, never falls, so reports filed in
date order obey the forward-only rules.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from dispatch.demo.project_data import DemoProject
from models import ConstructionStatus

PREPARATION_DAYS = 60
START_SLIP = dt.timedelta(days=7)
DONE_EARLY = dt.timedelta(days=5)
STABLE_AFTER = dt.timedelta(days=20)
COMMISSIONING_FROM = 0.85
LATE_CAP = Decimal(62)
TENTH = Decimal("0.1")


@dataclasses.dataclass(frozen=True)
class Progress:
    """Where a project stands on one day."""

    status: ConstructionStatus
    actual_start: dt.date | None = None
    actual_completion: dt.date | None = None
    stable_operation_from: dt.date | None = None
    percent: Decimal = Decimal(0)


def progress_on(spec: DemoProject, day: dt.date) -> Progress:
    """``spec``'s construction as of ``day`` (see the module docstring)."""
    started = spec.start + START_SLIP
    if spec.progress == "none" or day < started:
        prepared = (day - spec.start).days + PREPARATION_DAYS
        if spec.progress != "none" and prepared >= 0:
            # Design and tendering move too (1–4 %), so preparing is not stalling.
            return Progress(
                ConstructionStatus.PREPARATION, percent=Decimal(1 + min(prepared // 20, 3))
            )
        return Progress(ConstructionStatus.NOT_STARTED)
    span = max((spec.end - spec.start).days, 1)
    elapsed = min((day - spec.start).days / span, 1.0)
    building = Decimal(round(5 + 75 * min(elapsed / COMMISSIONING_FROM, 1.0)))
    if spec.progress == "late":
        return Progress(
            ConstructionStatus.UNDER_CONSTRUCTION, started, percent=min(building, LATE_CAP)
        )
    completed = spec.end - DONE_EARLY
    if day < completed:
        if elapsed < COMMISSIONING_FROM:
            return Progress(ConstructionStatus.UNDER_CONSTRUCTION, started, percent=building)
        tail = (elapsed - COMMISSIONING_FROM) / (1 - COMMISSIONING_FROM)
        percent = Decimal(min(85 + round(10 * tail), 95))
        return Progress(ConstructionStatus.COMMISSIONING, started, percent=percent)
    stable = completed + STABLE_AFTER
    if day < stable:
        return Progress(ConstructionStatus.COMPLETED, started, completed, percent=Decimal(100))
    return Progress(
        ConstructionStatus.STABLE_OPERATION, started, completed, stable, percent=Decimal(100)
    )


def invested(spec: DemoProject, percent: Decimal) -> Decimal:
    """Cumulative investment (万元) at ``percent`` complete: money follows the works."""
    return (Decimal(spec.total) * percent / 100).quantize(TENTH)


def _day(value: dt.date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def report_texts(
    spec: DemoProject, progress: Progress, month: Decimal, cumulative: Decimal
) -> tuple[str, str, str]:
    """(progress description, problems, next steps) as a district would write them."""
    status = progress.status
    if status == ConstructionStatus.NOT_STARTED:
        return (
            "项目尚未开工，正在办理立项、环评等前期手续。",
            "",
            "加快前期手续办理，落实建设资金。",
        )
    if status == ConstructionStatus.PREPARATION:
        return (
            "项目处于前期阶段，已完成方案论证和环评批复，正在开展设备招标采购。",
            "",
            "完成招标采购和施工图设计，确保按计划开工。",
        )
    if status == ConstructionStatus.UNDER_CONSTRUCTION:
        text = (
            f"项目于{_day(progress.actual_start)}开工，主体工程施工中，形象进度约"
            f"{progress.percent}%，本月完成投资{month}万元，累计完成投资{cumulative}万元。"
        )
        if spec.progress == "late":
            return (
                text,
                "受施工场地协调和关键设备供货影响，工程进度滞后于计划。",
                "协调解决场地问题，督促设备厂家按期供货，增加作业面，尽快恢复正常进度。",
            )
        return text, "", "加快设备安装和管线施工，确保按期完工。"
    if status == ConstructionStatus.COMMISSIONING:
        return (
            f"主体工程及设备安装已完成，正在进行单机和联动调试，累计完成投资{cumulative}万元。",
            "",
            "完成调试后组织竣工验收。",
        )
    if status == ConstructionStatus.COMPLETED:
        return (
            f"工程已于{_day(progress.actual_completion)}完工，正在开展竣工验收和试运行。",
            "",
            "完成试运行，确认设施稳定达标运行。",
        )
    return (
        f"设施自{_day(progress.stable_operation_from)}起稳定运行，在线监测数据稳定达标。",
        "",
        "做好运行台账记录，准备减排量核算和销号材料。",
    )

"""The dashboard's charts: an ECharts option and the table of the same numbers, per chart.

Options are plain data (no functions), built here and sent to the page as JSON, so the
page's script only hands each one to ECharts. Charts never rely on colour alone: the
ARIA decals give every series its own pattern, lines differ in dash and symbol, and the
numbers are written on the bars and axes (the percentage reached under each pollutant);
each chart's table repeats its numbers exactly (tonnes to four decimals), for reading and
for screen readers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from dispatch.core.accounting import format_t
from dispatch.core.catalog import Catalog
from dispatch.core.construction import ConstructionStatus
from dispatch.core.pollutants import BY_CODE
from dispatch.dashboards.archive import Completeness
from dispatch.dashboards.queries import Submission
from dispatch.reductions.queries import Cell, percent
from models import Region

MONTHS = [f"{m}月" for m in range(1, 13)]


@dataclasses.dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]
    keys: list[str]  # one per row (data-key in the page: a pollutant, a district id…)


@dataclasses.dataclass(frozen=True)
class Chart:
    key: str
    title: str
    option: dict[str, Any]
    table: Table
    note: str = ""


def _base(**extra: Any) -> dict[str, Any]:
    return {
        "aria": {"enabled": True, "decal": {"show": True}},
        "animation": False,  # charts are complete as soon as they are drawn
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 16, "right": 24, "top": 56, "bottom": 8, "containLabel": True},
        **extra,
    }


def _shown(share: Decimal | None) -> str:
    return "—" if share is None else f"{share}%"


def _number(value: Decimal) -> float:
    # Plotting only: the tables carry the exact values.
    return float(value)


def _bars(name: str, values: Sequence[Any], labels: Sequence[str]) -> dict[str, Any]:
    return {
        "name": name,
        "type": "bar",
        "data": [
            {"value": v, "label": {"show": True, "position": "top", "formatter": text}}
            for v, text in zip(values, labels, strict=True)
        ],
    }


def targets(cells: Sequence[Cell]) -> Chart:
    """Confirmed credits per pollutant (bars) against the target (a marker with its value)."""
    names = [BY_CODE[c.pollutant].label for c in cells]
    axis = [f"{name}\n完成 {_shown(c.percent)}" for name, c in zip(names, cells, strict=True)]
    target = {
        "name": "年度目标",
        "type": "scatter",
        "symbol": "rect",
        "symbolSize": [56, 4],
        "z": 3,
        "data": [
            {"value": _number(c.target), "label": {"show": True, "position": "right",
                                                    "formatter": f"目标 {format_t(c.target)}"}}
            if c.target is not None else "-"
            for c in cells
        ],
    }  # fmt: skip
    option = _base(
        xAxis={"type": "category", "data": axis},
        yAxis={"type": "value", "name": "吨"},
        series=[
            _bars("已核定减排量", [_number(c.credited) for c in cells],
                  [format_t(c.credited) for c in cells]),
            target,
        ],
    )  # fmt: skip
    table = Table(
        ["污染物", "已核定减排量（t）", "年度目标（t）", "完成率"],
        [
            [name, format_t(c.credited), "未设置" if c.target is None else format_t(c.target),
             _shown(c.percent)]
            for name, c in zip(names, cells, strict=True)
        ],
        [c.pollutant for c in cells],
    )  # fmt: skip
    return Chart("targets", "已核定减排量与年度目标", option, table)


def monthly(
    code: str, monthly_values: Sequence[Decimal], running: Sequence[Decimal], target: Decimal | None
) -> Chart:
    """One pollutant's running total by month against a straight line to the annual target."""
    label = BY_CODE[code].label
    series: list[dict[str, Any]] = [
        {
            "name": "累计已核定",
            "type": "line",
            "symbol": "circle",
            "symbolSize": 7,
            "data": [_number(v) for v in running],
            "endLabel": {"show": True, "formatter": "{a}：{c}"},
        }
    ]
    trajectory = [target * m / 12 for m in range(1, 13)] if target is not None else None
    if trajectory is not None:
        series.append(
            {
                "name": "目标进度",
                "type": "line",
                "symbol": "triangle",
                "symbolSize": 7,
                "lineStyle": {"type": "dashed"},
                "data": [_number(v) for v in trajectory],
                "endLabel": {"show": True, "formatter": "{a}：{c}"},
            }
        )
    option = _base(
        xAxis={"type": "category", "data": MONTHS},
        yAxis={"type": "value", "name": "吨"},
        series=series,
    )
    option["grid"]["right"] = 120  # room for the end labels
    rows = [
        [month, format_t(value), format_t(total),
         "未设置" if trajectory is None else format_t(trajectory[i])]
        for i, (month, value, total) in enumerate(zip(MONTHS, monthly_values, running, strict=True))
    ]  # fmt: skip
    headers = ["月份", "当月起计入（t）", "累计（t）", "目标进度（t）"]
    table = Table(headers, rows, [str(m) for m in range(1, 13)])
    return Chart(f"monthly-{code}", f"{label} 累计已核定减排量（按计入起始月）", option, table)


def _counts_chart(
    key: str, title: str, series_name: str, rows: list[tuple[str, str, int]]
) -> Chart:
    """A bar per (key, label, count), the count written on it."""
    option = _base(
        xAxis={"type": "category", "data": [label for _k, label, _n in rows],
               "axisLabel": {"interval": 0}},
        yAxis={"type": "value", "name": "项目数", "minInterval": 1},
        series=[_bars(series_name, [n for *_x, n in rows], [str(n) for *_x, n in rows])],
    )  # fmt: skip
    table = Table(["分类", "项目数"], [[label, str(n)] for _k, label, n in rows],
                  [k for k, _l, _n in rows])  # fmt: skip
    return Chart(key, title, option, table)


def by_type(catalog: Catalog, counts: Mapping[str, int]) -> Chart:
    rows = [(t.code, t.code, counts.get(t.code, 0)) for t in catalog.types]
    chart = _counts_chart("types", "计划清单项目：按工程类型", "项目数", rows)
    # The axis names the type by its code (fourteen names do not fit); the table by both.
    named = [
        [f"{t.code} {t.name_zh}", row[1]]
        for t, row in zip(catalog.types, chart.table.rows, strict=True)
    ]
    return dataclasses.replace(chart, table=dataclasses.replace(chart.table, rows=named))


def by_status(counts: Mapping[Any, int]) -> Chart:
    rows = [(s.value, s.label, counts.get(s, 0)) for s in ConstructionStatus]
    return _counts_chart("statuses", "计划清单项目：按建设状态", "项目数", rows)


def _share(part: int, whole: int) -> Decimal | None:
    return percent(Decimal(part), Decimal(whole))


def _by_district(districts: Sequence[Region], *series: tuple[str, list[Any], list[str]]) -> Any:
    return _base(
        xAxis={"type": "category", "data": [d.name for d in districts],
               "axisLabel": {"interval": 0}},
        yAxis={"type": "value", "name": "%", "max": 100},
        series=[_bars(name, values, labels) for name, values, labels in series],
    )  # fmt: skip


def archive(districts: Sequence[Region], found: Mapping[int, Completeness]) -> Chart:
    stats = [found.get(d.id, Completeness()) for d in districts]
    complete = [_share(s.complete, s.projects) for s in stats]
    items = [_share(s.satisfied, s.items) for s in stats]
    option = _by_district(
        districts,
        ("档案完整项目占比", [_number(v or Decimal(0)) for v in complete],
         [f"{s.complete}/{s.projects}\n{_shown(v)}" for s, v in zip(stats, complete, strict=True)]),
        ("必备材料齐全率", [_number(v or Decimal(0)) for v in items], [_shown(v) for v in items]),
    )  # fmt: skip
    table = Table(
        ["区县", "项目数", "档案完整项目", "档案完整项目占比", "必备材料（齐全/应有）",
         "必备材料齐全率"],
        [
            [d.name, str(s.projects), str(s.complete), _shown(c), f"{s.satisfied}/{s.items}",
             _shown(i)]
            for d, s, c, i in zip(districts, stats, complete, items, strict=True)
        ],
        [str(d.id) for d in districts],
    )  # fmt: skip
    return Chart("archive", "佐证材料档案完整率（按区县）", option, table)


def submission(
    districts: Sequence[Region], found: Mapping[int, Submission], rounds_label: str
) -> Chart:
    stats = [found.get(d.id, Submission()) for d in districts]
    done = [_share(s.submitted, s.total) for s in stats]
    on_time = [_share(s.on_time, s.total) for s in stats]
    option = _by_district(
        districts,
        ("提交率", [_number(v or Decimal(0)) for v in done], [_shown(v) for v in done]),
        ("按时提交率", [_number(v or Decimal(0)) for v in on_time], [_shown(v) for v in on_time]),
    )  # fmt: skip
    table = Table(
        ["区县", "应报", "已提交", "按时提交", "提交率", "按时提交率"],
        [
            [d.name, str(s.total), str(s.submitted), str(s.on_time), _shown(a), _shown(b)]
            for d, s, a, b in zip(districts, stats, done, on_time, strict=True)
        ],
        [str(d.id) for d in districts],
    )
    return Chart("submissions", "月度进展提交率（按区县）", option, table, note=rounds_label)


def warnings(districts: Sequence[Region], found: Mapping[str, Mapping[int, int]]) -> Chart:
    overdue = [found["overdue"].get(d.id, 0) for d in districts]
    stalled = [found["stalled"].get(d.id, 0) for d in districts]
    option = _base(
        xAxis={"type": "category", "data": [d.name for d in districts],
               "axisLabel": {"interval": 0}},
        yAxis={"type": "value", "name": "项目数", "minInterval": 1},
        series=[_bars("逾期", overdue, [f"逾期 {n}" for n in overdue]),
                _bars("停滞", stalled, [f"停滞 {n}" for n in stalled])],
    )  # fmt: skip
    table = Table(
        ["区县", "逾期项目", "停滞项目"],
        [[d.name, str(a), str(b)] for d, a, b in zip(districts, overdue, stalled, strict=True)],
        [str(d.id) for d in districts],
    )
    return Chart("warnings", "逾期与停滞项目（按区县，当前）", option, table)

"""``dispatch catalog list | show CODE | check [DIR]``: the engineering-type catalog."""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import click

from dispatch.core.accounting import (
    POLLUTANT_LABELS,
    check_catalog,
)
from dispatch.core.accounting.validation import range_text
from dispatch.core.catalog import (
    POLLUTANT_NAMES_ZH,
    REQUIREMENT_NAMES_ZH,
    STAGE_NAMES_ZH,
    STAGES,
    Catalog,
    CatalogError,
    EngineeringType,
    MethodDef,
    ParamDef,
    default_catalog_dir,
    get_catalog,
    load_catalog,
)

MEDIUM_ZH = {"water": "水", "air": "大气"}
KIND_ZH = {"decimal": "数值", "integer": "整数", "choice": "选项", "list": "明细表", "text": "文本"}
INVALID_INPUT = 2


def _width(text: str) -> int:
    """Columns a string takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(rows: list[list[str]]) -> list[str]:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)).rstrip()
        for row in rows
    ]


def _load(directory: Path | None) -> Catalog:
    try:
        return load_catalog(directory) if directory else get_catalog()
    except CatalogError as exc:
        raise click.ClickException(str(exc)) from None


_dir_option = click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="工程类型目录（默认 evidence_specs/ 或 $DISPATCH_CATALOG_DIR）",
)


@click.group(name="catalog")
def catalog_cli() -> None:
    """工程类型目录：类型、核算方法、参数与建档规范。"""


@catalog_cli.command("list")
@_dir_option
def catalog_list(directory: Path | None) -> None:
    """列出全部工程类型。"""
    catalog = _load(directory)
    rows = [["代码", "名称", "介质", "污染物", "核算方法"]]
    for t in catalog.types:
        pollutants = "、".join(POLLUTANT_LABELS[p] for p in t.pollutants)
        methods = "、".join(f"{m}（{catalog.method(m).name_zh}）" for m in t.methods)
        rows.append([t.code, t.name_zh, MEDIUM_ZH[t.medium], pollutants, methods])
    click.echo("\n".join(table(rows)))


def _param_lines(param: ParamDef, indent: str) -> list[str]:
    rules = [KIND_ZH[param.kind]]
    rules.append(
        "必填" if param.required and param.default is None and not param.coefficient else "选填"
    )
    if range_text(param):
        rules.append(range_text(param))
    if param.default is not None:
        rules.append(f"默认 {param.default}")
    if param.coefficient:
        rules.append(f"缺省取系数表 {param.coefficient}")
    if param.choices:
        rules.append("可选：" + "、".join(label for _value, label in param.choices))
    line = f"{indent}{param.key}：{param.label_with_unit}；{'，'.join(rules)}"
    lines = [line + (f"。{param.help_zh}" if param.help_zh else "")]
    for column in param.fields:
        lines += _param_lines(column, indent + "    ")
    return lines


def _method_lines(method: MethodDef) -> list[str]:
    lines = [f"核算方法 {method.key}：{method.name_zh}"]
    if method.formula:
        lines.append(f"  公式：{method.formula}")
    lines.append("  参数：")
    for param in method.params:
        lines += _param_lines(param, "    ")
    for check in method.checks:
        owner = method.param(check.list) if check.list else None
        lookup = owner.column if owner else method.param
        word = "不能高于" if check.rule == "not_above" else "不能低于"
        where = f"{owner.label_zh}每一行：" if owner else ""
        lines.append(
            f"  约束：{where}{lookup(check.param).label_zh}{word}{lookup(check.than).label_zh}"
        )
    return lines


def _item_lines(engineering_type: EngineeringType) -> list[str]:
    lines = ["建档条目："]
    for stage in STAGES:
        items = engineering_type.items_for(stage, None)
        if not items:
            continue
        lines.append(f"  【{STAGE_NAMES_ZH[stage]}】")
        for item in items:
            requirement = REQUIREMENT_NAMES_ZH[item.requirement]
            if item.when:
                requirement += "（仅限核算方法 " + "、".join(item.when["method"]) + "）"
            if item.condition:
                requirement += f"；条件：{item.condition}"
            formats = "/".join(f.upper() for f in item.formats)
            lines.append(f"    {item.code} {item.name_zh}")
            lines.append(
                f"        {requirement}；至少 {item.min_files} 个文件；格式 {formats}；"
                f"单个不超过 {item.max_file_mb} MB"
            )
            if item.reviewer_checks:
                lines.append(f"        审核要点：{item.reviewer_checks}")
    return lines


@catalog_cli.command("show")
@click.argument("code")
@_dir_option
def catalog_show(code: str, directory: Path | None) -> None:
    """显示一种工程类型：核算方法、参数（含单位）、各阶段建档条目。"""
    catalog = _load(directory)
    try:
        t = catalog.type(code.upper())
    except CatalogError as exc:
        raise click.ClickException(str(exc)) from None
    pollutants = "、".join(POLLUTANT_NAMES_ZH[p] for p in t.pollutants)
    lines = [
        f"{t.code} {t.name_zh}（{t.name_en}）",
        f"介质：{MEDIUM_ZH[t.medium]}；污染物：{pollutants}",
    ]
    for key in t.methods:
        lines += ["", *_method_lines(catalog.method(key))]
    lines += ["", *_item_lines(t)]
    click.echo("\n".join(lines))


@catalog_cli.command("check")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
def catalog_check(directory: Path | None) -> None:
    """校验工程类型目录（默认 evidence_specs/）；有错误时列出并以非零状态退出。"""
    directory = directory or default_catalog_dir()
    try:
        catalog = load_catalog(directory)
    except CatalogError as exc:
        click.echo(f"工程类型目录 {directory} 有 {len(exc.errors)} 处错误：", err=True)
        for error in exc.errors:
            click.echo(f"  {error}", err=True)
        sys.exit(1)
    problems = check_catalog(catalog)
    if problems:
        click.echo(f"工程类型目录 {directory} 有 {len(problems)} 处错误：", err=True)
        for problem in problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    click.echo(
        f"校验通过：{directory}，{len(catalog.types)} 种工程类型，{len(catalog.methods)} 种核算方法"
    )


# --- account -------------------------------------------------------------------------

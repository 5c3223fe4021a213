"""Command line for the catalog and the accounting engine (no Flask needed).

    dispatch catalog list | show CODE | check [DIR]
    dispatch account compute --method plant_new --param inflow=20000 ... [--json]

`dispatch/cli.py` adds `catalog_cli` and `account_cli` to the top-level `dispatch` group.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import click

from dispatch.accounting import (
    POLLUTANT_LABELS,
    AccountingValidationError,
    ParamError,
    check_catalog,
    compute,
    counting_start,
    credit_for_year,
    credit_months,
    format_t,
)
from dispatch.accounting.validation import range_text
from dispatch.catalog import (
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


def _table(rows: list[list[str]]) -> list[str]:
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
    click.echo("\n".join(_table(rows)))


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


@click.group(name="account")
def account_cli() -> None:
    """减排量核算。"""


def _read_params(params_json: str | None, pairs: tuple[str, ...]) -> tuple[dict, list[ParamError]]:
    params: dict[str, Any] = {}
    errors: list[ParamError] = []
    if params_json:
        try:
            with click.open_file(params_json, encoding="utf-8") as handle:
                # Decimals, not floats, from the very first parse.
                loaded = json.load(handle, parse_float=str, parse_int=str)
        except (OSError, ValueError) as exc:
            errors.append(ParamError("params_json", "bad_json", f"参数文件无法读取：{exc}"))
            loaded = {}
        if not isinstance(loaded, dict):
            errors.append(ParamError("params_json", "bad_json", "参数文件应为 JSON 对象"))
            loaded = {}
        params.update(loaded)
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            errors.append(ParamError(pair, "bad_param", f"参数应写成 键=值，而不是“{pair}”"))
            continue
        params[key.strip()] = value.strip()
    return params, errors


def _read_period(stable_from: str | None, year: int | None) -> tuple[date | None, list[ParamError]]:
    if stable_from is None and year is None:
        return None, []
    if stable_from is None or year is None:
        missing = "stable_from" if stable_from is None else "year"
        message = "--stable-from 与 --year 需要同时给出"
        return None, [ParamError(missing, "required", message)]
    try:
        return date.fromisoformat(stable_from), []
    except ValueError:
        message = f"稳定运行日期应为 YYYY-MM-DD，而不是“{stable_from}”"
        return None, [ParamError("stable_from", "bad_date", message)]


def _fail(errors: list[ParamError], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({"errors": [e.to_json() for e in errors]}, ensure_ascii=False))
    else:
        click.echo("参数有误，无法核算：", err=True)
        for error in errors:
            click.echo(f"  {error.param}：{error.message}", err=True)
    sys.exit(INVALID_INPUT)


@account_cli.command("compute")
@click.option("--method", "method_key", required=True, help="核算方法键，如 plant_new")
@click.option("--param", "pairs", multiple=True, metavar="KEY=VALUE", help="参数，可重复")
@click.option(
    "--params-json", metavar="FILE", help="参数 JSON 文件（明细表参数用数组），- 为标准输入"
)
@click.option("--stable-from", metavar="YYYY-MM-DD", help="稳定运行开始日期")
@click.option("--year", type=int, help="计算当年减排量的年份")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
def account_compute(method_key, pairs, params_json, stable_from, year, as_json) -> None:
    """按核算方法计算年减排能力（t/a），可选计算当年减排量。"""
    params, errors = _read_params(params_json, pairs)
    period, period_errors = _read_period(stable_from, year)
    errors += period_errors
    if errors:
        _fail(errors, as_json)
    try:
        result = compute(method_key, params)
    except AccountingValidationError as exc:
        _fail(exc.errors, as_json)
        return
    formula = list(result.formula)
    credit = None
    if period is not None:
        credit = credit_for_year(result.reductions, period, year)
        months = credit_months(period, year)
        start = counting_start(period).isoformat()
        for pollutant, value in credit.items():
            annual = format_t(result.reductions[pollutant])
            formula.append(
                f"{year}年当年减排量 {POLLUTANT_LABELS[pollutant]} = {annual} t/a × {months} / 12"
                f" = {format_t(value)} t（自 {start} 起计）"
            )
    if as_json:
        document = {
            "method": result.method,
            "reductions": {p: f"{v:f}" for p, v in result.reductions.items()},
            "credit": None if credit is None else {p: f"{v:f}" for p, v in credit.items()},
            "formula": formula,
            "warnings": list(result.warnings),
        }
        click.echo(json.dumps(document, ensure_ascii=False))
        return
    _print_result(result, formula, credit, year)


def _print_result(result, formula: list[str], credit: dict | None, year: int | None) -> None:
    method = get_catalog().method(result.method)
    lines = [f"核算方法：{method.key}（{method.name_zh}）", "", "输入参数："]
    for key, value in result.inputs.items():
        label = method.param(key).label_with_unit
        shown = json.dumps(value, ensure_ascii=False) if isinstance(value, list) else value
        lines.append(f"  {label} [{key}] = {shown}")
    if result.coefficients:
        lines += ["", "使用的系数："]
        for key, used in result.coefficients.items():
            source = {"param": "填报值", "table": "系数表"}.get(used.get("source"), "")
            if "value" in used:
                example = "，示例值" if used.get("example") else ""
                lines.append(
                    f"  {key} = {used['value']} {used.get('unit', '')}（{source}{example}）"
                )
            else:
                lines.append(f"  {key} = {json.dumps(used, ensure_ascii=False)}")
    lines += ["", "计算过程：", *(f"  {line}" for line in formula), ""]
    header = ["污染物", "年减排能力（t/a）"] + ([f"{year}年当年减排量（t）"] if credit else [])
    rows = [header]
    for pollutant, value in result.reductions.items():
        row = [POLLUTANT_NAMES_ZH[pollutant], format_t(value)]
        rows.append(row + ([format_t(credit[pollutant])] if credit else []))
    lines += _table(rows)
    if result.warnings:
        lines += ["", "提示：", *(f"  {w}" for w in result.warnings)]
    click.echo("\n".join(lines))

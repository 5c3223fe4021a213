"""``dispatch account compute --method plant_new --param inflow=20000 ... [--json]`` and
``dispatch account verify`` (every confirmed result recomputed from what it stored)."""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any

import click

from dispatch.cli.catalog import INVALID_INPUT, table
from dispatch.core.accounting import (
    POLLUTANT_LABELS,
    AccountingValidationError,
    ParamError,
    compute,
    counting_start,
    credit_for_year,
    credit_months,
    format_t,
)
from dispatch.core.catalog import POLLUTANT_NAMES_ZH, get_catalog


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
    lines += table(rows)
    if result.warnings:
        lines += ["", "提示：", *(f"  {w}" for w in result.warnings)]
    click.echo("\n".join(lines))


# Exit status of `account verify` when a stored result does not reproduce.
DIFFERENCES_FOUND = 1


@account_cli.command("verify")
def account_verify() -> None:
    """重算全部已核定结果（现行与已更正版本），报告差异和系数表变化；有差异时退出码为 1。"""
    from dispatch.cli.common import app_session
    from dispatch.reductions.verify import verify

    with app_session() as (_app, session):
        report = verify(session, get_catalog())
        session.rollback()
    click.echo(f"已核对 {report.checked} 个已核定版本。")
    for finding in report.differences:
        click.echo(f"差异：{finding.title}（{finding.status}）", err=True)
        for problem in finding.problems:
            click.echo(f"  {problem}", err=True)
    if report.drifted:
        click.echo(f"系数表已变化（核定后目录或系数被修改）的版本：{len(report.drifted)} 个")
        for finding in report.drifted:
            click.echo(f"  {finding.title}：{finding.problems[0]}")
    if not report.ok:
        click.echo(f"共 {len(report.differences)} 个版本与重算结果不一致。", err=True)
        sys.exit(DIFFERENCES_FOUND)
    click.echo("全部与重算结果一致。")

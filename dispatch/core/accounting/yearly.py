"""A project's accounting for one year, and its replay from what was stored.

`account_year` is what a confirmation stores: the engine's result (annual capacity, the
normalised inputs, every coefficient with its value, unit and source, the substituted
formulas), the year's credit under the catalog's credit rule, the credit formula lines,
the formulas grouped per pollutant, and the fingerprint of the accounting tables.

`replay` recomputes a stored result from its stored inputs, coefficients, stable-operation
date, year and rule only: every coefficient the original computation took from the table
is given back as the value it had, so a later edit of the coefficient table does not
change the replayed number (that is reported as fingerprint drift instead).
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from dispatch.core.accounting.credit import counting_start, credit_for_year, credit_months
from dispatch.core.accounting.engine import AccountingResult, compute
from dispatch.core.accounting.fingerprint import catalog_fingerprint
from dispatch.core.accounting.numbers import POLLUTANT_LABELS, format_t
from dispatch.core.catalog import FULL_YEAR, Catalog, Coefficients, PigEquivalent, get_catalog

_LIST_PATH = re.compile(r"^(?P<key>\w+)\[(?P<index>\d+)\]\.(?P<field>\w+)$")


@dataclasses.dataclass(frozen=True)
class YearAccount:
    result: AccountingResult
    year: int
    stable_from: date
    rule: str
    months: int
    credit: dict[str, Decimal]
    formula: tuple[str, ...]  # the engine's lines, then one credit line per pollutant
    by_pollutant: dict[str, tuple[str, ...]]
    fingerprint: str

    @property
    def capacity(self) -> dict[str, Decimal]:
        return self.result.reductions


def credit_line(pollutant: str, annual: Decimal, credit: Decimal, *, year: int,
                months: int, stable_from: date, rule: str) -> str:  # fmt: skip
    label = POLLUTANT_LABELS[pollutant]
    if rule == FULL_YEAR:
        since = f"稳定运行当年（{stable_from.year}年）起全年计入"
    else:
        since = f"自 {counting_start(stable_from).isoformat()} 起计"
    return (
        f"{year}年当年减排量 {label} = {format_t(annual)} t/a × {months} / 12"
        f" = {format_t(credit)} t（{since}）"
    )


def _by_pollutant(formula: tuple[str, ...], credit_lines: dict[str, str]) -> dict:
    grouped = {}
    for pollutant, line in credit_lines.items():
        label = POLLUTANT_LABELS[pollutant]
        own = tuple(f for f in formula if f.startswith((f"{label} ", f"{label}=")))
        grouped[pollutant] = (*own, line)
    return grouped


def _account(result: AccountingResult, stable_from: date, year: int, rule: str,
             catalog: Catalog) -> YearAccount:  # fmt: skip
    months = credit_months(stable_from, year, rule)
    credit = credit_for_year(result.reductions, stable_from, year, rule)
    lines = {
        p: credit_line(
            p,
            result.reductions[p],
            credit[p],
            year=year,
            months=months,
            stable_from=stable_from,
            rule=rule,
        )
        for p in result.reductions
    }
    return YearAccount(
        result=result,
        year=year,
        stable_from=stable_from,
        rule=rule,
        months=months,
        credit=credit,
        formula=(*result.formula, *lines.values()),
        by_pollutant=_by_pollutant(result.formula, lines),
        fingerprint=catalog_fingerprint(catalog),
    )


def account_year(
    method_key: str,
    params: Mapping[str, Any],
    stable_from: date,
    year: int,
    *,
    catalog: Catalog | None = None,
    rule: str | None = None,
) -> YearAccount:
    """Compute capacity and the year's credit; raise AccountingValidationError if invalid."""
    catalog = catalog or get_catalog()
    result = compute(method_key, params, catalog=catalog)
    return _account(result, stable_from, year, rule or catalog.credit_rule, catalog)


def _put(params: dict[str, Any], path: str, value: Any) -> None:
    match = _LIST_PATH.match(path)
    if match is None:
        params[path] = value
        return
    rows = params.get(match["key"])
    index = int(match["index"])
    if isinstance(rows, list) and index < len(rows) and isinstance(rows[index], dict):
        rows[index][match["field"]] = value


def replay(
    method_key: str,
    inputs: Mapping[str, Any],
    coefficients: Mapping[str, Any],
    stable_from: date,
    year: int,
    rule: str,
    *,
    catalog: Catalog | None = None,
) -> YearAccount:
    """Recompute from stored values; raise AccountingValidationError if they no longer pass."""
    catalog = catalog or get_catalog()
    params = copy.deepcopy(dict(inputs))
    table: Coefficients = catalog.coefficients
    for path, used in coefficients.items():
        if path == "pig_equivalent":
            # The ratio the original computation used, whatever the table says today.
            species = used["species"]
            ratios = dict(table.pig_equivalents)
            old = ratios.get(species)
            ratios[species] = PigEquivalent(
                species=species,
                label_zh=old.label_zh if old else species,
                heads=int(used["heads"]),
                pig_equivalents=int(used["pig_equivalents"]),
            )
            table = dataclasses.replace(table, pig_equivalents=MappingProxyType(ratios))
        elif isinstance(used, Mapping) and "value" in used:
            _put(params, path, used["value"])
    result = compute(method_key, params, table, catalog=catalog)
    return _account(result, stable_from, year, rule, catalog)

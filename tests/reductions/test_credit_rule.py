"""The credit rule is catalog data, validated by the schema and applied by the engine."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal

import pytest

from dispatch.core.accounting import credit_for_year, credit_months
from dispatch.core.catalog import (
    CREDIT_RULES,
    CatalogError,
    default_catalog_dir,
    get_catalog,
    load_catalog,
)
from models.reductions import CREDIT_RULE_VALUES

E = {"NOx": Decimal("396.000000")}


def test_the_shipped_catalog_names_the_default_rule():
    assert get_catalog().credit_rule == "months_after_stable"
    assert CREDIT_RULE_VALUES == CREDIT_RULES  # the table's CHECK lists the same names


@pytest.mark.parametrize(
    ("stable", "year", "months_after", "full"),
    [
        (date(2025, 3, 15), 2025, 9, 12),
        (date(2025, 12, 10), 2025, 0, 12),
        (date(2025, 12, 10), 2026, 12, 12),
        (date(2025, 1, 1), 2025, 11, 12),
        (date(2025, 6, 1), 2024, 0, 0),
    ],
)
def test_both_rules(stable, year, months_after, full):
    assert credit_months(stable, year, "months_after_stable") == months_after
    assert credit_months(stable, year, "full_year") == full
    assert credit_months(stable, year) == months_after  # the default
    assert credit_for_year(E, stable, year, "full_year") == {"NOx": E["NOx"] * full / 12}


def test_an_unknown_rule_is_refused_by_the_engine():
    with pytest.raises(ValueError, match="未知的当年减排量计算规则"):
        credit_months(date(2025, 3, 15), 2025, "half_year")


def _catalog_with(tmp_path, line: str):  # type: ignore[no-untyped-def]
    target = tmp_path / "specs"
    shutil.copytree(default_catalog_dir(), target)
    path = target / "_coefficients.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("credit_rule: months_after_stable", line), encoding="utf-8")
    return load_catalog(target)


def test_the_rule_is_read_from_the_catalog_and_checked(tmp_path):
    assert _catalog_with(tmp_path / "a", "credit_rule: full_year").credit_rule == "full_year"
    with pytest.raises(CatalogError) as caught:
        _catalog_with(tmp_path / "b", "credit_rule: half_year")
    assert any("_coefficients.yaml: credit_rule" in e and "half_year" in e
               for e in caught.value.errors)  # fmt: skip

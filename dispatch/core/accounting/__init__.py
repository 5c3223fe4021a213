"""Accounting of reductions (减排量) per accounting.md: pure functions, Decimal only.

    result = compute("plant_new", {"inflow": "20000", "cod_in": "250", ...})
    result.reductions   # {"COD": Decimal("1606.000000"), "NH3N": Decimal("171.550000")}
    credit_for_year(result.reductions, date(2025, 3, 15), 2025)

Parameters and coefficients come from the catalog (evidence_specs/); the formulas are in
methods_water.py and methods_air.py, registered by importing them here.
"""

from dispatch.core.accounting import methods_air, methods_water
from dispatch.core.accounting.credit import (
    CREDIT_RULE_NAMES_ZH,
    counting_start,
    credit_for_year,
    credit_months,
)
from dispatch.core.accounting.engine import (
    IMPLEMENTATIONS,
    AccountingResult,
    check_catalog,
    compute,
    validate,
)
from dispatch.core.accounting.errors import CODES, AccountingValidationError, ParamError
from dispatch.core.accounting.fingerprint import catalog_fingerprint
from dispatch.core.accounting.numbers import POLLUTANT_LABELS, format_t, quantize_stored, to_decimal
from dispatch.core.accounting.yearly import YearAccount, account_year, replay

# Importing the formula modules registers them; keep the names referenced.
_FORMULA_MODULES = (methods_water, methods_air)

__all__ = [
    "CODES",
    "CREDIT_RULE_NAMES_ZH",
    "IMPLEMENTATIONS",
    "POLLUTANT_LABELS",
    "AccountingResult",
    "AccountingValidationError",
    "ParamError",
    "YearAccount",
    "account_year",
    "catalog_fingerprint",
    "check_catalog",
    "compute",
    "counting_start",
    "credit_for_year",
    "credit_months",
    "format_t",
    "quantize_stored",
    "replay",
    "to_decimal",
    "validate",
]

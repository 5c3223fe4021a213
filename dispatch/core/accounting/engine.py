"""The accounting engine: validate, run a method's formula, keep an auditable record.

A method's formula is Python (methods_water.py, methods_air.py); its parameters, ranges
and coefficients are data (evidence_specs/). `compute` ties the two together and returns
an `AccountingResult` that carries everything needed to reproduce and audit the number:
the normalised inputs, every coefficient used and where it came from, each formula with
the values substituted, and warnings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, localcontext
from types import MappingProxyType
from typing import Any

from dispatch.core.accounting import errors as E
from dispatch.core.accounting.errors import AccountingValidationError, ParamError
from dispatch.core.accounting.numbers import POLLUTANT_LABELS, format_t, plain, quantize_stored
from dispatch.core.accounting.validation import normalise, to_json_value
from dispatch.core.catalog import Catalog, Coefficients, Factor, MethodDef, get_catalog

# Inputs are capped below 10¹⁵ (validation.py), so products of four of them with six
# decimals stay well inside 100 digits: nothing is rounded before the final quantize.
PRECISION = 100


@dataclass(frozen=True)
class AccountingResult:
    method: str
    reductions: dict[str, Decimal]  # t/a, 6 decimals
    inputs: dict[str, Any]
    coefficients: dict[str, Any]
    formula: tuple[str, ...]
    warnings: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "reductions": {p: f"{v:f}" for p, v in self.reductions.items()},
            "inputs": self.inputs,
            "coefficients": self.coefficients,
            "formula": list(self.formula),
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class MethodImpl:
    key: str
    pollutants: tuple[str, ...]
    params: tuple[str, ...]  # the parameter keys the formula reads
    formula: Callable[[Calc], None]


IMPLEMENTATIONS: dict[str, MethodImpl] = {}


def implements(key: str, pollutants: tuple[str, ...], params: tuple[str, ...]):
    """Register a formula for the method `key` of the catalog."""

    def register(formula: Callable[[Calc], None]) -> Callable[[Calc], None]:
        IMPLEMENTATIONS[key] = MethodImpl(key, pollutants, params, formula)
        return formula

    return register


class Calc:
    """What a formula sees: the checked values, the coefficients, and a record of use."""

    def __init__(self, method: MethodDef, values: dict, table: Coefficients):
        self.method = method
        self.values = values
        self.table = table
        self.raw: dict[str, Decimal] = {}
        self.formula: list[str] = []
        self.warnings: list[str] = []
        self.coefficients: dict[str, Any] = {}
        self.errors: list[ParamError] = []
        self.involved: dict[str, tuple[str, ...]] = {}

    def v(self, key: str) -> Any:
        return self.values[key]

    def coef(self, key: str) -> Decimal:
        """The parameter's value if given, else its default from the coefficient table."""
        return self._coefficient(self.method.param(key), self.values.get(key), key, None)

    def row_coef(self, list_key: str, index: int, row: dict, key: str) -> Decimal:
        """Same for a column of a list row; vehicle defaults depend on the row's type."""
        owner = self.method.param(list_key)
        path, prefix = f"{list_key}[{index}].{key}", f"{owner.label_zh}第{index + 1}行："
        return self._coefficient(owner.column(key), row.get(key), path, row, prefix)

    def _coefficient(self, param, given, path: str, row: dict | None, prefix: str = "") -> Decimal:
        if given is not None:
            self.coefficients[path] = {"value": plain(given), "unit": param.unit, "source": "param"}
            return given
        ref = param.coefficient or ""
        factor: Factor | None = None
        if ref.startswith("vehicle_factors.") and row is not None:
            line = self.table.vehicle_factors.get((row["category"], row["standard"]))
            number = getattr(line, ref.removeprefix("vehicle_factors."), None) if line else None
            if number is not None:
                factor = Factor(ref, param.label_zh, param.unit, number, line.example)
        else:
            factor = self.table.factors.get(ref)
        if factor is None:
            message = f"{prefix}请填写{param.label_with_unit}（系数表中没有可用的默认值）"
            self.errors.append(ParamError(path, E.MISSING_COEFFICIENT, message))
            return Decimal(0)
        self.coefficients[path] = {
            "value": plain(factor.value),
            "unit": param.unit,
            "source": "table",
            "table_key": ref,
            "example": factor.example,
        }
        if factor.example:
            self.warnings.append(
                f"{param.label_zh}使用示例默认值 {plain(factor.value)} {param.unit}，"
                "请以本省发布的系数为准"
            )
        return factor.value

    def result(self, pollutant: str, value: Decimal, expression: str | None, involved) -> None:
        """Record E for a pollutant with its substituted formula."""
        if pollutant not in self.method.pollutants:
            return  # the catalog decides which pollutants this method reports
        self.raw[pollutant] = value
        self.involved[pollutant] = tuple(involved)
        label = POLLUTANT_LABELS[pollutant]
        shown = format_t(quantize_stored(value))
        middle = f" = {expression}" if expression else ""
        self.formula.append(f"{label}{middle} = {shown} t/a")

    def note(self, line: str) -> None:
        self.formula.append(line)

    def warn(self, text: str) -> None:
        self.warnings.append(text)


def _table(catalog: Catalog, overrides: Mapping | Coefficients | None) -> Coefficients:
    if overrides is None:
        return catalog.coefficients
    if isinstance(overrides, Coefficients):
        return overrides
    factors = dict(catalog.coefficients.factors)
    for key, value in overrides.items():
        if key not in factors:
            raise AccountingValidationError(
                [ParamError(str(key), E.UNKNOWN_PARAM, f"系数表中没有系数 {key}")]
            )
        # A value supplied by the city replaces the shipped example.
        factors[key] = replace(factors[key], value=Decimal(str(value)), example=False)
    return replace(catalog.coefficients, factors=MappingProxyType(factors))


def _negative(calc: Calc, pollutant: str, value: Decimal) -> ParamError:
    names = []
    for path in calc.involved[pollutant]:
        used = calc.coefficients.get(path)
        value_text = used["value"] if used else _lookup(calc.values, path)
        names.append(f"{_label(calc.method, path)}={value_text}")
    label = POLLUTANT_LABELS[pollutant]
    message = (
        f"{label}减排量计算结果为负（{format_t(quantize_stored(value))} t/a），"
        f"请检查：{'、'.join(names)}"
    )
    first = calc.involved[pollutant][0] if calc.involved[pollutant] else pollutant
    return ParamError(first, E.NEGATIVE_RESULT, message)


def _lookup(values: dict, path: str) -> str:
    if "[" in path:
        head, rest = path.split("[", 1)
        index, key = rest.split("].", 1)
        value = values[head][int(index)].get(key)
    else:
        value = values.get(path)
    return "默认值" if value is None else plain(value)


def _label(method: MethodDef, path: str) -> str:
    if "[" in path:
        head, rest = path.split("[", 1)
        index, key = rest.split("].", 1)
        owner = method.param(head)
        return f"{owner.label_zh}第{int(index) + 1}行{owner.column(key).label_with_unit}"
    return method.param(path).label_with_unit


def compute(
    method_key: str,
    params: Mapping[str, Any],
    coefficients: Mapping | Coefficients | None = None,
    *,
    catalog: Catalog | None = None,
) -> AccountingResult:
    """Compute a project's annual reductions; raise AccountingValidationError if invalid."""
    catalog = catalog or get_catalog()
    implementation = IMPLEMENTATIONS.get(method_key)
    method = catalog.methods.get(method_key)
    if implementation is None or method is None:
        message = f"未知的核算方法 {method_key!r}"
        raise AccountingValidationError([ParamError("method", E.UNKNOWN_METHOD, message)])
    values, errors = normalise(method, params)
    if errors:
        raise AccountingValidationError(errors)
    calc = Calc(method, values, _table(catalog, coefficients))
    with localcontext() as context:
        context.prec = PRECISION
        implementation.formula(calc)
    if calc.errors:
        raise AccountingValidationError(calc.errors)
    negatives = [_negative(calc, p, v) for p, v in calc.raw.items() if v < 0]
    if negatives:
        raise AccountingValidationError(negatives)
    with localcontext() as context:
        context.prec = PRECISION
        reductions = {p: quantize_stored(calc.raw[p]) for p in method.pollutants if p in calc.raw}
    for pollutant, value in reductions.items():
        if value.is_zero():
            calc.warn(f"{POLLUTANT_LABELS[pollutant]}减排量为 0，请核实参数")
    inputs = {k: to_json_value(v) for k, v in values.items() if v is not None}
    return AccountingResult(
        method=method_key,
        reductions=reductions,
        inputs=inputs,
        coefficients=calc.coefficients,
        formula=tuple(calc.formula),
        warnings=tuple(dict.fromkeys(calc.warnings)),
    )


def validate(
    method_key: str,
    params: Mapping[str, Any],
    coefficients: Mapping | Coefficients | None = None,
    *,
    catalog: Catalog | None = None,
) -> list[ParamError]:
    """Every error `compute` would raise (including a negative result); [] when valid."""
    try:
        compute(method_key, params, coefficients, catalog=catalog)
    except AccountingValidationError as exc:
        return exc.errors
    return []


def check_catalog(catalog: Catalog) -> list[str]:
    """Problems between a catalog's method definitions and the formulas in code."""
    problems = []
    for key, method in catalog.methods.items():
        implementation = IMPLEMENTATIONS.get(key)
        if implementation is None:
            problems.append(
                f"_methods.yaml: methods.{key}: 没有此核算方法的计算公式（代码中未实现）"
            )
            continue
        defined = {p.key for p in method.params}
        defined |= {f"{p.key}[].{f.key}" for p in method.params for f in p.fields}
        for needed in implementation.params:
            if needed not in defined:
                problems.append(
                    f"_methods.yaml: methods.{key}.params: 缺少公式需要的参数 {needed!r}"
                )
        extra = set(method.pollutants) - set(implementation.pollutants)
        if extra:
            problems.append(f"_methods.yaml: methods.{key}.pollutants: 公式不计算 {sorted(extra)}")
    species = catalog.coefficients.pig_equivalents
    if "livestock" in catalog.methods:
        for value, label in catalog.methods["livestock"].param("species").choices:
            if value not in species:
                problems.append(
                    f"_coefficients.yaml: pig_equivalents: 缺少 {value}（{label}）的折算系数"
                )
    return problems

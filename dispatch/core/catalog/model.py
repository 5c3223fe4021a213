"""The engineering-type catalog: evidence_specs/ loaded once into frozen objects.

Everything a province may change (types, names, methods allowed per type, parameter
labels and ranges, evidence checklists, example coefficients) lives in the YAML files;
this module only gives it a typed, read-only shape. `dispatch.core.catalog.schema` checks the
files; any problem stops loading with a message naming the file and the key.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

from dispatch.core import pollutants
from dispatch.core.catalog.coefficients import (
    CREDIT_RULES,
    DEFAULT_CREDIT_RULE,
    FULL_YEAR,
    MONTHS_AFTER_STABLE,
)
from dispatch.core.catalog.schema import POLLUTANTS, STAGES, SchemaError, read_catalog

__all__ = [
    "CREDIT_RULES",
    "DEFAULT_CREDIT_RULE",
    "FULL_YEAR",
    "MONTHS_AFTER_STABLE",
    "POLLUTANTS",
    "POLLUTANT_NAMES_ZH",
    "REQUIREMENT_NAMES_ZH",
    "STAGES",
    "STAGE_NAMES_ZH",
    "Catalog",
    "CatalogError",
    "Coefficients",
    "EngineeringType",
    "EvidenceItem",
    "Factor",
    "MethodDef",
    "ParamCheck",
    "ParamDef",
    "PigEquivalent",
    "VehicleFactor",
    "default_catalog_dir",
    "get_catalog",
    "load_catalog",
    "stage_index",
]

STAGE_NAMES_ZH = MappingProxyType(
    {"plan": "前期", "construction": "建设", "completion": "完工", "operation": "运行"}
)
POLLUTANT_NAMES_ZH = MappingProxyType({p.code: p.name_zh for p in pollutants.POLLUTANTS})
REQUIREMENT_NAMES_ZH = MappingProxyType(
    {"required": "必需", "optional": "可选", "conditional": "视情况"}
)


class CatalogError(Exception):
    """The catalog cannot be loaded or a code is unknown; `.errors` lists every problem."""

    def __init__(self, message: str, errors: list[str] | None = None):
        super().__init__(message)
        self.errors = errors if errors is not None else [message]


class UnknownCodeError(CatalogError, KeyError):
    """A type code, method key or stage that the catalog does not define."""

    def __str__(self) -> str:  # KeyError would quote the message
        return self.args[0]


def stage_index(stage: str) -> int:
    """Position of a stage in plan < construction < completion < operation."""
    try:
        return STAGES.index(stage)
    except ValueError:
        raise UnknownCodeError(f"未知的阶段 {stage!r}（应为 {' / '.join(STAGES)}）") from None


@dataclass(frozen=True)
class ParamDef:
    """One parameter of a method (or one column of a list parameter)."""

    key: str
    label_zh: str
    unit: str
    kind: str  # decimal | integer | choice | list | text
    min: Decimal | None = None
    max: Decimal | None = None
    min_inclusive: bool = True
    max_inclusive: bool = True
    required: bool = True
    default: Any = None
    help_zh: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    fields: tuple[ParamDef, ...] = ()
    coefficient: str | None = None  # key of the default in _coefficients.yaml

    @property
    def label_with_unit(self) -> str:
        """ "运行小时数（h/a）": how every message names the field."""
        return f"{self.label_zh}（{self.unit}）" if self.unit else self.label_zh

    def column(self, key: str) -> ParamDef:
        """One column of a list parameter."""
        for sub in self.fields:
            if sub.key == key:
                return sub
        raise UnknownCodeError(f"明细表 {self.key} 没有字段 {key!r}")


@dataclass(frozen=True)
class ParamCheck:
    """A rule between two parameters, e.g. outlet concentration not above inlet."""

    rule: str  # not_above | not_below
    param: str
    than: str
    list: str | None = None  # the list parameter whose rows the rule applies to


@dataclass(frozen=True)
class MethodDef:
    key: str
    name_zh: str
    name_en: str
    medium: str
    pollutants: tuple[str, ...]
    formula: str
    params: tuple[ParamDef, ...]
    checks: tuple[ParamCheck, ...] = ()

    def param(self, key: str) -> ParamDef:
        for param in self.params:
            if param.key == key:
                return param
        raise UnknownCodeError(f"核算方法 {self.key} 没有参数 {key!r}")


@dataclass(frozen=True)
class EvidenceItem:
    code: str
    name_zh: str
    stage: str
    requirement: str  # required | optional | conditional
    condition: str | None
    when: Mapping[str, tuple[str, ...]] | None = field(hash=False, compare=True)
    formats: tuple[str, ...]
    min_files: int
    reviewer_checks: str
    name_en: str = ""
    max_file_mb: int = 200
    filled_by: str = "user"  # user | system (the calculation sheet a confirmation files)

    @property
    def system(self) -> bool:
        """Filled by the system, never uploaded by a user."""
        return self.filled_by == "system"

    def applies_to(self, method: str | None) -> bool:
        """False only when the item is limited to other methods than `method`.

        With method None (method not chosen yet) every item applies.
        """
        if self.when is None or method is None:
            return True
        return method in self.when["method"]


@dataclass(frozen=True)
class EngineeringType:
    code: str
    name_zh: str
    name_en: str
    medium: str  # water | air
    pollutants: tuple[str, ...]
    methods: tuple[str, ...]
    evidence_items: tuple[EvidenceItem, ...]
    order: int = 0

    def items_for(self, stage: str, method: str | None) -> tuple[EvidenceItem, ...]:
        """The items of exactly this stage that apply to projects using `method`."""
        stage_index(stage)
        return tuple(i for i in self.evidence_items if i.stage == stage and i.applies_to(method))

    @property
    def system_item(self) -> EvidenceItem | None:
        """The item the system fills (削减量计算书), if the catalog defines one."""
        return next((i for i in self.evidence_items if i.system), None)

    def items_up_to(self, stage: str, method: str | None) -> tuple[EvidenceItem, ...]:
        """The items of every stage reached by `stage` (earlier stages first)."""
        reached = STAGES[: stage_index(stage) + 1]
        return tuple(item for s in reached for item in self.items_for(s, method))


@dataclass(frozen=True)
class Factor:
    key: str
    label_zh: str
    unit: str
    value: Decimal
    example: bool
    source: str = ""


@dataclass(frozen=True)
class PigEquivalent:
    """`heads` animals of `species` count as `pig_equivalents` pigs (GB 18596-2001)."""

    species: str
    label_zh: str
    heads: int
    pig_equivalents: int


@dataclass(frozen=True)
class VehicleFactor:
    category: str
    standard: str
    annual_km: Decimal | None
    nox_factor: Decimal | None
    voc_factor: Decimal | None
    example: bool


@dataclass(frozen=True)
class Coefficients:
    example: bool
    note_zh: str
    factors: Mapping[str, Factor] = field(hash=False)
    pig_equivalents: Mapping[str, PigEquivalent] = field(hash=False)
    vehicle_factors: Mapping[tuple[str, str], VehicleFactor] = field(hash=False)
    # The year's credit rule in force (one of CREDIT_RULES), stored with every confirmation.
    credit_rule: str = DEFAULT_CREDIT_RULE


@dataclass(frozen=True)
class Catalog:
    directory: Path
    types: tuple[EngineeringType, ...]
    methods: Mapping[str, MethodDef] = field(hash=False)
    coefficients: Coefficients
    common_items: tuple[EvidenceItem, ...] = ()

    def type(self, code: str) -> EngineeringType:
        for engineering_type in self.types:
            if engineering_type.code == code:
                return engineering_type
        raise UnknownCodeError(f"未知的工程类型 {code!r}")

    def method(self, key: str) -> MethodDef:
        try:
            return self.methods[key]
        except KeyError:
            raise UnknownCodeError(f"未知的核算方法 {key!r}") from None

    def types_using(self, method: str) -> tuple[EngineeringType, ...]:
        return tuple(t for t in self.types if method in t.methods)

    @property
    def credit_rule(self) -> str:
        return self.coefficients.credit_rule


# --- building --------------------------------------------------------------------------


def _param(raw: dict) -> ParamDef:
    values = {k: v for k, v in raw.items() if k != "fields"}
    return ParamDef(**values, fields=tuple(_param(f) for f in raw["fields"]))


def _item(raw: dict) -> EvidenceItem:
    when = raw["when"]
    return EvidenceItem(
        code=raw["code"],
        name_zh=raw["name_zh"],
        name_en=raw["name_en"],
        stage=raw["stage"],
        requirement=raw["requirement"],
        condition=raw["condition"],
        when=None if when is None else MappingProxyType(dict(when)),
        formats=tuple(raw["formats"]),
        min_files=raw["min_files"],
        max_file_mb=raw["max_file_mb"],
        reviewer_checks=raw["reviewer_checks"],
        filled_by=raw["filled_by"],
    )


def _coefficients(raw: dict) -> Coefficients:
    return Coefficients(
        example=raw["example"],
        note_zh=raw["note_zh"],
        factors=MappingProxyType({k: Factor(**v) for k, v in raw["factors"].items()}),
        pig_equivalents=MappingProxyType(
            {k: PigEquivalent(**v) for k, v in raw["pig_equivalents"].items()}
        ),
        vehicle_factors=MappingProxyType(
            {
                pair: VehicleFactor(
                    category=v["category"],
                    standard=v["standard"],
                    annual_km=v.get("annual_km"),
                    nox_factor=v.get("nox_factor"),
                    voc_factor=v.get("voc_factor"),
                    example=v["example"],
                )
                for pair, v in raw["vehicle_factors"].items()
            }
        ),
        credit_rule=raw["credit_rule"],
    )


def load_catalog(directory: Path) -> Catalog:
    """Load and check a catalog directory; raise CatalogError naming file and key."""
    directory = Path(directory)
    try:
        raw = read_catalog(directory)
    except SchemaError as exc:
        raise CatalogError(
            f"工程类型目录 {directory} 有 {len(exc.errors)} 处错误：\n" + "\n".join(exc.errors),
            exc.errors,
        ) from None
    common = tuple(_item(item) for item in raw["common"])
    methods = {
        key: MethodDef(
            key=key,
            name_zh=m["name_zh"],
            name_en=m["name_en"],
            medium=m["medium"],
            pollutants=m["pollutants"],
            formula=m["formula"],
            params=tuple(_param(p) for p in m["params"]),
            checks=tuple(ParamCheck(**c) for c in m["checks"]),
        )
        for key, m in raw["methods"].items()
    }
    types = tuple(
        EngineeringType(
            code=t["code"],
            name_zh=t["name_zh"],
            name_en=t["name_en"],
            medium=t["medium"],
            pollutants=t["pollutants"],
            methods=t["methods"],
            # The common items come first so every checklist starts with G01–G08.
            evidence_items=common + tuple(_item(item) for item in t["items"]),
            order=t["order"],
        )
        for t in raw["types"]
    )
    return Catalog(
        directory=directory,
        types=types,
        methods=MappingProxyType(methods),
        coefficients=_coefficients(raw["coefficients"]),
        common_items=common,
    )


def default_catalog_dir() -> Path:
    """evidence_specs/ at the top of the repository, or $DISPATCH_CATALOG_DIR."""
    configured = os.environ.get("DISPATCH_CATALOG_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[3] / "evidence_specs"


@functools.lru_cache(maxsize=1)
def get_catalog() -> Catalog:
    """The default catalog, loaded once per process (call cache_clear() to reload)."""
    return load_catalog(default_catalog_dir())

"""The engineering-type catalog: the public API of ``evidence_specs/`` as frozen objects.

Callers import from here only; ``model`` holds the objects and the loader, ``schema``,
``fields`` and ``coefficients`` the strict YAML reader behind it.
"""

from dispatch.core.catalog.model import (
    POLLUTANT_NAMES_ZH,
    POLLUTANTS,
    REQUIREMENT_NAMES_ZH,
    STAGE_NAMES_ZH,
    STAGES,
    Catalog,
    CatalogError,
    Coefficients,
    EngineeringType,
    EvidenceItem,
    Factor,
    MethodDef,
    ParamCheck,
    ParamDef,
    PigEquivalent,
    UnknownCodeError,
    VehicleFactor,
    default_catalog_dir,
    get_catalog,
    load_catalog,
    stage_index,
)

__all__ = [
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
    "UnknownCodeError",
    "VehicleFactor",
    "default_catalog_dir",
    "get_catalog",
    "load_catalog",
    "stage_index",
]

"""The four controlled pollutants: the one definition every layer reads.

Code (as in the catalog YAML and accounting results), the Chinese name used on pages and
in workbook headers, the short label used in formulas and tables, the medium, the unit of
a reduction and the ``projects`` column holding the expected reduction. Models, the
catalog, accounting, queries, workbooks and templates all take their pollutant lists from
here; adding or renaming a pollutant is a change to this table (and a migration).

This module imports nothing from the project, so ``models`` may use it without pulling in
Flask or the rest of ``dispatch``.
"""

from __future__ import annotations

import dataclasses
from types import MappingProxyType


@dataclasses.dataclass(frozen=True)
class Pollutant:
    code: str  # catalog and accounting key, e.g. "NH3N"
    name_zh: str  # full Chinese name, e.g. "氨氮"
    label: str  # short label for formulas and narrow columns, e.g. "NH3-N"
    medium: str  # "water" or "air"
    column: str  # projects column of the expected reduction
    unit: str = "t/a"

    @property
    def header_zh(self) -> str:
        """Short Chinese label for table and workbook headers (COD and VOCs stay Latin)."""
        return self.label if self.code in ("COD", "VOCs") else self.name_zh


POLLUTANTS: tuple[Pollutant, ...] = (
    Pollutant("COD", "化学需氧量（COD）", "COD", "water", "expected_cod"),
    Pollutant("NH3N", "氨氮", "NH3-N", "water", "expected_nh3n"),
    Pollutant("NOx", "氮氧化物", "NOx", "air", "expected_nox"),
    Pollutant("VOCs", "挥发性有机物", "VOCs", "air", "expected_vocs"),
)

CODES: tuple[str, ...] = tuple(p.code for p in POLLUTANTS)
BY_CODE = MappingProxyType({p.code: p for p in POLLUTANTS})
MEDIUM_CODES = MappingProxyType(
    {medium: tuple(p.code for p in POLLUTANTS if p.medium == medium) for medium in ("water", "air")}
)


def get(code: str) -> Pollutant:
    """The pollutant of ``code``; KeyError for anything else."""
    return BY_CODE[code]

"""Reproducibility of confirmed accounting (``dispatch account verify``).

Every confirmed version, current and superseded, is recomputed from what it stored
alone: its inputs, its coefficients (each given back at the value it had), its
stable-operation date, year and credit rule (:func:`dispatch.core.accounting.replay`).
Any difference from the stored capacity, credit, months or substituted formulas is a
finding; so is a version that can no longer be recomputed. Separately, a version whose
fingerprint differs from today's accounting tables is reported as drift: the catalog
changed since it was confirmed (its numbers still reproduce; new confirmations would use
the new tables).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from dispatch.core.accounting import (
    POLLUTANT_LABELS,
    AccountingValidationError,
    YearAccount,
    catalog_fingerprint,
    replay,
)
from dispatch.core.catalog import Catalog
from models import ConfirmationStatus, ReductionConfirmation
from models.reductions import POLLUTANT_COLUMN_SUFFIX


@dataclasses.dataclass
class Finding:
    confirmation_id: int
    project_code: str
    year: int
    version: int
    status: str
    problems: list[str]

    @property
    def title(self) -> str:
        return f"{self.project_code} {self.year}年 第{self.version}版（#{self.confirmation_id}）"


@dataclasses.dataclass
class Report:
    checked: int = 0
    differences: list[Finding] = dataclasses.field(default_factory=list)
    drifted: list[Finding] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


def _shown(value: Decimal | None) -> str:
    return "无" if value is None else f"{value:f}"


def _compare(row: ReductionConfirmation, again: YearAccount) -> list[str]:
    problems = []
    for pollutant in POLLUTANT_COLUMN_SUFFIX:
        label = POLLUTANT_LABELS[pollutant]
        for name, stored, computed in (
            ("年减排能力", row.capacity(pollutant), again.capacity.get(pollutant)),
            ("当年减排量", row.credit(pollutant), again.credit.get(pollutant)),
        ):
            if stored != computed:
                problems.append(
                    f"{label}{name}：存储值 {_shown(stored)}，重算值 {_shown(computed)}"
                )
    if row.credit_months != again.months:
        problems.append(f"计入月数：存储值 {row.credit_months}，重算值 {again.months}")
    if list(row.formula) != list(again.formula):
        problems.append("计算过程（代入数值的公式）与重算结果不一致")
    if dict(row.formula_by_pollutant) != {p: list(v) for p, v in again.by_pollutant.items()}:
        problems.append("分污染物的计算过程与重算结果不一致")
    return problems


def _confirmed(session: Session) -> Iterator[ReductionConfirmation]:
    stmt = (
        select(ReductionConfirmation)
        .where(ReductionConfirmation.status != ConfirmationStatus.DRAFT)
        .options(joinedload(ReductionConfirmation.project))
        .order_by(ReductionConfirmation.id)
        .execution_options(yield_per=500)
    )
    yield from session.scalars(stmt)


def verify(session: Session, catalog: Catalog) -> Report:
    """Recompute every confirmed version; the report lists differences and drift."""
    report = Report()
    today = catalog_fingerprint(catalog)
    for row in _confirmed(session):
        report.checked += 1
        finding = Finding(row.id, row.project.code, row.year, row.version, row.status.value, [])
        try:
            again = replay(
                row.method,
                row.inputs,
                row.coefficients,
                row.stable_operation_from,
                row.year,
                row.credit_rule,
                catalog=catalog,
            )
        except (AccountingValidationError, ValueError, KeyError) as exc:
            finding.problems.append(f"无法用存储的参数重算：{exc}")
        else:
            finding.problems.extend(_compare(row, again))
        if finding.problems:
            report.differences.append(finding)
        if row.fingerprint != today:
            report.drifted.append(
                dataclasses.replace(
                    finding,
                    problems=[f"系数表指纹 {row.fingerprint[:12]} ≠ 当前 {today[:12]}"],
                )
            )
    return report

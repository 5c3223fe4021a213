"""A project's evidence checklist and completeness (engineering-types.md).

The stages a project has reached follow its construction status (plan on entering the
plan list, construction from 在建, completion from 已完工, operation at 稳定运行). For
each reached stage the catalog lists the items that apply to the project's method. A
stage is complete when every applicable required item of it and of the earlier stages has
at least its minimum number of current files the city accepted. "Conditional" items (if
applicable, judged by people) are listed but never block completeness, nor does the item
the system files on confirmation (削减量计算书).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch.core.catalog import STAGES, Catalog, EvidenceItem
from models import ConstructionStatus, EvidenceFile, EvidenceStatus, Project

STAGE_LABELS = {"plan": "前期", "construction": "建设", "completion": "完工", "operation": "运行"}


def reached_stage(status: ConstructionStatus) -> str:
    if status == ConstructionStatus.STABLE_OPERATION:
        return "operation"
    if status.rank >= ConstructionStatus.COMPLETED.rank:
        return "completion"
    if status.rank >= ConstructionStatus.UNDER_CONSTRUCTION.rank:
        return "construction"
    return "plan"


def blocking(item: EvidenceItem) -> bool:
    """Required items count toward completeness (method conditions are already applied).

    Not the one the system fills (削减量计算书): the confirmation that this completeness
    gates is what files it, so it cannot exist before and must not block.
    """
    return item.requirement == "required" and not item.system


@dataclasses.dataclass
class ItemState:
    item: EvidenceItem
    files: list[EvidenceFile] = dataclasses.field(default_factory=list)

    def count(self, status: EvidenceStatus) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def accepted(self) -> int:
        return self.count(EvidenceStatus.ACCEPTED)

    @property
    def satisfied(self) -> bool:
        return self.accepted >= self.item.min_files

    @property
    def label(self) -> str:
        """缺失 / 待审核 / 不合格 / 合格 / 数量不足, as the checklist shows it."""
        if self.satisfied:
            return "合格"
        if not self.files:
            return "核定后生成" if self.item.system else "缺失"
        if self.count(EvidenceStatus.UPLOADED):
            return "待审核"
        if self.accepted:
            return "数量不足"
        return "不合格"


@dataclasses.dataclass
class StageState:
    stage: str
    items: list[ItemState]

    @property
    def label(self) -> str:
        return STAGE_LABELS[self.stage]

    @property
    def complete_here(self) -> bool:
        return all(state.satisfied for state in self.items if blocking(state.item))


@dataclasses.dataclass
class Checklist:
    project: Project
    reached: str
    stages: list[StageState]

    def complete_through(self, stage: str) -> bool:
        """Complete for ``stage``: it and every earlier stage (False if not reached)."""
        upto = STAGES[: STAGES.index(stage) + 1]
        if stage not in [s.stage for s in self.stages]:
            return False
        return all(s.complete_here for s in self.stages if s.stage in upto)

    @property
    def complete(self) -> bool:
        """Complete for the stage the project has reached."""
        return self.complete_through(self.reached)

    @property
    def progress(self) -> tuple[int, int]:
        """(satisfied, total) over the blocking items of the reached stages, e.g. 7/9."""
        blocking_items = [i for s in self.stages for i in s.items if blocking(i.item)]
        return sum(1 for i in blocking_items if i.satisfied), len(blocking_items)


def current_files(session: Session, project_ids: Sequence[int]) -> dict[int, list[EvidenceFile]]:
    found: dict[int, list[EvidenceFile]] = defaultdict(list)
    ids = list(project_ids)
    for start in range(0, len(ids), 900):
        stmt = (
            select(EvidenceFile)
            .where(EvidenceFile.project_id.in_(ids[start : start + 900]), EvidenceFile.current)
            .order_by(EvidenceFile.id)
        )
        for ev in session.scalars(stmt):
            found[ev.project_id].append(ev)
    return found


def build(catalog: Catalog, project: Project, files: Iterable[EvidenceFile]) -> Checklist:
    etype = catalog.type(project.type_code)
    reached = reached_stage(project.construction_status)
    by_item: dict[str, list[EvidenceFile]] = defaultdict(list)
    for ev in files:
        by_item[ev.item_code].append(ev)
    stages = []
    for stage in STAGES[: STAGES.index(reached) + 1]:
        items = etype.items_for(stage, project.method)
        stages.append(StageState(stage, [ItemState(i, by_item.get(i.code, [])) for i in items]))
    return Checklist(project, reached, stages)


def checklist(session: Session, catalog: Catalog, project: Project) -> Checklist:
    return build(catalog, project, current_files(session, [project.id]).get(project.id, []))


def checklists(
    session: Session, catalog: Catalog, projects: Sequence[Project]
) -> dict[int, Checklist]:
    """Checklists of many projects with one query for all their files."""
    files = current_files(session, [p.id for p in projects])
    return {p.id: build(catalog, p, files.get(p.id, [])) for p in projects}


def accepted_counts(session: Session, project_ids: Sequence[int]) -> dict[tuple[int, str], int]:
    """(project, item) → accepted current files: enough for counts without loading rows."""
    stmt = (
        select(EvidenceFile.project_id, EvidenceFile.item_code, func.count())
        .where(
            EvidenceFile.project_id.in_(list(project_ids)),
            EvidenceFile.current,
            EvidenceFile.status == EvidenceStatus.ACCEPTED,
        )
        .group_by(EvidenceFile.project_id, EvidenceFile.item_code)
    )
    return {(pid, code): n for pid, code, n in session.execute(stmt)}


def progress_labels(
    session: Session, catalog: Catalog, projects: Sequence[Project]
) -> dict[int, str]:
    """``satisfied/total`` of each project's blocking items (佐证材料完整性, e.g. 7/9)."""
    labels = {}
    for project_id, found in checklists(session, catalog, projects).items():
        done, total = found.progress
        labels[project_id] = f"{done}/{total}"
    return labels

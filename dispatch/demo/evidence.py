"""The demo's evidence archive: files uploaded, pre-reviewed and reviewed on the timeline.

:class:`Archives` drives dispatch.evidence.services as the demo users would, at past
instants in office hours. When the plan list has been approved, and each time a closed
round has moved the projects on, the projects are surveyed: the items of every stage a
project has newly reached (construction status → stage, dispatch.evidence.checklist) get
files over the next two weeks, uploaded by the enterprise where it has an account (历下热力,
市中汽修), otherwise by the district user, or the city for districts without one; the
district then pre-reviews what an enterprise sent, and the city reviews. The files are
small real documents (dispatch.evidence.samples): a PDF per document and JPEG or PNG
photos where the item asks for photos, in the item's accepted formats, under Chinese names.

Each project keeps one outcome, dealt in turn: most archives are complete for the stages
surveyed; some miss an item of each newly reached stage; some hold a file the city rejected
with a reason (never fixed), or rejected and replaced by a new version the city accepted;
and some uploaders are late: everything uploaded in the last ten days, awaiting the city.
Projects closed out at the year's end are complete before they close; withdrawn ones have
no files. Stages reached in the open round are not surveyed yet (their items are missing).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from functools import partial

from sqlalchemy.orm import Session

from dispatch.audit import Acting
from dispatch.core.beijing import local_date
from dispatch.core.catalog import STAGES, EvidenceItem, get_catalog
from dispatch.demo.project_data import DemoProject
from dispatch.demo.projects import Cast, PlanList
from dispatch.demo.timeline import Calendar, Timeline, beijing, office_instant
from dispatch.evidence import samples
from dispatch.evidence.checklist import blocking, reached_stage
from dispatch.evidence.services import pre_review, replace, review, upload
from dispatch.rounds.services import last_approved
from dispatch.storage import Storage
from models import EvidenceFile, PlanStatus, ProgressReport, Project, Role, User

__all__ = ["Archives"]

# Dealt in turn to the projects, in the order they are first surveyed; the enterprises with
# an account have their own deck, so the pre-review story (the district rejects what an
# enterprise sent, the city agrees, the enterprise replaces it) is always in the demo.
OUTCOMES = (
    "complete", "complete", "missing", "replaced", "complete",
    "awaiting", "complete", "rejected", "missing", "complete",
)  # fmt: skip
ENTERPRISE_OUTCOMES = ("replaced", "awaiting", "complete", "rejected")
WINDOW = dt.timedelta(days=14)  # a survey's files are uploaded and reviewed within it
LATE_WINDOW = dt.timedelta(days=10)  # late uploaders send everything in the last days
MARGIN = dt.timedelta(hours=2)  # before now, and before a project is closed out
SURVEY_AFTER = dt.timedelta(minutes=30)
# Shorter names than the catalog's for the common items ("环评批复.pdf").
FILE_NAMES = {"G01": "项目备案证明", "G02": "环评批复", "G06": "竣工验收意见", "G07": "排污许可证"}
REJECTED = {
    "photo": "照片无拍摄日期和地点水印，无法确认为本项目现场，请重新拍摄上传",
    "document": "扫描件缺少盖章页，请上传加盖单位公章的完整文件",
}
PRE_REJECTED = {
    "photo": "照片未显示拍摄日期，建议补拍带日期水印的照片",
    "document": "文件未盖章，建议补充盖章页后再报市局审核",
}
REPLACED_NOTE = "已按市局审核意见重新上传"
EXTENSIONS = {"pdf": "pdf", "jpg": "jpg", "png": "png", "ofd": "ofd", "docx": "docx"}


@dataclasses.dataclass(frozen=True)
class Part:
    """One file an item asks for: its name (without extension) and format."""

    name: str
    format: str

    @property
    def filename(self) -> str:
        return f"{self.name}.{EXTENSIONS[self.format]}"

    @property
    def kind(self) -> str:
        return "photo" if self.format in ("jpg", "png") else "document"


def _format(kind: str, accepted: tuple[str, ...], k: int) -> str | None:
    """The format a demo file of ``kind`` takes among those the item accepts."""
    photos = [f for f in ("jpg", "png") if f in accepted]
    documents = [f for f in ("pdf", "ofd", "docx") if f in accepted]
    if kind == "photo" and photos:
        # Mostly camera JPEGs, every fourth a PNG (a screenshot or an export).
        return photos[-1] if k % 4 == 3 else photos[0]
    return (documents or photos or [None])[0]


def parts_of(item: EvidenceItem, k: int = 0) -> list[Part]:
    """The files of ``item``: its minimum count, named after what the item lists.

    "现场照片：改造前、建设中、完成后" gives three photos named by phase; "验收记录及入户照片"
    a PDF and a photo; an item asking for one document of several kinds gives one PDF.
    """
    n = item.min_files
    name = re.sub(r"（.*?）", "", item.name_zh)
    head, _, tail = name.partition("：")
    names = [FILE_NAMES[item.code]] if item.code in FILE_NAMES else []
    if len(names) != n:
        names = [f"{head}-{p}" for p in tail.split("、")] if tail else []
    if len(names) != n:
        names = re.split(r"、|及", head)
    if len(names) != n:
        names = [head] if n == 1 else [f"{head}-{i + 1}" for i in range(n)]
    found = []
    for i, part in enumerate(names):
        fmt = _format("photo" if "照片" in part else "document", item.formats, k + i)
        if fmt is None:
            return []  # nothing the demo can make is accepted
        found.append(Part(part, fmt))
    return found


def content(part: Part, project: Project, item: EvidenceItem, day: dt.date, k: int) -> bytes:
    """A small real file for ``part``, different for every ``k``."""
    title = f"{project.code} {item.code}"
    lines = [
        "Key emission-reduction project archive",
        f"Project: {project.code}",
        f"Evidence item: {item.code} {item.name_en}",
        f"Document date: {day.isoformat()}",
        f"Copy no. {k + 1}",
        "Generated by the demo seed in place of a scanned original.",
    ]
    # Images carry no text: their size tells them apart (distinct for the first 512 files).
    if part.format == "jpg":
        width, height = 240 + 8 * (k % 32), 176 + 8 * (k // 32 % 16)
        return samples.jpeg(width, height, shade=48 + (k * 29) % 112)
    if part.format == "png":
        rgb = ((46, 125, 50), (21, 101, 192), (121, 85, 72), (96, 125, 139))[k % 4]
        # Drawn pixel by pixel in Python: kept small.
        return samples.png(96 + k % 32, 72 + k // 32 % 16, rgb)
    if part.format == "ofd":
        return samples.ofd(title)
    if part.format == "docx":
        return samples.docx(lines)
    return samples.pdf(lines, title=title)


@dataclasses.dataclass
class Batch:
    """The files one survey asks of one project, and what happens to them."""

    project: Project
    uploader: User
    pre_reviewer: User | None
    items: list[EvidenceItem]
    report: ProgressReport | None = None
    flaw: str | None = None  # the item whose first file the city rejects
    fix: bool = False  # the rejected file is replaced and then accepted
    files: list[EvidenceFile] = dataclasses.field(default_factory=list)
    flawed: tuple[EvidenceFile, Part] | None = None
    fixed: EvidenceFile | None = None


class Archives:
    """Schedules the surveys of the demo projects' archives and what follows them.

    Call :meth:`schedule` after ``PlanList.schedule`` (it needs ``plan.settled``).
    """

    def __init__(
        self,
        session: Session,
        storage: Storage,
        timeline: Timeline,
        calendar: Calendar,
        cast: Cast,
        plan: PlanList,
    ) -> None:
        self.session, self.storage, self.timeline = session, storage, timeline
        self.calendar, self.cast, self.plan = calendar, cast, plan
        self.catalog = get_catalog()
        self.files = 0
        self._outcomes: dict[int, str] = {}
        self._surveyed: dict[int, int] = {}  # project id → stages already asked for
        self._dealt = [0, 0]  # outcomes dealt: others, enterprises with an account
        self._k = 0  # files made so far: varies their bytes

    def schedule(self) -> None:
        cal = self.calendar
        # After last year's projects are approved (on the fifth day after going live), after
        # the current plan list is, and after every closed round.
        live = local_date(cal.go_live)
        surveys = {beijing(live + dt.timedelta(days=5), 17, 15), self.plan.settled + SURVEY_AFTER}
        surveys.update(cal.closed_at(month) + SURVEY_AFTER for month in cal.months[:-1])
        for when in sorted(surveys):
            if when < cal.now - MARGIN:
                self.timeline.at(when, self._survey)
        late = office_instant(cal.now - LATE_WINDOW, cal.now - MARGIN, 0.0)
        self.timeline.at(late, self._late)

    # -- who and what -------------------------------------------------------------------

    def _uploader(self, spec: DemoProject) -> User:
        enterprise = self.cast.enterprises.get(spec.owner) if isinstance(spec.owner, int) else None
        return enterprise or self.cast.author(spec.district)

    def _outcome(self, project_id: int, spec: DemoProject) -> str:
        if project_id not in self._outcomes:
            if spec.status == "closed":
                outcome = "complete"  # closed out: 运行阶段档案齐全
            else:
                ours = self._uploader(spec).role == Role.ENTERPRISE
                deck = ENTERPRISE_OUTCOMES if ours else OUTCOMES
                outcome = deck[self._dealt[ours] % len(deck)]
                self._dealt[ours] += 1
            self._outcomes[project_id] = outcome
        return self._outcomes[project_id]

    def _candidates(self, at: dt.datetime) -> list[tuple[Project, DemoProject, dt.datetime]]:
        """Projects in the plan list at ``at`` with the end of their time for files."""
        found = []
        for project_id, spec in sorted(self.plan.specs.items()):
            if spec.status == "withdrawn":
                continue
            project = self.session.get(Project, project_id)
            if project is None or project.plan_status != PlanStatus.APPROVED:
                continue
            leaves = self.plan.leaves.get(project_id, self.calendar.now)
            found.append((project, spec, min(leaves, self.calendar.now) - MARGIN))
        return found

    def _items(self, project: Project, stages: list[str], outcome: str) -> list[EvidenceItem]:
        """The items asked for: every required one, the plan stage's 立项 / 环评 papers where
        they apply; without one required item of the newest stage when files go missing."""
        etype = self.catalog.type(project.type_code)
        items = []
        for stage in stages:
            for item in etype.items_for(stage, project.method):
                optional = item.code == "G02" or (item.code == "G01" and project.id % 3 == 0)
                if (blocking(item) or optional) and parts_of(item):
                    items.append(item)
        if outcome == "missing":
            required = [i for i in items if blocking(i)]
            newest = [i for i in required if i.stage == stages[-1]] or required
            if newest:
                items.remove(newest[-1])
        return items

    def _batch(self, project: Project, spec: DemoProject, stages: list[str], outcome: str) -> Batch:
        uploader = self._uploader(spec)
        enterprise = uploader.role == Role.ENTERPRISE
        batch = Batch(
            project=project,
            uploader=uploader,
            pre_reviewer=self.cast.districts.get(spec.district) if enterprise else None,
            items=self._items(project, stages, outcome),
        )
        if outcome in ("rejected", "replaced") and batch.items and stages[0] == STAGES[0]:
            photos = [i for i in batch.items if any(p.kind == "photo" for p in parts_of(i))]
            batch.flaw = (photos or [i for i in batch.items if blocking(i)] or batch.items)[0].code
            batch.fix = outcome == "replaced"
        return batch

    # -- scheduling ---------------------------------------------------------------------

    def _survey(self, at: dt.datetime) -> None:
        candidates = self._candidates(at)
        reports = last_approved(self.session, [p.id for p, _spec, _end in candidates])
        for project, spec, until in candidates:
            outcome = self._outcome(project.id, spec)
            reached = STAGES.index(reached_stage(project.construction_status)) + 1
            done = self._surveyed.get(project.id, 0)
            end = min(at + WINDOW, until)
            if outcome == "awaiting" or reached <= done or end - at < dt.timedelta(hours=4):
                continue
            self._surveyed[project.id] = reached
            stages = list(STAGES[done:reached])
            batch = self._batch(project, spec, stages, outcome)
            report = reports.get(project.id)
            if report is not None and reached_stage(report.construction_status) == stages[-1]:
                batch.report = report  # the approved report that moved it there
            self._plan(batch, at, end, uploads=(0.02, 0.3), pre=0.45, final=0.6)

    def _late(self, at: dt.datetime) -> None:
        late = [
            (project, spec, until)
            for project, spec, until in self._candidates(at)
            if self._outcome(project.id, spec) == "awaiting" and until > at
        ]
        for k, (project, spec, until) in enumerate(late):
            reached = STAGES.index(reached_stage(project.construction_status)) + 1
            batch = self._batch(project, spec, list(STAGES[:reached]), "awaiting")
            first = 0.05 + 0.45 * k / len(late)
            self._plan(batch, at, until, uploads=(first, first + 0.1), pre=0.8, final=None)

    def _plan(
        self,
        batch: Batch,
        start: dt.datetime,
        end: dt.datetime,
        *,
        uploads: tuple[float, float],
        pre: float,
        final: float | None,
    ) -> None:
        if not batch.items:
            return
        low, high = uploads
        for i, item in enumerate(batch.items):
            when = office_instant(start, end, low + (high - low) * i / len(batch.items))
            self.timeline.at(when, partial(self._upload, batch, item))
        if batch.pre_reviewer is not None:
            self.timeline.at(office_instant(start, end, pre), partial(self._pre_review, batch))
        if final is None:
            return
        self.timeline.at(office_instant(start, end, final), partial(self._review, batch))
        if batch.fix:
            self.timeline.at(office_instant(start, end, 0.8), partial(self._replace, batch))
            self.timeline.at(office_instant(start, end, 0.95), partial(self._review_fix, batch))

    # -- steps --------------------------------------------------------------------------

    def _file(self, batch: Batch, item: EvidenceItem, part: Part, at: dt.datetime) -> io.BytesIO:
        self._k += 1
        return io.BytesIO(content(part, batch.project, item, local_date(at), self._k))

    def _upload(self, batch: Batch, item: EvidenceItem, at: dt.datetime) -> None:
        acting = Acting(batch.uploader, at)
        for part in parts_of(item, self._k):
            ev = upload(
                self.session, self.storage, acting, self.catalog, batch.project, item.code,
                self._file(batch, item, part, at), part.filename, report=batch.report,
            )  # fmt: skip
            self.files += 1
            batch.files.append(ev)
            if item.code == batch.flaw and batch.flawed is None:
                batch.flawed = (ev, part)

    @staticmethod
    def _verdict(batch: Batch, ev: EvidenceFile, reasons: dict[str, str]) -> str | None:
        """None (accepted) or the reason the flawed file is rejected."""
        if batch.flawed is None or batch.flawed[0] is not ev:
            return None
        return reasons[batch.flawed[1].kind]

    def _pre_review(self, batch: Batch, at: dt.datetime) -> None:
        assert batch.pre_reviewer is not None
        acting = Acting(batch.pre_reviewer, at)
        for ev in batch.files:
            reason = self._verdict(batch, ev, PRE_REJECTED)
            pre_review(self.session, acting, ev, reason is None, reason, version=ev.version_id)

    def _review(self, batch: Batch, at: dt.datetime) -> None:
        acting = Acting(self.cast.city, at)
        for ev in batch.files:
            reason = self._verdict(batch, ev, REJECTED)
            review(self.session, acting, ev, reason is None, reason, version=ev.version_id)

    def _replace(self, batch: Batch, at: dt.datetime) -> None:
        if batch.flawed is None:
            return
        old, part = batch.flawed
        item = next(i for i in batch.items if i.code == old.item_code)
        batch.fixed = replace(
            self.session, self.storage, Acting(batch.uploader, at), self.catalog, old,
            self._file(batch, item, part, at), part.filename, version=old.version_id,
            note=REPLACED_NOTE,
        )  # fmt: skip
        self.files += 1

    def _review_fix(self, batch: Batch, at: dt.datetime) -> None:
        if batch.fixed is not None:
            ev = batch.fixed
            review(self.session, Acting(self.cast.city, at), ev, True, None, version=ev.version_id)

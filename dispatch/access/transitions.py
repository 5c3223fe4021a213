"""Transition tables: which action moves an object from which states to which, and who may.

One :class:`Workflow` per stateful object. The services read it to refuse a move from the
wrong state (and to know the target state); the ``can_*`` predicates read the same entry
to decide whether a button shows. Plan status, progress reports and evidence files each
have theirs.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Generic, TypeVar

from dispatch.access.permissions import Permission, has_permission
from models import EvidenceStatus, PlanStatus, ReportStatus

S = TypeVar("S", bound=enum.Enum)


@dataclasses.dataclass(frozen=True, init=False)
class Transition(Generic[S]):
    """An action allowed in the ``from_`` states to holders of ``permission``.

    ``to`` is the state it moves to; None for an action that is allowed only in those states
    but leaves the state as it is (editing a draft, requesting a change).
    """

    from_: frozenset[S]
    to: S | None
    permission: Permission

    def __init__(self, *, from_: Iterable[S], to: S | None, permission: Permission) -> None:
        object.__setattr__(self, "from_", frozenset(from_))
        object.__setattr__(self, "to", to)
        object.__setattr__(self, "permission", permission)

    def allows(self, state: S) -> bool:
        return state in self.from_


class Workflow(Mapping[str, Transition[S]], Generic[S]):
    """A named set of transitions, looked up by action name."""

    def __init__(self, name: str, transitions: Mapping[str, Transition[S]]) -> None:
        self.name = name
        self._transitions = dict(transitions)

    def __getitem__(self, action: str) -> Transition[S]:
        return self._transitions[action]

    def __iter__(self) -> Iterator[str]:
        return iter(self._transitions)

    def __len__(self) -> int:
        return len(self._transitions)

    def permits(self, user: Any, action: str, state: S) -> bool:
        """The user holds the action's permission and the object is in a state it starts from."""
        step = self[action]
        return step.allows(state) and has_permission(user, step.permission)


_EDITABLE = {PlanStatus.DRAFT, PlanStatus.RETURNED}

# workflow.md, "Project lifecycle": districts draft and submit, the city reviews.
PLAN_WORKFLOW: Workflow[PlanStatus] = Workflow(
    "plan_status",
    {
        "edit": Transition(from_=_EDITABLE, to=None, permission=Permission.PROJECTS_EDIT),
        "submit": Transition(
            from_=_EDITABLE, to=PlanStatus.SUBMITTED, permission=Permission.PROJECTS_EDIT
        ),
        "approve": Transition(
            from_={PlanStatus.SUBMITTED},
            to=PlanStatus.APPROVED,
            permission=Permission.PROJECTS_REVIEW,
        ),
        "return": Transition(
            from_={PlanStatus.SUBMITTED},
            to=PlanStatus.RETURNED,
            permission=Permission.PROJECTS_REVIEW,
        ),
        # Approved projects change only through a request the city decides.
        "request_change": Transition(
            from_={PlanStatus.APPROVED}, to=None, permission=Permission.PROJECTS_EDIT
        ),
        "withdraw": Transition(
            from_={PlanStatus.APPROVED},
            to=PlanStatus.WITHDRAWN,
            permission=Permission.PROJECTS_REVIEW,
        ),
        # Close-out (销号) has no service yet: it waits for confirmed accounting and a
        # complete archive. The entry fixes who will do it and from where.
        "close": Transition(
            from_={PlanStatus.APPROVED},
            to=PlanStatus.CLOSED,
            permission=Permission.PROJECTS_REVIEW,
        ),
    },
)


_REPORT_OPEN = {ReportStatus.PENDING, ReportStatus.ENTERPRISE_FILLED, ReportStatus.RETURNED}

# workflow.md, "Monthly dispatch round": enterprises fill their part until the district
# submits; the district completes and submits; the city approves or returns with a reason.
REPORT_WORKFLOW: Workflow[ReportStatus] = Workflow(
    "report_status",
    {
        "enterprise_fill": Transition(
            from_={ReportStatus.PENDING, ReportStatus.ENTERPRISE_FILLED},
            to=ReportStatus.ENTERPRISE_FILLED,
            permission=Permission.PROGRESS_FILL,
        ),
        # A district (or the city) filling keeps the state: filled is not yet submitted.
        "fill": Transition(from_=_REPORT_OPEN, to=None, permission=Permission.PROGRESS_SUBMIT),
        "submit": Transition(
            from_=_REPORT_OPEN, to=ReportStatus.SUBMITTED, permission=Permission.PROGRESS_SUBMIT
        ),
        "approve": Transition(
            from_={ReportStatus.SUBMITTED},
            to=ReportStatus.APPROVED,
            permission=Permission.PROGRESS_REVIEW,
        ),
        "return": Transition(
            from_={ReportStatus.SUBMITTED},
            to=ReportStatus.RETURNED,
            permission=Permission.PROGRESS_REVIEW,
        ),
    },
)

# Report actions that need the round open. Approval does not: the city may finish reviewing
# what was submitted after closing the round, but nothing is filled, submitted or sent
# back for fixing in a closed round.
NEEDS_OPEN_ROUND = frozenset({"enterprise_fill", "fill", "submit", "return"})


# workflow.md, "Evidence review": districts may pre-review (advisory), the city decides; a
# file awaiting review or rejected may be replaced by a new version (an accepted one stays).
EVIDENCE_WORKFLOW: Workflow[EvidenceStatus] = Workflow(
    "evidence_status",
    {
        "pre_review": Transition(
            from_={EvidenceStatus.UPLOADED}, to=None, permission=Permission.EVIDENCE_PRE_REVIEW
        ),
        "accept": Transition(
            from_={EvidenceStatus.UPLOADED},
            to=EvidenceStatus.ACCEPTED,
            permission=Permission.EVIDENCE_REVIEW,
        ),
        "reject": Transition(
            from_={EvidenceStatus.UPLOADED},
            to=EvidenceStatus.REJECTED,
            permission=Permission.EVIDENCE_REVIEW,
        ),
        "replace": Transition(
            from_={EvidenceStatus.UPLOADED, EvidenceStatus.REJECTED},
            to=None,
            permission=Permission.EVIDENCE_UPLOAD,
        ),
    },
)

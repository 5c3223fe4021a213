"""What other features do when a project enters the plan list.

Features built on the plan list (the monthly dispatch adds an approved project to the open
round) register here instead of being imported by the plan-list services, which keeps
``projects`` below them. The app factory imports every feature, so the registrations are
in place before any request or command runs.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from dispatch.audit import Acting
from models import Project

AfterApprove = Callable[[Session, Acting, Project], None]

_after_approve: dict[str, AfterApprove] = {}


def after_approve(name: str, hook: AfterApprove) -> None:
    """Call ``hook`` in the same transaction whenever a project is approved into the plan
    list (registering the same name again replaces the hook: module reloads are harmless)."""
    _after_approve[name] = hook


def run_after_approve(session: Session, acting: Acting, project: Project) -> None:
    for hook in list(_after_approve.values()):
        hook(session, acting, project)

"""A project's history: one entry per transition, edit, review or progress update, each
also an audit event. Written by the plan-list services and by approved progress."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dispatch import audit
from dispatch.audit import Acting
from models import PlanStatus, Project, ProjectEvent


def record_event(
    session: Session,
    project: Project,
    acting: Acting,
    action: str,
    *,
    from_status: PlanStatus | None = None,
    comment: str = "",
    changes: dict[str, Any] | None = None,
) -> None:
    session.add(
        ProjectEvent(
            project=project,
            occurred_at=acting.at,
            actor_id=acting.actor.id,
            action=action,
            from_status=from_status.value if from_status else None,
            to_status=project.plan_status.value,
            comment=comment,
            changes=changes or {},
        )
    )
    audit.record(
        session,
        acting,
        f"project.{action}",
        object_type="project",
        object_id=project.id,
        details={"code": project.code, **({"comment": comment} if comment else {})},
    )

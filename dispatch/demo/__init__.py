"""The demo city (济南市): organisations, accounts and a plan list, seeded idempotently.

``orgs`` seeds regions, enterprises and accounts; ``projects`` the plan list from the
table in ``project_data``. Both run inside an app context (history and audit use the
app's clock).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from dispatch import clock
from dispatch.demo.orgs import ACCOUNTS, DEMO_PASSWORD, demo_uscc, seed_demo_orgs
from dispatch.demo.projects import seed_demo_projects

__all__ = ["ACCOUNTS", "DEMO_PASSWORD", "demo_uscc", "seed_demo"]


def seed_demo(session: Session) -> dict[str, int]:
    """Create whatever part of the demo city is missing; returns counts of what was created."""
    created = seed_demo_orgs(session)
    created["projects"] = seed_demo_projects(session, today=clock.today(), now=clock.now())
    return created

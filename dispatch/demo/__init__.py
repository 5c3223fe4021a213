"""The demo city (济南市): organisations, accounts and a plan list, seeded idempotently.

``orgs`` seeds regions, enterprises and accounts; ``projects`` the plan list from the
table in ``project_data``. :func:`seed_demo` is an entry point like a command: it reads
the app's clock once (so it runs inside an app context) and passes the time down.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from dispatch.clock import CHINA_TZ, now
from dispatch.demo.orgs import ACCOUNTS, DEMO_PASSWORD, demo_uscc, seed_demo_orgs
from dispatch.demo.projects import seed_demo_projects

__all__ = ["ACCOUNTS", "DEMO_PASSWORD", "demo_uscc", "seed_demo"]


def seed_demo(session: Session) -> dict[str, int]:
    """Create whatever part of the demo city is missing; returns counts of what was created."""
    at = now()
    created = seed_demo_orgs(session, now=at)
    created["projects"] = seed_demo_projects(session, today=at.astimezone(CHINA_TZ).date(), now=at)
    return created

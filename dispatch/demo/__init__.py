"""The demo city (济南市): organisations, accounts, a plan list and its monthly dispatch.

``orgs`` seeds regions, enterprises and accounts; ``history`` the plan list (the table in
``project_data``) and the rounds, dated on the calendar of ``timeline``: whatever day it
runs, the demo shows the current year. :func:`seed_demo` is an entry point like a
command: it reads the app's clock and storage once (so it runs inside an app context) and
passes them down.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from dispatch.clock import now
from dispatch.demo.history import seed_demo_history
from dispatch.demo.orgs import ACCOUNTS, DEMO_PASSWORD, demo_uscc, seed_demo_orgs
from dispatch.demo.timeline import calendar_for
from dispatch.storage.current import current_storage

__all__ = ["ACCOUNTS", "DEMO_PASSWORD", "demo_uscc", "seed_demo"]


def seed_demo(session: Session) -> dict[str, int]:
    """Create whatever part of the demo city is missing; returns counts of what was created.

    The organisations and accounts date from the day the demo platform went live; the
    history that follows runs up to the clock's now; its evidence files go to the app's
    storage.
    """
    calendar = calendar_for(now())
    created = seed_demo_orgs(session, now=calendar.go_live)
    created.update(seed_demo_history(session, calendar, current_storage()))
    return created

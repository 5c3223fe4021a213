"""Monthly dispatch (月度调度): rounds, progress reports, review, early warning, export.

Importing the package registers :func:`~dispatch.rounds.services.join_open_round` with the
plan list, so a project approved while a round is open joins it.
"""

from __future__ import annotations

from dispatch.projects import hooks
from dispatch.rounds.services import join_open_round


def _join(session, acting, project):  # type: ignore[no-untyped-def]
    join_open_round(session, acting, project)


hooks.after_approve("rounds.join_open_round", _join)

"""City review of the plan list (being written)."""

from __future__ import annotations

from dispatch.projects.views import bp  # noqa: F401

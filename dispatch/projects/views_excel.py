"""Plan-list workbook export and import (being written)."""

from __future__ import annotations

from dispatch.projects.views import bp  # noqa: F401

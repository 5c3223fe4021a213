"""Admin area entry point: the blueprint with the routes of every admin view module.

Users live in ``views_users``, regions and enterprises in ``views_orgs``, the enterprise
import in ``views_import``; importing them here registers their routes on ``bp``.
"""

from __future__ import annotations

from dispatch.admin import views_import, views_orgs, views_users
from dispatch.admin.blueprint import bp

__all__ = ["bp", "views_import", "views_orgs", "views_users"]

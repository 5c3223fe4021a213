"""The app's storage, for views and commands (services take it as an argument)."""

from __future__ import annotations

from flask import current_app

from dispatch.storage.base import Storage


def current_storage() -> Storage:
    return current_app.extensions["storage"]  # type: ignore[no-any-return]

"""WSGI entry point for gunicorn: ``WEB_CONCURRENCY=4 gunicorn -b 127.0.0.1:8000 wsgi:app``.

gunicorn reads its worker count from ``WEB_CONCURRENCY``, and so do the settings: a count
given only as ``-w 4`` is invisible here, and production then refuses the per-process
limiter store (see the README's deployment section).
"""

from dispatch.app import create_app
from dispatch.config import Settings

app = create_app(Settings.from_env().for_server())

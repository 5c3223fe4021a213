"""Flask extensions, created unbound and initialised in ``create_app``."""

from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
# Keyed on request.remote_addr: the connecting address, or behind DISPATCH_TRUSTED_PROXIES
# the client's, as werkzeug's ProxyFix (installed by create_app) reads it. Its counters
# live where DISPATCH_RATELIMIT_STORAGE_URI says: Redis when several workers serve.
limiter = Limiter(key_func=get_remote_address, default_limits=[])

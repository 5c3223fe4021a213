"""A throwaway Redis server for the test run: Debian's ``redis-server`` on a free loopback port.

The limiter's shared store in production is Redis; the tests run it for real rather than
mocking it. Nothing is persisted (``--save ''``, no append-only file) and the working
directory is a temporary one removed afterwards. ``make test`` installs the package.
"""

from __future__ import annotations

import shutil
import subprocess

import redis

from tests.pg import free_port
from tests.servers import TempServer


def redis_binary() -> str:
    found = shutil.which("redis-server")
    if not found:
        raise RuntimeError(
            "redis-server not found: install the Debian package 'redis-server' "
            "(make test does this)"
        )
    return found


class TempRedis(TempServer):
    """Start with :meth:`start`, connect with :meth:`url`, empty with :meth:`flush`; stop."""

    name = "redis-server"
    log_name = "redis.log"

    def __init__(self) -> None:
        super().__init__("dispatch-redis-")
        self.port = free_port()

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)

    def start(self, timeout: float = 20.0) -> TempRedis:
        args = [
            redis_binary(), "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", str(self.root),
            "--logfile", str(self.root / self.log_name),
        ]  # fmt: skip
        self.process = subprocess.Popen(args, cwd=self.root)

        def ping() -> None:
            with self.client() as conn:
                conn.ping()

        self.wait_until(ping, (redis.ConnectionError,), timeout=timeout, where=f"port {self.port}")
        return self

    def flush(self) -> None:
        with self.client() as conn:
            conn.flushall()

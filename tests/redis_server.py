"""A throwaway Redis server for the test run: Debian's ``redis-server`` on a free loopback port.

The limiter's shared store in production is Redis; the tests run it for real rather than
mocking it. Nothing is persisted (``--save ''``, no append-only file) and the working
directory is a temporary one removed afterwards. ``make test`` installs the package.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import redis

from tests.pg import free_port


def redis_binary() -> str:
    found = shutil.which("redis-server")
    if not found:
        raise RuntimeError(
            "redis-server not found: install the Debian package 'redis-server' "
            "(make test does this)"
        )
    return found


class TempRedis:
    """Start with :meth:`start`, connect with :meth:`url`, empty with :meth:`flush`; stop."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="dispatch-redis-"))
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)

    def start(self, timeout: float = 20.0) -> TempRedis:
        args = [
            redis_binary(), "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", str(self.root),
            "--logfile", str(self.root / "redis.log"),
        ]  # fmt: skip
        self.process = subprocess.Popen(args, cwd=self.root)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited:\n{self.log()}")
            try:
                with self.client() as conn:
                    conn.ping()
                return self
            except redis.ConnectionError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"redis-server did not answer on port {self.port}:\n{self.log()}")

    def flush(self) -> None:
        with self.client() as conn:
            conn.flushall()

    def log(self) -> str:
        path = self.root / "redis.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)

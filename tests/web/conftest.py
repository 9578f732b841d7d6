"""Fixtures for `camtui web`: the real server in its own process on a free port, the real sandbox, and Debian's
chromium driven by playwright (never a browser playwright downloads)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from camtui.sandbox.runner import RunningSandbox

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class WebServer:
    proc: subprocess.Popen[str]
    url: str
    """The URL as printed (with `?key=` when a secret is required)."""
    base: str
    """`http://host:port`."""
    token: str
    output: list[str]

    def session_pids(self) -> list[int]:
        """The app processes (one per tab): camtui's `web-session` processes below this server."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                cmd = (entry / "cmdline").read_bytes().split(b"\0")
                if b"web-session" not in cmd:
                    continue
                if _descends_from(int(entry.name), self.proc.pid):
                    pids.append(int(entry.name))
            except OSError:
                continue
        return sorted(pids)

    def wait_sessions(self, count: int, timeout: float = 15.0) -> list[int]:
        deadline = time.monotonic() + timeout
        while True:
            pids = self.session_pids()
            if len(pids) == count or time.monotonic() > deadline:
                return pids
            time.sleep(0.1)


def _descends_from(pid: int, ancestor: int) -> bool:
    for _ in range(10):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == ancestor:
            return True
        if ppid <= 1:
            return False
        pid = ppid
    return False


@pytest.fixture
def web_factory(sandbox: RunningSandbox, tmp_path: Path) -> Iterator[Callable[..., WebServer]]:
    started: list[WebServer] = []

    def start(*extra: str, token: str | None = None) -> WebServer:
        token = token or sandbox.admin_token
        env = {
            **os.environ,
            "HOME": str(tmp_path / "home"),
            "XDG_DATA_HOME": str(tmp_path / "data"),
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "CAMTUI_SERVER_URL": sandbox.url,
            "CAMTUI_API_TOKEN": token,
        }
        proc = subprocess.Popen(
            [sys.executable, "-m", "camtui", "web", "--port", "0", *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            start_new_session=True,
        )
        output: list[str] = []
        assert proc.stdout is not None
        url = ""
        for line in proc.stdout:
            output.append(line)
            if "open http" in line:
                url = line.split("open ", 1)[1].strip()
            if "sessions, each a process" in line:
                break
        assert url, "".join(output)
        base = url.split("/?", 1)[0].rstrip("/")
        server = WebServer(proc, url, base, token, output)
        started.append(server)
        return server

    yield start
    for server in started:
        if server.proc.poll() is None:
            os.killpg(server.proc.pid, signal.SIGTERM)
            try:
                server.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.proc.pid, signal.SIGKILL)
                server.proc.wait(timeout=5)
        if server.proc.stdout is not None:
            server.output.append(server.proc.stdout.read())
            server.proc.stdout.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs it with apt)")
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()

"""The sandbox as a child process (`camtui serve` on a free loopback port), for `camtui demo` and its web form.

Started first thing, it imports and generates its demo data on the other core while the parent imports the UI.
The URL and the admin token are read from the lines the server prints when it is ready."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import Any


class DemoServer:
    """`camtui serve` in a child process: the URL and admin token are read from what it prints at start."""

    READY_LINE = "Ctrl+C stops the server."

    def __init__(self, proc: Any, log_path: Path) -> None:
        self.proc = proc
        self.log_path = log_path
        self.url = ""
        self.admin_token = ""
        self._http: Any = None

    @classmethod
    def spawn(cls, args: argparse.Namespace, workdir: Path, db_path: Path | None = None) -> DemoServer:
        """Start `camtui serve` on a free loopback port with the demo options in `args` (seed, rooms, users,
        faults); its data in `db_path` (default sandbox.db in `workdir`), its log in `workdir`."""
        import subprocess

        cmd = [
            sys.executable,
            "-m",
            "camtui",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--db",
            str(db_path or workdir / "sandbox.db"),
            "--seed",
            str(args.seed),
            "--rooms",
            str(args.rooms),
            "--users",
            str(args.users),
        ]
        if args.faults:
            cmd += ["--faults", args.faults]
        log_path = workdir / "sandbox.log"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                encoding="utf-8",
                start_new_session=True,  # terminal signals go to the app, which stops the server itself
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        return cls(proc, log_path)

    def wait_ready(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            line = line.strip()
            if line.startswith("camtui sandbox: "):
                self.url = line.split(": ", 1)[1].strip()
            elif line.startswith("admin token: "):
                self.admin_token = line.split(": ", 1)[1].strip()
            elif line == self.READY_LINE:
                break
        if not (self.url and self.admin_token):
            self.proc.wait(timeout=10)
            tail = self.log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
            raise RuntimeError(f"camtui serve exited with {self.proc.returncode}: {' / '.join(tail)}")

    def calls(self) -> list[dict[str, Any]]:
        """The sandbox's live calls (GET /_sandbox/calls). Plain urllib: no TLS context or proxies to set up."""
        import json
        import urllib.request

        request = urllib.request.Request(
            f"{self.url}/_sandbox/calls", headers={"x-cam-apiToken": self.admin_token}
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never via a proxy
        with opener.open(request, timeout=10) as response:
            return list(json.loads(response.read().decode("utf-8")).get("calls", []))

    def stop(self) -> None:
        import signal
        import subprocess

        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM if camtui dies without stopping the server (Linux)."""
    import ctypes
    import signal

    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG

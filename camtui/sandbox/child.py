"""The sandbox as a child process (`camtui serve` on a free loopback port), for `camtui demo` and its web form.

Started first thing, it imports and generates its demo data on the other core while the parent imports the UI.
The parent binds the port and makes the tokens, so the URL and the admin token are known at once: a client may
connect straight away (the kernel queues the connection until the child serves it), and `wait_ready` only tells
whether the child got that far (or why it did not)."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import Any

ADMIN_TOKEN_ENV = "CAMTUI_SANDBOX_ADMIN_TOKEN"
USER_TOKEN_ENV = "CAMTUI_SANDBOX_USER_TOKEN"
"""`camtui serve` takes its tokens from these when not given as options: the command line is readable by other
local users (`ps`), the environment is not."""


class DemoServer:
    """`camtui serve` in a child process on a socket and with tokens this process made (`spawn`): its URL and
    admin token are known before it serves; `wait_ready` reads its output until it says it does."""

    READY_LINE = "Ctrl+C stops the server."

    def __init__(self, proc: Any, log_path: Path, url: str = "", admin_token: str = "") -> None:
        self.proc = proc
        self.log_path = log_path
        self.url = url
        self.admin_token = admin_token

    @classmethod
    def spawn(cls, args: argparse.Namespace, workdir: Path, db_path: Path | None = None) -> DemoServer:
        """Start `camtui serve` on a free loopback port with the demo options in `args` (seed, rooms, users,
        faults); its data in `db_path` (default sandbox.db in `workdir`), its log in `workdir`.

        The listening socket is made here and handed over (`--listen-fd`); this process closes its copy, so
        once the child is gone a connection is refused rather than left waiting."""
        import os
        import secrets
        import socket
        import subprocess

        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            listener.bind(("127.0.0.1", 0))
            listener.listen(128)
            port = listener.getsockname()[1]
        except OSError:
            listener.close()
            raise
        admin_token = secrets.token_urlsafe(24)
        env = {**os.environ, ADMIN_TOKEN_ENV: admin_token, USER_TOKEN_ENV: secrets.token_urlsafe(24)}
        cmd = [
            sys.executable,
            "-m",
            "camtui",
            "serve",
            "--listen-fd",
            str(listener.fileno()),
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
        try:
            with open(log_path, "wb") as log:
                proc = subprocess.Popen(
                    cmd,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    text=True,
                    encoding="utf-8",
                    env=env,
                    pass_fds=(listener.fileno(),),
                    start_new_session=True,  # terminal signals go to the app, which stops the server itself
                    preexec_fn=_die_with_parent if sys.platform == "linux" else None,
                )
        finally:
            listener.close()
        return cls(proc, log_path, url=f"http://127.0.0.1:{port}", admin_token=admin_token)

    def wait_ready(self) -> None:
        """Until the child says it serves; RuntimeError (with the end of its log) if it exits first."""
        assert self.proc.stdout is not None
        ready = False
        for line in self.proc.stdout:
            if line.strip() == self.READY_LINE:
                ready = True
                break
        if not ready:
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

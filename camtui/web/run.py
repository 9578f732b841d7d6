"""Start the web server in the foreground: bind, say where to go, serve until ^C or SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import shlex
import signal
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from camtui.web.auth import Gate, SecretError, default_secret_path, is_loopback, load_or_make_secret
from camtui.web.server import WebOptions, WebServer

SESSION_VERB = "web-session"
ENV_READ_ONLY = "CAMTUI_WEB_READ_ONLY"
ENV_KIOSK = "CAMTUI_WEB_KIOSK"
ENV_STORE = "CAMTUI_WEB_STORE"


@dataclass
class WebPlan:
    host: str = "127.0.0.1"
    port: int = 8080
    read_only: bool = False
    kiosk: bool = False
    secret_file: Path | None = None
    max_sessions: int = 8
    idle_timeout: float = 1800.0
    config_path: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    title: str = "camtui"


def session_command(config_path: str | None) -> str:
    """The shell command textual-serve runs for each tab: this interpreter, camtui's hidden session verb."""
    argv = [sys.executable, "-m", "camtui"]
    if config_path:
        argv += ["--config", config_path]
    return shlex.join([*argv, SESSION_VERB])


def bind(host: str, port: int) -> socket.socket:
    """Bind before anything else starts, so a port in use is one line of ours, not a server traceback."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError:
        sock.close()
        raise
    sock.listen(128)
    sock.setblocking(False)
    return sock


def gate_for(plan: WebPlan, out: TextIO) -> Gate:
    """Off loopback a secret is required; on loopback only when a secret file is named."""
    if is_loopback(plan.host) and plan.secret_file is None:
        return Gate(None)
    path = plan.secret_file or default_secret_path()
    secret, made = load_or_make_secret(path)
    if made:
        print(f"  made a new secret in {path} (0600)", file=out)
    return Gate(secret)


def serve(
    plan: WebPlan,
    *,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
    on_ready: Callable[[str], None] | None = None,
) -> int:
    try:
        sock = bind(plan.host, plan.port)
    except OSError as exc:
        reason = "the port is in use" if exc.errno in (98, 48) else (exc.strerror or str(exc))
        print(f"camtui web: cannot listen on {plan.host}:{plan.port}: {reason}", file=err)
        return 1
    try:
        gate = gate_for(plan, out)
    except SecretError as exc:
        sock.close()
        print(f"camtui web: {exc}", file=err)
        return 2
    port = sock.getsockname()[1]
    shown_host = f"[{plan.host}]" if ":" in plan.host else plan.host
    url = f"http://{shown_host}:{port}/"
    env = dict(plan.extra_env)
    if plan.read_only:
        env[ENV_READ_ONLY] = "1"
    if plan.kiosk:
        env[ENV_KIOSK] = "1"
    options = WebOptions(
        command=session_command(plan.config_path),
        extra_env=env,
        title=plan.title,
        max_sessions=plan.max_sessions,
        idle_timeout=plan.idle_timeout,
        kiosk=plan.kiosk,
    )
    server = WebServer(options, gate)
    mode = "read-only" if plan.read_only else "read-write"
    print(
        f"camtui web ({mode}{', kiosk' if plan.kiosk else ''}): open {url}"
        f"{'?key=' + (gate.secret or '') if gate.required else ''}",
        file=out,
    )
    if not is_loopback(plan.host):
        print(
            f"  warning: {plan.host} is reachable from other machines over plain http: put TLS "
            "(a reverse proxy) in front of it",
            file=err,
        )
    print(
        f"  at most {plan.max_sessions} sessions, each a process; ^C stops the server.", file=out, flush=True
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(server, sock, url, on_ready))
    return 0


async def _serve(
    server: WebServer, sock: socket.socket, url: str, on_ready: Callable[[str], None] | None
) -> None:
    from aiohttp import web

    runner = web.AppRunner(server.make_app(), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.SockSite(runner, sock, shutdown_timeout=2.0)
    await site.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    if on_ready is not None:
        on_ready(url)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()

"""Starting and stopping a sandbox: uvicorn in a background thread (tests) or in a child process (demo,
benchmarks), and `RunningSandbox`, the handle both return.

camtui binds the listening socket itself before anything else (port 0 = any free port) and hands it to uvicorn:
a port in use is one clear SandboxError at once, instead of uvicorn's own bind error on the log, and there is no
window in which another process could take a pre-picked port.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import functools
import inspect
import logging
import multiprocessing
import pickle
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, ParamSpec

from camtui.common.clock import system_clock
from camtui.sandbox import db, demo
from camtui.sandbox.app import build_app
from camtui.sandbox.faults import FaultPlan
from camtui.sandbox.guards import RateLimiter
from camtui.sandbox.state import SandboxState

START_TIMEOUT_S = 30.0
log = logging.getLogger("camtui.sandbox")


class SandboxError(RuntimeError):
    """The sandbox could not start, or a `/_sandbox/` call failed."""


@dataclass(frozen=True, slots=True)
class FixedClock:
    """A picklable fixed clock (a lambda cannot cross into a child process)."""

    instant: datetime

    def __call__(self) -> datetime:
        return self.instant


class RunningSandbox:
    """A started sandbox. A context manager: leaving the `with` block stops it. Tokens never appear in repr."""

    def __init__(self, url: str, admin_token: str, user_token: str, stopper: Callable[[], None]) -> None:
        self.url = url
        self.admin_token = admin_token
        self.user_token = user_token
        self._stopper: Callable[[], None] | None = stopper
        self._client: Any = None
        """An `httpx.Client` for tests' helper calls, made on first use (the server itself never needs httpx)."""
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RunningSandbox(url={self.url!r})"

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop the server (idempotent)."""
        with self._lock:
            stopper, self._stopper = self._stopper, None
            client, self._client = self._client, None
        if client is not None:
            client.close()
        if stopper is not None:
            stopper()

    @property
    def stopped(self) -> bool:
        return self._stopper is None

    def _admin(self, method: str, path: str, payload: Any = None) -> dict[str, Any]:
        with self._lock:
            if self._client is None:
                import httpx

                self._client = httpx.Client(base_url=self.url, timeout=30.0, trust_env=False)
            client = self._client
        response = client.request(
            method, f"/_sandbox/{path}", json=payload, headers={"x-cam-apiToken": self.admin_token}
        )
        try:
            data = response.json()
        except ValueError:
            raise SandboxError(f"/_sandbox/{path}: HTTP {response.status_code}, not JSON") from None
        if response.status_code != 200 or data.get("status") != 200:
            raise SandboxError(f"/_sandbox/{path}: {data.get('errors') or response.status_code}")
        return data

    def set_faults(self, plan: dict[str, Any]) -> None:
        self._admin("POST", "faults", plan)

    def clear_faults(self) -> None:
        self._admin("POST", "faults", {})

    def delivered_messages(self) -> list[dict[str, Any]]:
        return self._admin("GET", "messages")["messages"]

    def stats(self) -> dict[str, Any]:
        data = self._admin("GET", "stats")
        data.pop("status", None)
        return data

    def calls(self) -> list[dict[str, Any]]:
        return self._admin("GET", "calls")["calls"]

    def chat_rooms(self) -> list[dict[str, Any]]:
        return self._admin("GET", "chatrooms")["chatRooms"]

    def set_call(self, sid: str, participants: int) -> dict[str, Any]:
        """Hold a call at `participants` (POST /_sandbox/call): the simulation leaves it alone afterwards."""
        return self._admin("POST", "call", {"sid": sid, "participants": participants})["call"]

    def advance_simulation(self, steps: int = 1) -> None:
        self._admin("POST", "simulate", {"steps": steps})

    def unlock(self) -> None:
        """Forget lock-outs (490) and rate-limit buckets."""
        self._admin("POST", "unlock", {})


def _url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else "[::1]" if host == "::" else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def bind_listener(host: str, port: int) -> socket.socket:
    """A bound TCP socket for the server (not yet listening: uvicorn calls listen with its backlog).

    Binding here, not in uvicorn, turns "port in use" and "no such address" into one SandboxError that says
    what to do, instead of uvicorn logging its own "[Errno 98] error while attempting to bind" first.
    """
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise SandboxError(f"cannot listen on {host!r}: {exc.strerror}") from None
    family, kind, proto, _name, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        if hasattr(socket, "SO_REUSEADDR") and not hasattr(socket, "SO_EXCLUSIVEADDRUSE"):
            # POSIX: a restarted server may reuse a port in TIME_WAIT; a live listener still refuses the bind.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise SandboxError(
                f"port {port} on {host} is already in use; choose another with --port (0 = any free port)"
            ) from None
        raise SandboxError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def build_state(
    *,
    db_path: Path | str | None,
    seed: int,
    rooms: int,
    users: int,
    simulation: bool,
    admin_token: str | None,
    user_token: str | None,
    faults: dict[str, Any] | None,
    rate_limit: float | None,
    now: Callable[[], datetime] | None,
    simulation_interval: float = 2.0,
) -> SandboxState:
    """Open (and fill if needed) the database and assemble the server's state; no network yet."""
    if rooms < 0 or users < 0:
        raise ValueError("rooms and users must not be negative")
    if not simulation_interval > 0:
        raise ValueError("the simulation interval must be positive")
    clock = now or system_clock
    if db_path is not None and str(db_path) != ":memory:":
        demo.place_cached_world(Path(db_path), seed=seed, rooms=rooms, users=users)
    conn = db.connect(db_path)
    demo.ensure(conn, seed=seed, rooms=rooms, users=users, now=clock())
    return SandboxState(
        conn=conn,
        clock=clock,
        admin_token=admin_token or secrets.token_urlsafe(24),
        user_token=user_token or secrets.token_urlsafe(24),
        seed=seed,
        rate_limiter=RateLimiter(rate_limit) if rate_limit else None,
        faults=FaultPlan.from_mapping(faults or {}),
        simulation=simulation,
        simulation_interval=simulation_interval,
    )


def start_sandbox(
    *,
    db_path: Path | str | None = None,
    seed: int = 1,
    rooms: int = 24,
    users: int = 2000,
    simulation: bool = True,
    admin_token: str | None = None,
    user_token: str | None = None,
    faults: dict[str, Any] | None = None,
    rate_limit: float | None = None,
    now: Callable[[], datetime] | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    simulation_interval: float = 2.0,
    listener: socket.socket | None = None,
) -> RunningSandbox:
    """Start a sandbox with uvicorn in a background thread; returns once it accepts connections.

    Raises SandboxError (a port in use included) before any demo data is built when the port cannot be bound.
    `listener`: a socket bound (and maybe already listening) by the caller, used instead of `host`/`port`.
    """
    import uvicorn

    if listener is None:
        listener = bind_listener(host, port)
    else:
        host = listener.getsockname()[0]
    try:
        state = build_state(
            db_path=db_path,
            seed=seed,
            rooms=rooms,
            users=users,
            simulation=simulation,
            admin_token=admin_token,
            user_token=user_token,
            faults=faults,
            rate_limit=rate_limit,
            now=now,
            simulation_interval=simulation_interval,
        )
    except BaseException:
        listener.close()
        raise
    config = uvicorn.Config(
        build_app(state),
        host=host,
        port=port,
        log_config=None,
        log_level="warning",
        access_log=False,
        lifespan="on",
        ws="none",
        timeout_graceful_shutdown=2,
        server_header=False,
    )
    server = _quick_stop_server_class()(config)

    def serve() -> None:
        # uvicorn raises SystemExit when its start-up fails; reported below as SandboxError
        with contextlib.suppress(SystemExit):
            server.run(sockets=[listener])

    thread = threading.Thread(target=serve, name=f"camtui-sandbox-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            thread.join(timeout=5)
            listener.close()
            state.conn.close()
            raise SandboxError(f"the sandbox could not start on {host}:{port}")
        time.sleep(0.002)
    bound = listener.getsockname()[1]
    state.public_url = _url(host, bound)
    server.call_soon(_warm_today, state)

    def stopper() -> None:
        server.request_exit()
        thread.join(timeout=5)
        if thread.is_alive():  # a connection that will not close: stop waiting for it
            server.force_exit = True
            thread.join(timeout=5)
        listener.close()  # normally closed by uvicorn's shutdown already; closing twice is harmless
        state.conn.close()

    return RunningSandbox(state.public_url, state.admin_token, state.user_token, stopper)


def _warm_today(state: SandboxState) -> None:
    """On the server's loop, once it serves: today's rooms answer, made before a dashboard asks for it."""
    from camtui.sandbox.methods.schedule import warm_today

    try:
        warm_today(state)
    except Exception:  # only an optimisation: the first request makes the answer itself
        log.exception("could not prepare today's rooms answer")


def _quick_stop_server_class() -> type:
    """uvicorn's Server, but stopping in milliseconds rather than ~0.25 s (tests start and stop hundreds of
    sandboxes): the main loop wakes on an event instead of polling every 0.1 s, and shutdown waits only as long
    as connections and requests are actually still open."""
    import uvicorn

    class QuickStopServer(uvicorn.Server):
        _loop: asyncio.AbstractEventLoop | None = None
        _wake: asyncio.Event | None = None

        async def startup(self, sockets: list[Any] | None = None) -> None:
            self._loop = asyncio.get_running_loop()  # before `started` is set: call_soon works from then on
            await super().startup(sockets=sockets)

        async def main_loop(self) -> None:
            self._wake = asyncio.Event()
            counter = 0
            while not await self.on_tick(counter):
                counter = (counter + 1) % 864_000
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), 0.1)

        def call_soon(self, callback: Callable[..., object], *args: Any) -> None:
            """Thread-safe: run `callback(*args)` on the server's loop (from its start-up on; else nothing)."""
            loop = self._loop
            if loop is not None:
                with contextlib.suppress(RuntimeError):  # the loop already closed
                    loop.call_soon_threadsafe(callback, *args)

        def request_exit(self) -> None:
            """Thread-safe: ask the server to stop now."""
            self.should_exit = True
            loop, wake = self._loop, self._wake
            if loop is not None and wake is not None:
                with contextlib.suppress(RuntimeError):  # the loop already closed
                    loop.call_soon_threadsafe(wake.set)

        async def shutdown(self, sockets: list[Any] | None = None) -> None:
            for listener in self.servers:
                listener.close()
            state = self.server_state
            for connection in list(state.connections):
                connection.shutdown()
            loop = asyncio.get_running_loop()
            deadline = loop.time() + (self.config.timeout_graceful_shutdown or 5)
            while (state.connections or state.tasks) and not self.force_exit and loop.time() < deadline:
                await asyncio.sleep(0.002)
            for task in list(state.tasks):
                task.cancel()
            if not self.force_exit:
                await self.lifespan.shutdown()

    return QuickStopServer


_P = ParamSpec("_P")


def _same_keywords_as(
    template: Callable[_P, RunningSandbox],
) -> Callable[[Callable[..., RunningSandbox]], Callable[_P, RunningSandbox]]:
    """Give a starter exactly `template`'s keywords and defaults, so the options are listed once (on
    `start_sandbox`); a misspelt or missing keyword is still a TypeError at the call, in this process."""
    signature = inspect.signature(template)

    def decorate(func: Callable[..., RunningSandbox]) -> Callable[_P, RunningSandbox]:
        @functools.wraps(func)
        def starter(*args: _P.args, **kwargs: _P.kwargs) -> RunningSandbox:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            return func(**bound.arguments)

        starter.__signature__ = signature  # type: ignore[attr-defined]
        return starter

    return decorate


def _child_main(kwargs: dict[str, Any], pipe: Any) -> None:
    """Child process body: start the sandbox, report its URL, serve until told to stop (or the parent dies)."""
    try:
        sandbox = start_sandbox(**kwargs)
    except BaseException as exc:
        pipe.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    pipe.send(("ok", sandbox.url))
    try:
        pipe.recv()
    except (EOFError, OSError, KeyboardInterrupt):
        pass
    finally:
        sandbox.stop()


@_same_keywords_as(start_sandbox)
def start_sandbox_process(**options: Any) -> RunningSandbox:
    """Start a sandbox in a child process (its own interpreter and GIL). A `now` that cannot be pickled is
    evaluated once and the child's clock is fixed at that instant."""
    now = options["now"]
    if now is not None:
        try:
            pickle.dumps(now)
        except Exception:
            options["now"] = FixedClock(now())
    admin_token = options["admin_token"] = options["admin_token"] or secrets.token_urlsafe(24)
    user_token = options["user_token"] = options["user_token"] or secrets.token_urlsafe(24)
    ctx = multiprocessing.get_context("spawn")
    parent_end, child_end = ctx.Pipe()
    process = ctx.Process(target=_child_main, args=(options, child_end), name="camtui-sandbox", daemon=True)
    process.start()
    child_end.close()
    if not parent_end.poll(START_TIMEOUT_S * 2):
        process.terminate()
        raise SandboxError("the sandbox process did not start in time")
    try:
        kind, value = parent_end.recv()
    except EOFError:
        process.join(timeout=5)
        raise SandboxError(f"the sandbox process exited (code {process.exitcode})") from None
    if kind != "ok":
        process.join(timeout=5)
        raise SandboxError(f"the sandbox process failed: {value}")

    def stopper() -> None:
        with contextlib.suppress(OSError, BrokenPipeError):
            parent_end.send("stop")
        process.join(timeout=10)
        if process.is_alive():
            process.terminate()
            process.join(timeout=5)
        parent_end.close()

    return RunningSandbox(value, admin_token, user_token, stopper)

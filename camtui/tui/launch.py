"""Starting the dashboard: `camtui` (the configured server) and `camtui demo` (a local sandbox, no account).

Registering is cheap: Textual, httpx and the sandbox are imported only when a command runs, and in `demo` the
sandbox starts while the UI modules import, so the first rooms data is painted as soon as possible.
Set CAMTUI_STARTUP_PROBE=FILE to make the app write its timings (JSON) there and quit once the first rooms data is
painted (used by benchmarks/startup.py).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from camtui.common.clock import Clock
    from camtui.config.settings import Settings

PROBE_ENV = "CAMTUI_STARTUP_PROBE"
PROBE_STAY_ENV = "CAMTUI_STARTUP_PROBE_STAY"
"""With the probe: write the timings but keep running (benchmarks/startup.py then reads RSS and idle CPU)."""
_T0 = time.time()
_NOTICES: list[str] = []
"""Things to tell the user once the app is up (stderr would be hidden behind the full-screen UI)."""
_MARKS: dict[str, float] = {}
"""Startup milestones (wall clock), written to the probe file."""


def _mark(name: str) -> None:
    _MARKS[name] = time.time()


def _skip_httpx_cli() -> None:
    """httpx imports its command-line client (click, pygments, rich.syntax…) unless that import fails; the
    dashboard never uses it, and skipping it saves ~45 ms of CPU before the first paint. httpx handles the
    ImportError itself (its `httpx.main` then only prints a hint). Only done in the dashboard's process."""
    if "httpx" not in sys.modules:
        sys.modules.setdefault("httpx._main", None)  # type: ignore[assignment]


NOT_CONFIGURED = """\
camtui is not configured yet{where}.

  camtui init     ask for your server URL and API token, check them, and save them
  camtui demo     try the dashboard on a local sandbox server (no account needed)

Or set CAMTUI_SERVER_URL and CAMTUI_API_TOKEN, or pass --config PATH.
"""


def register(subparsers: Any) -> None:
    demo = subparsers.add_parser(
        "demo",
        help="the dashboard on a local sandbox server (no account needed)",
        description="Start the sandbox on a free loopback port (state in a temporary folder, simulation on) "
        "and open the dashboard on it with the admin token. Quitting stops the server.",
    )
    demo.add_argument(
        "--config", metavar="PATH", default=argparse.SUPPRESS, help="config file (display prefs)"
    )
    demo.add_argument("--rooms", type=_positive, default=24, metavar="N", help="meeting rooms (default 24)")
    demo.add_argument("--users", type=_positive, default=2000, metavar="N", help="users (default 2000)")
    demo.add_argument(
        "--faults",
        metavar="SPEC",
        help="inject faults, e.g. error_503=0.1,latency_ms=200 (same keys as `camtui serve --faults`)",
    )
    demo.add_argument("--seed", type=int, default=1, help="demo data seed (default 1)")
    demo.add_argument(
        "--store",
        metavar="PATH",
        help="store file (default: a temporary one, removed on quit, like the sandbox)",
    )
    demo.add_argument(
        "--in-process",
        action="store_true",
        help="run the sandbox in a thread of this process instead of a child process",
    )
    demo.set_defaults(func=run_demo)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


# ----- camtui (no subcommand) ----------------------------------------------------------------------------------


def open_dashboard(
    args: argparse.Namespace,
    *,
    read_only: bool = False,
    kiosk: bool = False,
    store_path: str | None = None,
) -> int:
    """Open the dashboard on the configured server; explain what to do when there is no configuration."""
    _skip_httpx_cli()
    from camtui.config.settings import ConfigError, load_settings, resolve_config_path

    config_path = getattr(args, "config", None)
    try:
        settings = load_settings(config_path)
    except ConfigError as exc:
        print(f"camtui: config error: {exc}", file=sys.stderr)
        return 2
    if not settings.is_configured:
        path, _explicit = resolve_config_path(config_path)
        missing = []
        if not settings.server_url:
            missing.append("server URL")
        if not settings.api_token:
            missing.append("API token")
        where = f" (no {' and no '.join(missing)}; looked in {path})"
        print(NOT_CONFIGURED.format(where=where), file=sys.stderr)
        return 2
    return run_app(settings, read_only=read_only or kiosk, store_path=store_path)


def run_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    server_label: str | None = None,
    store_path: str | Path | None = None,
    before_run: Callable[[Any], object] | None = None,
    read_only: bool = False,
) -> int:
    """Build client + store + app and run it until the user quits. Returns the exit code.

    `before_run(app)` is called with the built app just before it runs (the demo attaches its call follower)."""
    from camtui.api import CAMClient
    from camtui.common.clock import system_clock
    from camtui.store import Store
    from camtui.tui.app import CamApp

    probe = os.environ.get(PROBE_ENV)
    marks: dict[str, float] = {"process_start": _process_start(), "launch_import": _T0, **_MARKS}
    url = settings.server_url or ""
    plain_http = url.lower().startswith("http://")
    try:
        client = CAMClient(
            url,
            settings.api_token or "",
            timeout=settings.timeout_seconds,
            read_budget=settings.read_budget_seconds,
            # Plain http has no TLS to verify (and redirects are not followed): skipping the certificate
            # store saves 20-40 ms before the first paint.
            ca_bundle=None if plain_http else settings.ca_bundle,
            verify=False if plain_http else settings.verify_tls,
        )
    except (ValueError, OSError) as exc:  # a token with stray characters, an unreadable CA bundle…
        print(f"camtui: {exc}", file=sys.stderr)
        return 2
    if read_only:
        from camtui.api.read_only import ReadOnlyClient

        client = ReadOnlyClient(client)  # type: ignore[assignment]
    try:
        store = Store.open(store_path if store_path is not None else settings.store_path)
    except Exception as exc:  # sqlite3.Error, OSError: say which file, start nothing
        where = store_path or settings.store_path or "the default store"
        print(f"camtui: cannot open the store ({where}): {exc}", file=sys.stderr)
        return 1
    app: CamApp

    def painted(when: float) -> None:
        marks.update(app.startup_marks)
        marks["first_rooms_painted"] = when
        if probe:
            _write_probe(probe, marks)
            if os.environ.get(PROBE_STAY_ENV) == "1":
                return  # the benchmark measures memory and idle CPU of the running app, then stops it

            def exit_when_settled() -> None:  # not while the other panes are still mounting
                if "lower_panes_mounted" in app.startup_marks or not app.defer_lower_panes:
                    app.exit()

            app.set_interval(0.05, exit_when_settled)

    app = CamApp(
        client,
        store,
        settings,
        clock=clock or system_clock,
        server_label=server_label,
        close_on_exit=True,
        on_first_rooms_paint=painted,
        defer_lower_panes=True,
        read_only=read_only,
    )
    for notice in _NOTICES:
        app.call_later(app.notify, notice, severity="warning", timeout=15, markup=False)
    if before_run is not None:
        before_run(app)
    marks["app_built"] = time.time()
    app.run()
    return int(app.return_code or 0)


# ----- camtui demo ---------------------------------------------------------------------------------------------


def run_demo(args: argparse.Namespace) -> int:
    """Sandbox on loopback + dashboard on it; the sandbox (and its temporary state) goes away on quit.

    The sandbox is `camtui serve` in a child process, started first thing: it imports and generates its demo
    data on the other core while this process imports the UI (the runner's module would cost this process
    ~0.25 s of imports it does not need). `--in-process` uses `camtui.sandbox.runner.start_sandbox` instead.
    """
    import tempfile
    import threading

    _skip_httpx_cli()
    if args.faults:
        from camtui.sandbox.faults import parse_spec

        try:
            parse_spec(args.faults)  # fail before starting anything
        except ValueError as exc:
            print(f"camtui demo: --faults: {exc}", file=sys.stderr)
            return 2

    tmp = tempfile.TemporaryDirectory(prefix="camtui-demo-")
    started: dict[str, Any] = {}

    if args.in_process:
        # Imported before the thread starts: importing camtui.api from two threads at once can see a
        # partially initialised module.
        from camtui.sandbox import runner

        def start() -> None:
            try:
                from camtui.sandbox.faults import parse_spec

                started["sandbox"] = runner.start_sandbox(
                    db_path=Path(tmp.name) / "sandbox.db",
                    seed=args.seed,
                    rooms=args.rooms,
                    users=args.users,
                    simulation=True,
                    faults=parse_spec(args.faults) if args.faults else None,
                )
            except BaseException as exc:  # reported on the main thread
                started["error"] = exc

    else:
        server = DemoServer.spawn(args, Path(tmp.name))

        def start() -> None:
            try:
                server.wait_ready()
                started["sandbox"] = server
            except BaseException as exc:
                started["error"] = exc
                return
            try:
                started["calls"] = server.calls()  # here, off the critical path
            except Exception:  # not fatal: the demo then watches no calls
                started["calls"] = []

    _mark("sandbox_spawned")
    thread = threading.Thread(target=start, name="camtui-demo-sandbox", daemon=True)
    thread.start()
    # Meanwhile: the heavy UI imports, so they overlap with the sandbox starting.
    settings = _demo_display_settings(getattr(args, "config", None))
    import camtui.api
    import camtui.store
    import camtui.tui.app  # noqa: F401

    for module in ("camtui.tui.rooms.pane", "camtui.tui.calls.pane", "camtui.tui.composer.pane"):
        with contextlib.suppress(Exception):  # the app shows the reason in the pane's place
            __import__(module)
    _mark("ui_imported")
    thread.join()
    _mark("sandbox_started")
    if "error" in started:
        if not args.in_process:
            server.stop()
        tmp.cleanup()
        print(f"camtui demo: the sandbox did not start: {started['error']}", file=sys.stderr)
        return 1
    sandbox = started["sandbox"]
    try:
        try:
            calls = started["calls"] if "calls" in started else sandbox.calls()
            watch = tuple(str(call["sid"]) for call in calls if call.get("sid"))
        except Exception:
            watch = ()
        _mark("calls_listed")
        settings = settings.with_changes(
            server_url=sandbox.url,
            api_token=sandbox.admin_token,
            watch_calls=tuple(dict.fromkeys((*settings.watch_calls, *watch))),
        )
        store_path = Path(args.store).expanduser() if args.store else Path(tmp.name) / "store.db"
        return run_app(
            settings,
            server_label=f"demo sandbox {_host(sandbox.url)}",
            store_path=store_path,
            before_run=lambda app: follow_demo_calls(app, sandbox.calls, known=watch),
        )
    finally:
        sandbox.stop()
        tmp.cleanup()


DEMO_FOLLOW_SECONDS = 10.0
"""How often the demo asks its sandbox for calls the simulation has started since."""


class DemoCallFollower:
    """In `camtui demo`: the calls the sandbox's simulation starts later are watched too, as they appear.

    A real server has no list-calls API (the calls pane says so); the demo owns its sandbox and asks it
    (`GET /_sandbox/calls`). Only calls the simulation made (`origin` "sim") are followed: the ones the user
    creates are watched by the pane already. A call is followed once: one the user stops watching stays gone.
    The cursor stays on the row it was on. Polled with a timer re-armed after each look (never overlapping);
    any failure (sandbox gone, pane not mounted yet) just waits for the next look."""

    def __init__(
        self, app: Any, list_calls: Callable[[], list[dict[str, Any]]], known: Iterable[str], every: float
    ) -> None:
        self.app = app
        self.list_calls = list_calls
        self.known: set[str] = set(known)
        self.every = every
        self.followed: list[str] = []
        self.looks = 0
        """Looks finished (answered or failed)."""

    def start(self) -> None:
        self.app.set_timer(self.every, self._look)

    def _look(self) -> None:
        self.app.run_worker(self._fetch, group="demo-calls", exclusive=True, exit_on_error=False)

    async def _fetch(self) -> None:
        import asyncio

        try:
            calls = await asyncio.to_thread(self.list_calls)
            self.apply(calls)
        except Exception:  # the sandbox is stopping, or answered nonsense: look again later
            pass
        finally:
            self.looks += 1
            if self.app.is_running:
                self.app.set_timer(self.every, self._look)

    def apply(self, calls: list[dict[str, Any]]) -> list[str]:
        """Watch the simulation's calls not seen before; returns their sids."""
        panes = self.app.query("#calls")
        if not panes:
            return []  # deferred, or failed to load: try again at the next look
        pane = panes.first()
        added = []
        for call in calls:
            sid = str(call.get("sid") or "")
            if not sid or sid in self.known or call.get("origin") != "sim":
                continue
            self.known.add(sid)
            if pane.row(sid) is not None:
                continue
            cursor = pane.table.cursor_row
            pane.watch_call(
                sid,
                origin="added",
                title=str(call.get("title") or ""),
                url=str(call.get("url") or ""),
                created=_from_ms(call.get("creationDate")),
                expires=_from_ms(call.get("expiredDate")),
            )
            if cursor is not None:
                pane.table.select(cursor.sid)
            added.append(sid)
            self.app.notify(
                f"Demo: now also watching 「{call.get('title') or sid}」, a call the sandbox just started.",
                timeout=6,
                markup=False,
            )
        self.followed.extend(added)
        return added


def follow_demo_calls(
    app: Any,
    list_calls: Callable[[], list[dict[str, Any]]],
    *,
    known: Iterable[str] = (),
    every: float = DEMO_FOLLOW_SECONDS,
) -> DemoCallFollower:
    """Attach a `DemoCallFollower` to `app` (before or after it starts running)."""
    follower = DemoCallFollower(app, list_calls, known, every)
    app.call_later(follower.start)
    return follower


def _from_ms(value: Any) -> Any:
    from datetime import UTC, datetime

    if isinstance(value, int) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, UTC)
    return None


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
    def spawn(cls, args: argparse.Namespace, workdir: Path) -> DemoServer:
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
            str(workdir / "sandbox.db"),
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


def _demo_display_settings(config_path: str | None) -> Settings:
    """Display preferences (theme, zone, hours…) from the user's config if it is valid; never its server."""
    from camtui.config.settings import ConfigError, Settings, load_settings

    try:
        loaded = load_settings(config_path, env={}, resolve_token=False)
    except ConfigError as exc:
        _NOTICES.append(f"Your config was ignored for the demo: {exc}")
        return Settings.defaults()
    return loaded.with_changes(server_url=None, api_token=None, api_token_command=None, store_path=None)


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).netloc or url


def _process_start() -> float:
    """Wall-clock time this process started (Linux /proc; else the time this module was imported)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        start_ticks = int(fields[19])
        with open("/proc/uptime", encoding="ascii") as handle:
            uptime = float(handle.read().split()[0])
        ticks = os.sysconf("SC_CLK_TCK")
        return time.time() - uptime + start_ticks / ticks
    except (OSError, ValueError, IndexError):
        return _T0


def _write_probe(path: str, marks: dict[str, float]) -> None:
    import json

    Path(path).write_text(json.dumps(marks), encoding="utf-8")

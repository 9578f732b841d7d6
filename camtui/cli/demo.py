"""`camtui demo`: a sandbox on loopback and the dashboard on it, no account needed.

Registering is cheap: Textual, httpx and the sandbox are imported only when the command runs, and the sandbox
(a child process) starts while the UI modules import, so the first rooms data is painted as soon as possible."""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
from typing import TYPE_CHECKING, Any

from camtui.cli.demo_rules import with_demo_rules
from camtui.common.paths import expand_user
from camtui.tui.launch import add_notice, mark_startup, run_app, skip_httpx_cli

if TYPE_CHECKING:
    from camtui.config.settings import Settings
    from camtui.sandbox.child import DemoServer


def register(subparsers: Any) -> None:
    demo = subparsers.add_parser(
        "demo",
        help="the dashboard on a local sandbox server (no account needed)",
        description="Start the sandbox on a free loopback port (simulation on) and open the dashboard on it "
        "with the admin token. Quitting stops the server. The demo keeps its own state (drafts, outbox, sent "
        "log, watched calls, theme, and the sandbox's data) in the 'demo' folder of camtui's data dir, apart "
        "from your real store; --fresh starts clean.",
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
        help="store file (default: demo.sqlite3 in the demo folder of camtui's data dir, kept between runs)",
    )
    demo.add_argument(
        "--fresh",
        action="store_true",
        help="start clean: forget the demo's drafts, outbox, sent log, watched calls, theme and sandbox data",
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


def run_demo(args: argparse.Namespace) -> int:
    """Sandbox on loopback + dashboard on it; the sandbox stops on quit, its data and the demo store stay
    (`camtui.cli.demo_home`).

    The sandbox is `camtui serve` in a child process, started first thing on a socket this process bound: it
    imports and builds its demo data on the other core while this process imports the UI and starts the app,
    whose first requests wait in the socket's queue (the runner's module would cost this process ~0.25 s of
    imports it does not need). `--in-process` uses `camtui.sandbox.runner.start_sandbox` instead.
    """
    from camtui.cli.demo_home import open_demo_home
    from camtui.sandbox.child import DemoServer

    skip_httpx_cli()
    if args.faults:
        from camtui.sandbox.faults import parse_spec

        try:
            parse_spec(args.faults)  # fail before starting anything
        except ValueError as exc:
            print(f"camtui demo: --faults: {exc}", file=sys.stderr)
            return 2

    home = open_demo_home(seed=args.seed, rooms=args.rooms, users=args.users, fresh=args.fresh)
    for notice in home.notices:
        add_notice(notice)
    if args.in_process:
        return _run_in_process(args, home)
    try:
        server = DemoServer.spawn(args, home.folder, db_path=home.sandbox_path)
    except OSError as exc:
        home.close()
        print(f"camtui demo: the sandbox did not start: {exc}", file=sys.stderr)
        return 1
    mark_startup("sandbox_spawned")
    start = ChildStart(server)
    start.begin()
    try:
        # Meanwhile the UI imports, then the app starts and paints its frame: its first polls wait in the
        # listening socket's queue until the child serves them.
        settings = _demo_settings(args, server.url, server.admin_token, ())
        _import_ui(lower_panes=False)  # the calls and composer panes import once the rooms data is painted
        mark_startup("ui_imported")
        code = run_app(
            settings,
            server_label=f"demo sandbox {_host(server.url)}",
            store_path=expand_user(args.store) if args.store else home.store_path,
            before_run=start.attach,
            settled=lambda: start.delivered,
        )
        if start.error is not None:
            print(f"camtui demo: the sandbox did not start: {start.error}", file=sys.stderr)
            return 1
        return code
    finally:
        server.stop()
        home.close()


class ChildStart:
    """Between the thread that waits for the sandbox child and the running app: the calls the sandbox had at
    start (the app then watches them), or why it did not start (the app quits; the reason is printed after).
    Either may come before or after the app runs."""

    def __init__(self, server: DemoServer) -> None:
        self.server = server
        self.error: BaseException | None = None
        self._calls: list[dict[str, Any]] | None = None
        self._app: Any = None
        self._follower: Any = None
        self._lock = threading.Lock()
        self.delivered = False
        """The app has what the child told (its calls, or its failure)."""

    def begin(self) -> None:
        threading.Thread(target=self._wait, name="camtui-demo-sandbox", daemon=True).start()

    def attach(self, app: Any) -> None:
        """Before the app runs: the demo's call follower, and whatever the child has told so far."""
        from camtui.tui.calls.demo_follow import follow_demo_calls

        self._follower = follow_demo_calls(app, self.server.calls)
        app.call_later(self._app_running, app)

    def _app_running(self, app: Any) -> None:
        with self._lock:
            self._app = app
        self._deliver()

    def _wait(self) -> None:
        try:
            self.server.wait_ready()
            mark_startup("sandbox_started")
        except BaseException as exc:
            with self._lock:
                self.error = exc
                app = self._app
        else:
            try:
                calls = self.server.calls()
            except Exception:  # not fatal: the demo then watches the calls its follower finds later
                calls = []
            mark_startup("calls_listed")
            with self._lock:
                self._calls = calls
                app = self._app
        if app is not None:
            with contextlib.suppress(Exception):  # the app has quit meanwhile
                app.call_from_thread(self._deliver)

    def _deliver(self) -> None:
        """On the app's thread."""
        with self._lock:
            app, calls, error = self._app, self._calls, self.error
            self._calls = None
        if app is None:
            return
        if error is not None:
            self.delivered = True
            app.exit(return_code=1)
        elif calls is not None and self._follower is not None:
            self._follower.adopt(calls)
            self.delivered = True


def _run_in_process(args: argparse.Namespace, home: Any) -> int:
    """`--in-process`: the sandbox in a thread of this process (`camtui.sandbox.runner.start_sandbox`), started
    while the UI imports; the app runs once it serves."""
    from camtui.sandbox import runner  # before the thread: two threads importing camtui.api can race
    from camtui.sandbox.faults import parse_spec
    from camtui.tui.calls.demo_follow import follow_demo_calls

    started: dict[str, Any] = {}

    def start() -> None:
        try:
            started["sandbox"] = runner.start_sandbox(
                db_path=home.sandbox_path,
                seed=args.seed,
                rooms=args.rooms,
                users=args.users,
                simulation=True,
                faults=parse_spec(args.faults) if args.faults else None,
            )
        except BaseException as exc:  # reported on the main thread
            started["error"] = exc

    mark_startup("sandbox_spawned")
    thread = threading.Thread(target=start, name="camtui-demo-sandbox", daemon=True)
    thread.start()
    _import_ui()
    mark_startup("ui_imported")
    thread.join()
    mark_startup("sandbox_started")
    if "error" in started:
        home.close()
        print(f"camtui demo: the sandbox did not start: {started['error']}", file=sys.stderr)
        return 1
    sandbox = started["sandbox"]
    try:
        try:
            watch = tuple(str(call["sid"]) for call in sandbox.calls() if call.get("sid"))
        except Exception:
            watch = ()
        mark_startup("calls_listed")
        return run_app(
            _demo_settings(args, sandbox.url, sandbox.admin_token, watch),
            server_label=f"demo sandbox {_host(sandbox.url)}",
            store_path=expand_user(args.store) if args.store else home.store_path,
            before_run=lambda app: follow_demo_calls(app, sandbox.calls, known=watch),
        )
    finally:
        sandbox.stop()
        home.close()


def _import_ui(lower_panes: bool = True) -> None:
    """The heavy UI imports (done while an in-process sandbox starts)."""
    import camtui.api
    import camtui.store
    import camtui.tui.app  # noqa: F401

    lower = ("camtui.tui.calls.pane", "camtui.tui.composer.pane") if lower_panes else ()
    for module in ("camtui.tui.rooms.pane", *lower):
        with contextlib.suppress(Exception):  # the app shows the reason in the pane's place
            __import__(module)


def _demo_settings(args: argparse.Namespace, url: str, token: str, watch: tuple[str, ...]) -> Settings:
    settings = demo_display_settings(getattr(args, "config", None))
    return settings.with_changes(
        server_url=url,
        api_token=token,
        watch_calls=tuple(dict.fromkeys((*settings.watch_calls, *watch))),
        alert_tables=with_demo_rules(settings.alert_tables),
    )


def demo_display_settings(config_path: str | None) -> Settings:
    """Display preferences (theme, zone, hours…) from the user's config if it is valid; never its server."""
    import os

    from camtui.config.settings import ConfigError, Settings, load_settings
    from camtui.config.time_language import LOCALE_ENV, locale_from_env

    locale_env = {var: os.environ[var] for var in LOCALE_ENV if var in os.environ}  # never the server's vars
    try:
        loaded = load_settings(config_path, env=locale_env, resolve_token=False)
    except ConfigError as exc:
        add_notice(f"Your config was ignored for the demo: {exc}")
        return Settings.defaults().with_changes(locale=locale_from_env(locale_env)[0])
    return loaded.with_changes(server_url=None, api_token=None, api_token_command=None, store_path=None)


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).netloc or url

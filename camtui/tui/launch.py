"""Starting the dashboard: client, store and app built and run (`camtui`, and `camtui demo` via camtui/cli/demo.py).

Importing this module is cheap (standard library only): Textual and httpx are imported when the app is built.
Set CAMTUI_STARTUP_PROBE=FILE to make the app write its timings (JSON) there and quit once the first rooms data is
painted (used by benchmarks/startup.py).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
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


def mark_startup(name: str) -> None:
    """Record a start-up milestone (wall clock) for the probe file."""
    _MARKS[name] = time.time()


def skip_httpx_cli() -> None:
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


# ----- camtui (no subcommand) ----------------------------------------------------------------------------------


def add_notice(text: str) -> None:
    """Tell the user `text` once the app is up (a warning toast): stderr is hidden behind the full-screen UI."""
    _NOTICES.append(text)


def open_dashboard(
    args: argparse.Namespace,
    *,
    read_only: bool = False,
    kiosk: bool = False,
    store_path: str | None = None,
) -> int:
    """Open the dashboard on the configured server; explain what to do when there is no configuration."""
    skip_httpx_cli()
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
    settled: Callable[[], bool] | None = None,
) -> int:
    """Build client + store + app and run it until the user quits. Returns the exit code.

    `before_run(app)` is called with the built app just before it runs (the demo attaches its call follower).
    `settled()`: with the startup probe, the app quits only once this is true too (the demo: its sandbox's
    calls have been handed to the app)."""
    from camtui.api import CAMClient
    from camtui.common.clock import system_clock
    from camtui.store import Store, StoreError
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
    except StoreError as exc:  # not a database, a directory, unreadable: it names the file; start nothing
        print(f"camtui: {exc}", file=sys.stderr)
        return 2
    app: CamApp

    def painted(when: float) -> None:
        marks.update(_MARKS)  # the demo's sandbox marks come from another thread, maybe after the app started
        marks.update(app.startup_marks)
        marks["first_rooms_painted"] = when
        if probe:
            _write_probe(probe, marks)
            if os.environ.get(PROBE_STAY_ENV) == "1":
                return  # the benchmark measures memory and idle CPU of the running app, then stops it

            def exit_when_settled() -> None:  # not while the other panes are still mounting
                if settled is not None and not settled():
                    return
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

"""`camtui alerts check` and `camtui alerts run`: the config's alert rules without the dashboard.

`check` validates the `[[alerts]]` tables (exit 2 with `file:line: key: problem`, 0 with a summary). `run`
drives the same engine as the dashboard (camtui.alerts), polling with the config's server and token, one log
line per firing and per action; SIGTERM or Ctrl-C stops it cleanly after the request in flight (for systemd or
cron with `--for`). Exit codes as the other verbs: 0 ok, 2 usage or config, 3 another camtui already acts.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from typing import Any

from camtui.cli.support import EXIT_NETWORK, EXIT_USAGE, UsageProblem, load_connection, open_client


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("alerts", help="alert rules: check them, or run them without the dashboard")
    sub = p.add_subparsers(dest="alerts_command", metavar="ACTION", required=True)
    c = sub.add_parser("check", help="validate the config's [[alerts]] rules (exit 2 with file:line)")
    c.set_defaults(func=run_check)
    r = sub.add_parser(
        "run",
        help="run the alert rules headless: poll, fire, act (one log line per firing)",
        description="Run the [[alerts]] rules with the config's server and token until SIGTERM / Ctrl-C.",
    )
    r.add_argument(
        "--for", dest="seconds", type=float, metavar="SECONDS", help="stop after this many seconds"
    )
    r.add_argument(
        "--interval", type=float, metavar="SECONDS", help="call poll interval (default: calls.poll_seconds)"
    )
    r.set_defaults(func=run_run)


def _rules(args: argparse.Namespace) -> tuple[Any, tuple[Any, ...]]:
    from camtui.alerts.rules import load_rules
    from camtui.config.settings import ConfigError, load_settings

    try:
        settings = load_settings(getattr(args, "config", None), resolve_token=False)
        return settings, load_rules(settings)
    except ConfigError as exc:
        raise UsageProblem(f"config error: {exc}") from None


def run_check(args: argparse.Namespace) -> int:
    try:
        settings, rules = _rules(args)
    except UsageProblem as exc:
        print(f"camtui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    where = settings.config_path or "(no config file)"
    if not rules:
        print(f"{where}: no [[alerts]] rules")
        return 0
    print(f"{where}: {len(rules)} alert rule(s), all valid")
    for rule in rules:
        acts = []
        if rule.toast is not None:
            acts.append("toast")
        acts += [f"send to {', '.join(s.users) or s.send}" for s in rule.sends]
        if rule.successor is not None:
            acts.append(f"successor call ({int(rule.successor.expires_in.total_seconds() // 60)} min)")
        extra = f", cooldown {rule.cooldown_s:g}s" if rule.cooldown_s else ""
        print(
            f"  line {rule.line}: {rule.name!r}: {rule.target}: when {rule.condition.text} for {rule.for_s:g}s"
            f"{extra} → {'; '.join(acts)}"
        )
    return 0


def run_run(args: argparse.Namespace) -> int:
    try:
        settings, rules = _rules(args)
        conn = load_connection(getattr(args, "config", None))
        client = open_client(conn, on_warning=lambda m: print(f"warning: {m}", file=sys.stderr))
    except UsageProblem as exc:
        print(f"camtui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not rules:
        print("camtui: no [[alerts]] rules in the config; nothing to run", file=sys.stderr)
        return EXIT_USAGE
    interval = args.interval or settings.calls_poll_seconds
    return asyncio.run(_run(settings, conn, client, rules, interval, args.seconds))


async def _run(
    settings: Any, conn: Any, client: Any, rules: Any, interval: float, seconds: float | None
) -> int:
    from camtui.alerts.engine import AlertEngine
    from camtui.alerts.runner import AlertRunner, claim, release
    from camtui.store import Store, StoreError

    def log(line: str) -> None:
        print(line, flush=True)

    try:
        store = Store.open(conn.store_path)
    except StoreError as exc:
        print(f"camtui: {exc}", file=sys.stderr)
        await client.aclose()
        return EXIT_USAGE
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        holder = claim(store)
        if holder is not None:
            print(
                f"camtui: another camtui (pid {holder}) runs the alerts on this store; not starting",
                file=sys.stderr,
            )
            return EXIT_NETWORK
        engine = AlertEngine(
            rules,
            store,
            server_url=conn.server_url,
            time_zone=conn.time_zone,
            call_stale_after=max(30.0, 3 * interval),
            room_stale_after=max(90.0, 3 * settings.rooms_poll_seconds),
        )
        runner = AlertRunner(
            engine,
            client,
            store,
            calls_interval=interval,
            rooms_interval=settings.rooms_poll_seconds,
            time_zone=conn.time_zone,
            log=log,
        )
        log(f"alerts: {len(rules)} rule(s) on {conn.server_url}, polling every {interval:g}s")
        fired = await runner.run(stop, seconds=seconds)
        log(f"alerts: stopped after {runner.rounds} round(s), {fired} firing(s)")
        return 0
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        release(store)
        await client.aclose()
        store.close()

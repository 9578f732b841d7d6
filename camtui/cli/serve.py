"""`camtui serve`: run the sandbox in the foreground; prints the URL and the two tokens once."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from typing import Any

from camtui.sandbox.child import ADMIN_TOKEN_ENV, USER_TOKEN_ENV

DEFAULT_PORT = 8080


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="run the local Chat&Messenger sandbox server",
        description=(
            "Run a local server that speaks the whole Chat&Messenger API with demo data and a live simulation. "
            "Prints the URL and the admin and user API tokens once."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT}; 0 = any free port)"
    )
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="SQLite file to keep the data in (default: sandbox.db in camtui's data dir; ':memory:' = none)",
    )
    parser.add_argument(
        "--admin-token", metavar="T", help=f"admin API token (default: ${ADMIN_TOKEN_ENV}, else random)"
    )
    parser.add_argument(
        "--user-token", metavar="T", help=f"ordinary user API token (default: ${USER_TOKEN_ENV}, else random)"
    )
    # `camtui demo` binds the port itself and hands the listening socket over, so its app can connect (and wait
    # in the socket's backlog) while this process is still importing and building its world.
    parser.add_argument("--listen-fd", type=int, metavar="FD", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=1, help="demo data seed (default: 1)")
    parser.add_argument("--rooms", type=_non_negative, default=24, help="meeting rooms (default: 24)")
    parser.add_argument("--users", type=_non_negative, default=2000, help="users (default: 2000)")
    parser.add_argument("--no-simulation", action="store_true", help="no live changes (calls, bookings)")
    parser.add_argument(
        "--simulation-interval",
        type=_positive_float,
        default=2.0,
        metavar="S",
        help="seconds per simulation step (default: 2)",
    )
    parser.add_argument(
        "--faults",
        metavar="SPEC",
        help="fault plan, e.g. 'error_503=0.1,latency_ms=200,methods=sendMessage+getCallStats,times=10'",
    )
    parser.add_argument(
        "--rate-limit", type=float, metavar="R", help="requests per second per client address (491 above it)"
    )
    parser.set_defaults(func=run)


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError("must be a positive number of seconds")
    return value


def default_db_path() -> str:
    from pathlib import Path

    from platformdirs import user_data_dir

    return str(Path(user_data_dir("camtui")) / "sandbox.db")


def run(args: argparse.Namespace) -> int:
    from camtui.sandbox.faults import parse_spec
    from camtui.sandbox.runner import SandboxError, start_sandbox

    try:
        faults = parse_spec(args.faults) if args.faults else None
    except ValueError as exc:
        print(f"camtui serve: --faults: {exc}", file=sys.stderr)
        return 2
    if args.rate_limit is not None and not args.rate_limit > 0:
        print("camtui serve: --rate-limit must be positive", file=sys.stderr)
        return 2
    db_path = args.db or default_db_path()
    listener = None
    if args.listen_fd is not None:
        import socket

        try:
            listener = socket.socket(fileno=args.listen_fd)
        except OSError as exc:
            print(f"camtui serve: --listen-fd {args.listen_fd}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    try:
        sandbox = start_sandbox(
            db_path=None if db_path == ":memory:" else db_path,
            seed=args.seed,
            rooms=args.rooms,
            users=args.users,
            simulation=not args.no_simulation,
            admin_token=args.admin_token or os.environ.get(ADMIN_TOKEN_ENV) or None,
            user_token=args.user_token or os.environ.get(USER_TOKEN_ENV) or None,
            faults=faults,
            rate_limit=args.rate_limit,
            host=args.host,
            port=args.port,
            simulation_interval=args.simulation_interval,
            listener=listener,
        )
    except (SandboxError, OSError, ValueError) as exc:
        print(f"camtui serve: {exc}", file=sys.stderr)
        return 1
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(f"camtui sandbox: {sandbox.url}")
    print(f"  admin token: {sandbox.admin_token}")
    print(f"  user token:  {sandbox.user_token}")
    print(f"  data:        {db_path}")
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"  warning: listening on {args.host}, reachable from other machines", file=sys.stderr)
    print(f'  try: curl -H "x-cam-apiToken:<user token>" {sandbox.url}/getConferenceRooms')
    print("Ctrl+C stops the server.", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
    return 0

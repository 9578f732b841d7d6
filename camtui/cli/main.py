"""The one entry point: `camtui [subcommand]`. Each subcommand lives in its own module, imported lazily."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

# Modules that contribute subcommands. Each has `register(subparsers) -> None`; every parser it adds sets
# `func=<callable(args) -> int>` via `set_defaults`. Registering must stay cheap: heavy imports go inside `func`.
COMMAND_MODULES = (
    "camtui.cli.demo",  # demo (no subcommand opens the dashboard: camtui.tui.launch)
    "camtui.cli.config_cmd",  # init, config
    "camtui.cli.serve",  # serve
    "camtui.cli.scripting",  # send, rooms, call, users, chatroom
    "camtui.cli.batch",  # send-batch (the same batch engine as the composer)
    "camtui.cli.web",  # web (and the hidden web-session each browser tab runs)
    "camtui.cli.alerts_cmd",  # alerts check, alerts run
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="camtui",
        description="Terminal dashboard for the Chat&Messenger API, with a local sandbox server.",
    )
    parser.add_argument(
        "--config", metavar="PATH", help="config file (default: platform config dir, or $CAMTUI_CONFIG)"
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue  # a part not built yet
        module.register(sub)
    return parser


def _version() -> str:
    from camtui import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        # No subcommand: open the dashboard on the configured server.
        try:
            launch = importlib.import_module("camtui.tui.launch")
        except ModuleNotFoundError:
            parser.print_help()
            return 2
        return int(launch.open_dashboard(args) or 0)
    try:
        code = int(func(args) or 0)
        sys.stdout.flush()  # a pipe closed early shows up here, inside the handler, not at interpreter exit
        return code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _reader_went_away()


EXIT_BROKEN_PIPE = 141
"""`camtui rooms | head -1`: the reader closed the pipe. 141 (128 + SIGPIPE) is what a shell reports for any
command killed by SIGPIPE, so `set -o pipefail` scripts see the same status as for `yes | head -1`."""


def _reader_went_away() -> int:
    """Exit quietly when stdout's reader is gone: no traceback, and nothing left to flush at exit.

    Python ignores SIGPIPE, so a write to a closed pipe raises BrokenPipeError; the output still buffered
    would raise again when the interpreter flushes stdout on exit, hence stdout is pointed at /dev/null."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout replaced by an object without a descriptor (tests)
        pass
    return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    raise SystemExit(main())

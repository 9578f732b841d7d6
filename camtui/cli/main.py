"""The one entry point: `camtui [subcommand]`. Each subcommand lives in its own module, imported lazily."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any

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


FAST_VERBS = {"demo": ("camtui.cli.demo", "camtui.cli.web"), "serve": ("camtui.cli.serve",)}
"""Verbs whose start is on a clock (`camtui demo`, and the sandbox child it starts): given first, their parser is
built from the modules that define them alone. Importing every subcommand's module for the full parser costs
~100 ms, before the demo could even start its sandbox, and again inside that sandbox."""


class VerbParser(argparse.ArgumentParser):
    """A subcommand's parser (and its own subcommands'): `--config PATH` is accepted after the verb too
    (`camtui alerts check --config F`), without clobbering one given before it. A verb that defines its own
    `--config` (the demo's: display preferences only) replaces this one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("conflict_handler", "resolve")
        super().__init__(*args, **kwargs)
        self.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS, help="config file to use")


def build_parser(only: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The whole command line; `only`: with just those modules' subcommands (the same parsers they would be:
    `camtui.cli.web` adds `--web` to the demo's)."""
    parser = argparse.ArgumentParser(
        prog="camtui",
        description="Terminal dashboard for the Chat&Messenger API, with a local sandbox server.",
    )
    parser.add_argument(
        "--config", metavar="PATH", help="config file (default: platform config dir, or $CAMTUI_CONFIG)"
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=VerbParser)
    for name in only or COMMAND_MODULES:
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


def _dashboard_only(argv: Sequence[str]) -> argparse.Namespace | None:
    """`camtui` or `camtui --config PATH`: the dashboard, without importing every subcommand's module to build
    a parser that would only read `--config` (~1 MB and 15 modules less in the dashboard's process)."""
    items = list(argv)
    if not items:
        return argparse.Namespace(config=None, command=None)
    if len(items) == 1 and items[0].startswith("--config=") and len(items[0]) > len("--config="):
        return argparse.Namespace(config=items[0].split("=", 1)[1], command=None)
    if len(items) == 2 and items[0] == "--config" and not items[1].startswith("-"):
        return argparse.Namespace(config=items[1], command=None)
    return None


def main(argv: Sequence[str] | None = None) -> int:
    _printable_stdout()
    quick = _dashboard_only(sys.argv[1:] if argv is None else argv)
    if quick is not None:
        launch = importlib.import_module("camtui.tui.launch")
        return int(launch.open_dashboard(quick) or 0)
    items = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(FAST_VERBS.get(items[0]) if items else None)
    args = parser.parse_args(items)
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


def _printable_stdout() -> None:
    """A file name given as bytes that are not UTF-8 reaches Python as lone surrogates; echoed on stdout
    ("exported 300 users to \\udcff.csv") it would be a `UnicodeEncodeError` traceback after the work was done.
    stdout writes such a character as its escape instead, as stderr always does."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None and getattr(sys.stdout, "errors", None) == "strict":
        with contextlib.suppress(ValueError, OSError):  # a stream that cannot be reconfigured: left as is
            reconfigure(errors="backslashreplace")


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

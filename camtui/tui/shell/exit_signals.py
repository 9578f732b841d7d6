"""Quit cleanly on SIGTERM and SIGHUP (installed by the app when it runs in a real terminal).

By default these signals end Python on the spot: no widget is unmounted, so the composer's last keystrokes (still
inside the autosave debounce) are lost, and so is anything else a pane writes on the way out. Here they go through
the app's normal exit instead (`app.exit()`), exactly like `q`: every pane unmounts, the store is closed after.
A second signal while that exit runs ends the process the default way (the handlers are removed at the first).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable, Sequence
from typing import Any

EXIT_SIGNALS: tuple[signal.Signals, ...] = tuple(
    s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None
)
"""SIGTERM (kill, system shutdown) and SIGHUP (the terminal was closed); SIGINT is a key (ctrl+c) in the TUI."""


def install_exit_signals(app: Any, signals: Sequence[int] = EXIT_SIGNALS) -> Callable[[], None]:
    """Make each of `signals` call `app.exit(return_code=128 + signum)` on the running loop.

    Returns the function that puts the previous handlers back (idempotent). Where the loop cannot take signal
    handlers (not the main thread, Windows), nothing is installed and the returned function does nothing."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return lambda: None
    previous: dict[int, Any] = {}

    def restore() -> None:
        while previous:
            signum, handler = previous.popitem()
            with contextlib.suppress(Exception):
                loop.remove_signal_handler(signum)
                signal.signal(signum, handler)

    def on_signal(signum: int) -> None:
        restore()  # a second signal is not caught again: the default (end the process) applies
        app.exit(return_code=128 + int(signum))

    for signum in signals:
        try:
            before = signal.getsignal(signum)
            loop.add_signal_handler(signum, on_signal, signum)
        except (ValueError, RuntimeError, NotImplementedError, OSError):
            continue
        previous[signum] = before if before is not None else signal.SIG_DFL
    return restore

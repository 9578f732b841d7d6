"""Copying text, honestly: a terminal app can only *send* text towards the clipboard (OSC 52).

Whether it arrives depends on the terminal, and nothing tells the app. So camtui never says "copied": it says where
the text went and shows the text itself, to be selected with the mouse (shift+drag in most terminals, which
bypasses the app). One case is known for sure: under tmux with `set-clipboard` other than `on` (the default is
`external`), tmux drops what programs in a pane send. camtui asks tmux, and then says plainly that the text did not
reach the clipboard and shows it in a window of its own, on full-width lines, until it is closed.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

SENT_TITLE = "Sent to the terminal's clipboard (OSC 52)"
DROPPED_TITLE = "Not on the clipboard: tmux drops OSC 52"
TMUX_FIX = "set -g set-clipboard on"
TMUX_HINT = f"under tmux it arrives only with `{TMUX_FIX}` in ~/.tmux.conf"


def clipboard_note(env: Mapping[str, str] | None = None, *, shown_in: str = "") -> str:
    """The line under the copied text: that it may not arrive, why (tmux), and where to select it instead."""
    env = os.environ if env is None else env
    where = f"select it in {shown_in} or above (shift+drag)" if shown_in else "select it above (shift+drag)"
    if env.get("TMUX"):
        return f"Not arrived? {TMUX_HINT}; or {where}."
    return f"Not arrived? Your terminal may not accept OSC 52: {where}."


def tmux_set_clipboard(env: Mapping[str, str] | None = None, timeout: float = 1.0) -> str | None:
    """tmux's `set-clipboard` option when running inside tmux ("on", "external", "off"), else None."""
    env = os.environ if env is None else env
    if not env.get("TMUX"):
        return None
    try:
        done = subprocess.run(
            ["tmux", "show-options", "-gv", "set-clipboard"],
            env=dict(env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    value = done.stdout.strip()
    return value if done.returncode == 0 and value else None


def tmux_drops_osc52(option: str | None) -> bool:
    """Whether tmux, with this `set-clipboard` value, drops OSC 52 from programs in its panes."""
    return option is not None and option != "on"


class ClipboardScreen(ModalScreen[None]):
    """The text that could not reach the clipboard, alone on full-width lines, to select with the mouse."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter,q", "close", "Close")]

    def __init__(self, text: str, option: str) -> None:
        super().__init__(id="clipboard")
        self.text = text
        self.option = option

    def compose(self) -> ComposeResult:
        with Vertical(id="clipboard-box"):
            yield Static(DROPPED_TITLE, id="clipboard-title", markup=False)
            yield Static(
                f"tmux's set-clipboard is {self.option!r}, so what programs in a pane send never reaches the "
                f"clipboard. Select the text below with the mouse (shift+drag), or add `{TMUX_FIX}` to "
                "~/.tmux.conf (then `tmux source ~/.tmux.conf`).",
                id="clipboard-why",
                markup=False,
            )
            yield Static(self.text, id="clipboard-text", markup=False)
            yield Static("enter / escape close", id="clipboard-hint", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)


def send_to_clipboard(
    app: Any, text: str, *, shown_in: str = "", env: Mapping[str, str] | None = None
) -> str:
    """Send `text` with OSC 52 and say what is known about where it went; returns what was said.

    Under a tmux that drops OSC 52 the text is shown in `ClipboardScreen`; otherwise a toast says it was sent
    and shows the text (selectable while it is up)."""
    app.copy_to_clipboard(text)
    # a headless app (tests) has no tmux pane of its own: only an explicit env is asked about there,
    # and in a browser (`camtui web`) the copy goes through the browser, not the server's tmux
    headless = env is None and bool(getattr(app, "is_headless", False) or getattr(app, "is_web", False))
    option = None if headless else tmux_set_clipboard(env)
    if tmux_drops_osc52(option):
        app.push_screen(ClipboardScreen(text, option or ""))
        return DROPPED_TITLE
    note = clipboard_note(env, shown_in=shown_in)
    app.notify(f"{text}\n{note}", title=SENT_TITLE, timeout=20, markup=False)
    return note

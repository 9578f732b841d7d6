"""Copying text, honestly: a terminal app can only *send* text towards the clipboard (OSC 52).

Whether it arrives depends on the terminal (and under tmux on its `set-clipboard` option, `external` by default,
which drops what programs in a pane send), and nothing tells the app. So camtui never says "copied": it says
where the text went and shows the text itself, to be selected with the mouse (shift+drag in most terminals, which
bypasses the app) when the clipboard did not get it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Protocol

SENT_TITLE = "Sent to the terminal's clipboard (OSC 52)"
TMUX_HINT = "under tmux it arrives only with `set -g set-clipboard on` in ~/.tmux.conf"


class CopyingApp(Protocol):
    def copy_to_clipboard(self, text: str) -> None: ...

    def notify(
        self, message: str, *, title: str = "", timeout: float | None = None, markup: bool = True
    ) -> None: ...


def clipboard_note(env: Mapping[str, str] | None = None, *, shown_in: str = "") -> str:
    """The line under the copied text: that it may not arrive, why (tmux), and where to select it instead."""
    env = os.environ if env is None else env
    where = f"select it in {shown_in} or above (shift+drag)" if shown_in else "select it above (shift+drag)"
    if env.get("TMUX"):
        return f"Not arrived? {TMUX_HINT}; or {where}."
    return f"Not arrived? Your terminal may not accept OSC 52: {where}."


def send_to_clipboard(
    app: CopyingApp, text: str, *, shown_in: str = "", env: Mapping[str, str] | None = None
) -> str:
    """Send `text` with OSC 52 and say so, with the text (selectable while the note is up). Returns the note."""
    app.copy_to_clipboard(text)
    note = clipboard_note(env, shown_in=shown_in)
    app.notify(f"{text}\n{note}", title=SENT_TITLE, timeout=20, markup=False)
    return note

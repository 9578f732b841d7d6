"""The composer's form and its names: tab ids, store keys, what a draft holds, the little labels it shows.

Shared by the pane and its parts (drafts, directory, send flow, lists), so none of them imports the pane.
"""

from __future__ import annotations

from dataclasses import dataclass

from camtui.compose.send_plan import MESSENGER, destination_status, is_messenger

__all__ = [
    "DESTINATION_LABELS",
    "DIRECTORY_REFRESH_SECONDS",
    "DIRECTORY_RETRY_SECONDS",
    "LAST_SEND_KEY",
    "MESSENGER",
    "NOTICE_KEY",
    "SUGGESTIONS",
    "TABS",
    "TAB_MESSAGE",
    "TAB_OUTBOX",
    "TAB_SENT",
    "FormState",
    "count_line",
    "destination_status",
    "is_messenger",
]

SUGGESTIONS = 8
"""Rows in the recipient dropdown."""
DIRECTORY_REFRESH_SECONDS = 6 * 3600
"""How often the directory is fetched again while the app runs (it also is at every start)."""
DIRECTORY_RETRY_SECONDS = 120
"""After a failed refresh (offline, 503): try again this much later."""
NOTICE_KEY = "composer.directory_notice_shown"
LAST_SEND_KEY = "composer.last_send"

TAB_MESSAGE = "composer-tab-message"
TAB_OUTBOX = "composer-tab-outbox"
TAB_SENT = "composer-tab-sent"
TABS = (TAB_MESSAGE, TAB_OUTBOX, TAB_SENT)

DESTINATION_LABELS = {
    "messenger": ("", ""),
    "known": ("✓ room", "$text-success"),
    "confirmed": ("? room not seen yet", "$text-warning"),
    "unknown": ("✗ unknown room → 405", "$text-error"),
}
"""What the little check next to `To` says for each `destination_status`."""


def count_line(text: str) -> str:
    """ "42 chars · 3 lines": characters as Python counts them (what the server stores), lines by `\\n`."""
    lines = text.count("\n") + 1 if text else 0
    return f"{len(text)} chars · {lines} line{'s' if lines != 1 else ''}"


@dataclass(frozen=True, slots=True)
class FormState:
    """What the user has typed: the unit a draft stores."""

    send: str
    recipients: str
    text: str
    seal: bool

    @property
    def is_empty(self) -> bool:
        return not self.text and not self.recipients.strip()

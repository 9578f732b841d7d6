"""What the panes tell the app shell: messages about how fresh each pane's data is (for the status line), and
failures already put into words (for the one toast and the error log)."""

from __future__ import annotations

from datetime import datetime

from textual.message import Message


class PaneStatus(Message):
    """A pane's data state changed: fresh data arrived (`ok=True`), or it went stale and why."""

    def __init__(
        self, source: str, ok: bool, when: datetime | None = None, reason: str | None = None
    ) -> None:
        super().__init__()
        self.source = source
        """"rooms", "calls" or "composer"."""
        self.ok = ok
        self.when = when
        """Time of the last good data (aware)."""
        self.reason = reason
        """Why it is stale: "offline", "rate limited", "paused", "auth failed", or a short text."""


class UserFacingError(Exception):
    """A failure a pane has put into plain words: the shell shows `title` and `text` as they are.

    Anything else the shell does not know is titled with its class name, as a bug should be; a pane's own
    limit (a poll that took too long) is not a bug, and its toast should read like one of ours."""

    def __init__(self, title: str, text: str, *, severity: str = "warning", state: str | None = None) -> None:
        super().__init__(title)
        self.title = title
        self.text = text
        self.severity = severity
        self.state = state
        """A connection state for the status line ("retrying", "offline"), or None to leave it alone."""

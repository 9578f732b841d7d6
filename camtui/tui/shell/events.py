"""Messages the panes post to the app shell, so the status line can say how fresh each pane's data is."""

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

"""Messages between the panes and the app shell: a pane's data state (for the status line), the auth state."""

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


class AuthStateChanged(Message):
    """Posted to each pane when auth fails (stop polling) or is fixed / retried (poll now)."""

    def __init__(self, failed: bool) -> None:
        super().__init__()
        self.failed = failed

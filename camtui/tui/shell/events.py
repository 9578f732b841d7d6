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


class PollFinished(Message):
    """A pane finished one poll, good or failed: the shell evaluates the alert rules on what it saw.

    `data` is the pane's view for the rules: rooms: today's `RoomStatus`, or None when this poll failed or the
    pane shows another day (unknown, never "no rooms"); calls: the watched calls as `CallSeen`s, a call whose
    poll failed with `participants=None`. `code`: the API code of a failure; `reachable`: False when the
    server was not reached (None: this poll says nothing about it)."""

    def __init__(
        self,
        source: str,
        ok: bool,
        data: object = None,
        code: str | None = None,
        reachable: bool | None = None,
    ) -> None:
        super().__init__()
        self.source = source
        self.ok = ok
        self.data = data
        self.code = code
        self.reachable = reachable


class AlertMarks(Message):
    """From the shell to the rooms pane: room id → (mark kind, reason) for the ghost / squatter marks."""

    def __init__(self, marks: dict[str, tuple[str, str]]) -> None:
        super().__init__()
        self.marks = marks


class LinksChanged(Message):
    """A call was linked to a room, or unlinked (calls pane `l`): the alert rules read the stored links again."""

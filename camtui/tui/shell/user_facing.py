"""Failures a pane has already put into words. No Textual here: the pollers and models raise it too."""

from __future__ import annotations


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

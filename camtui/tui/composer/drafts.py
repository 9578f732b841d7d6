"""Debounced draft autosave: the form is written to the store shortly after typing stops, and at once when the
destination changes, a message is queued, or the pane goes away. A crash loses at most the last half second."""

from __future__ import annotations

from collections.abc import Callable

from textual.timer import Timer
from textual.widget import Widget

AUTOSAVE_DELAY = 0.4
"""Seconds of quiet typing before the draft is written."""


class DraftAutosaver:
    """Calls `save` once typing has paused for `delay` seconds, or immediately on `flush()`."""

    def __init__(self, owner: Widget, save: Callable[[], None], delay: float = AUTOSAVE_DELAY) -> None:
        self._owner = owner
        self._save = save
        self._delay = delay
        self._timer: Timer | None = None
        self.dirty = False
        self.paused = False
        """While True (the form is being filled programmatically), changes are not saved."""

    def touch(self) -> None:
        """Something changed: (re)start the quiet period."""
        if self.paused:
            return
        self.dirty = True
        if self._timer is not None:
            self._timer.stop()
        self._timer = self._owner.set_timer(self._delay, self.flush, name="draft-autosave")

    def flush(self) -> None:
        """Save now if anything changed since the last save."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self.dirty:
            self.dirty = False
            self._save()

    def cancel(self) -> None:
        """Forget pending changes (the form was just saved or cleared deliberately)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.dirty = False

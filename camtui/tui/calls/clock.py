"""The calls pane's clock: once a second, expiries and their warnings, countdowns, batched store writes and the
status line. A mixin of `CallsPane`."""

from __future__ import annotations

import heapq
import time
from datetime import datetime

from textual.widgets import Static

from camtui.tui.calls.model import (
    CallRow,
    check_expiry,
    expiring_soon,
    fmt_duration,
    is_stale,
)
from camtui.tui.calls.polling import FLUSH_SECONDS
from camtui.tui.shell.durations import interval_text
from camtui.tui.shell.label_text import set_text


class CallsClock:
    """The one-second tick, expiry deadlines and the status line (part of `CallsPane`)."""

    # -- the clock ------------------------------------------------------------------------------------------

    def _tick(self) -> None:
        """Once a second: expiries, warnings, the visible countdowns (only changed lines), batched writes."""
        self._tick_timer = None
        now = self.now()
        while self._deadlines and self._deadlines[0][0] <= now:
            _when, _seq, sid = heapq.heappop(self._deadlines)
            row = self._rows.get(sid)
            if row is not None:
                self._check_deadlines(row, now)
        if self.table.display:
            self.table.tick(now)
        if self._pending and time.monotonic() - self._last_flush >= FLUSH_SECONDS:
            self._flush()
        self._update_status()
        self._tick_timer = self.set_timer(1.0, self._tick)

    def _schedule(self, row: CallRow) -> None:
        """Remember when this row's expiry (and the warning before it) is due, so the tick need not scan all."""
        if row.expires is None:
            return
        if not row.expired_seen:
            heapq.heappush(self._deadlines, (row.expires, next(self._seq), row.sid))
        if not row.warned_expiry and self._warning_window:
            heapq.heappush(self._deadlines, (row.expires - self._warning_window, next(self._seq), row.sid))

    def _check_deadlines(self, row: CallRow, now: datetime) -> None:
        for event in check_expiry(row, now):
            self._event(event)
        if (
            not row.warned_expiry
            and self._warning_window
            and expiring_soon(row, now, self._warning_window)
            and not is_stale(row, now, self.interval)  # only on a count we know now (the next poll re-checks)
        ):
            row.warned_expiry = True
            self._warn_expiry(row, now)

    def _warn_expiry(self, row: CallRow, now: datetime) -> None:
        self._successor_sid = row.sid
        assert row.expires is not None
        left = fmt_duration((row.expires - now).total_seconds())
        people = f"{row.participants} participant{'s' if row.participants != 1 else ''}"
        self.notify(
            f"「{row.title or row.sid}」 expires in {left} with {people} still in it.\n"
            "Press N (shift+n) in the calls pane to create a successor call with the same title and password.",
            title="Call about to expire",
            severity="warning",
            timeout=30,
            markup=False,
        )

    def _update_status(self) -> None:
        if not self.is_mounted:
            return
        total = len(self._rows)
        if total == 0:
            text = "no calls watched · n new · a add"
        else:
            parts = [f"{total} watched"]
            shown = len(self.table.rows)
            if self.table.filter_text:
                parts.append(f"filter {self.table.filter_text!r}: {shown} shown")
            if self.table.sort_key is not None:
                parts.append(f"sort {self.table.sort_label()}")
            if self.paused:
                parts.append("⏸ paused (p resumes)")
            else:
                parts.append(f"every {interval_text(self.backoff.interval)}")
            if self.pane_reason and self.pane_reason != "paused":
                parts.append(f"⚠ {self.pane_reason}")
            if self.last_good is not None:
                parts.append(f"last good {self.last_good.astimezone(self.tz):%H:%M:%S}")
            text = " · ".join(parts)
        status = self.query_one("#calls-status", Static)
        set_text(status, text)  # `height: 1`, full width: a repaint of this line, never a layout
        status.set_class(bool(self.pane_reason) and self.pane_reason != "paused", "-stale")

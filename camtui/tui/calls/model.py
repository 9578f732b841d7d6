"""What the calls pane knows about one watched call, and how that turns into text: pure, no Textual.

The pane keeps one `CallRow` per watched call. A poll result or a failure is folded into it with
`apply_stats` / `apply_error`, which return the events worth flashing (join, leave, start, empty, expire).
Everything shown to the admin (state, countdown, age of the last good poll) is derived from a row and "now",
so a fixed clock gives fixed text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from camtui.tui.calls.links import (  # noqa: F401  (the call's links and IDs, re-exported: callers use `model`)
    PASSWORD_MASK,
    auto_login_url,
    login_url_preview,
    parse_call_ref,
    share_url_for,
    short_id,
)
from camtui.tui.shell.cells import cut


class CallState(Enum):
    PENDING = "pending"
    """Never polled yet (just added, or restored without a poll this session and nothing stored)."""
    IN_PROGRESS = "in progress"
    WAITING = "waiting"
    EXPIRED = "expired"
    ERROR = "error"


class EventKind(Enum):
    JOIN = "join"
    LEAVE = "leave"
    START = "start"
    EMPTY = "empty"
    EXPIRE = "expire"


@dataclass(frozen=True, slots=True)
class CallEvent:
    sid: str
    kind: EventKind
    before: int | None
    after: int | None


@dataclass(slots=True)
class CallRow:
    """The pane's live view of one watched call (mutable: updated in place as polls arrive)."""

    sid: str
    title: str = ""
    url: str = ""
    password: str = ""
    presenter_pass: str = ""
    origin: str = "added"
    created: datetime | None = None
    expires: datetime | None = None
    participants: int | None = None
    in_progress: bool | None = None
    last_ok: datetime | None = None
    """Time of the last successful poll (aware)."""
    last_attempt: datetime | None = None
    error: str | None = None
    """Why the call itself failed (e.g. unknown ID); cleared by the next good poll."""
    error_code: str | None = None
    error_streak: int = 0
    """Consecutive call-specific failures; drives the per-call back-off."""
    stale_reason: str | None = None
    """Why the last attempt did not refresh this row (pane-wide trouble: offline, rate limited…)."""
    expired_seen: bool = False
    """The expiry event has been emitted (so it flashes once)."""
    warned_expiry: bool = False
    last_sample_at: datetime | None = None
    last_sample_value: tuple[int, bool] | None = None
    unchecked: str | None = None
    """Added while the server could not confirm the call (why); cleared by the first good poll."""
    history: list[tuple[datetime, int]] = field(default_factory=list)
    """Sparkline points (time, participants) in time order; None-value gaps are decided by the renderer."""


def is_expired(row: CallRow, now: datetime) -> bool:
    return row.expires is not None and row.expires <= now


def state_of(row: CallRow, now: datetime) -> CallState:
    if row.error is not None and row.last_ok is None:
        return CallState.ERROR
    if is_expired(row, now):
        return CallState.EXPIRED
    if row.error is not None:
        return CallState.ERROR
    if row.last_ok is None and row.in_progress is None:
        return CallState.PENDING
    return CallState.IN_PROGRESS if row.in_progress else CallState.WAITING


def state_text(row: CallRow, now: datetime) -> str:
    state = state_of(row, now)
    if state is CallState.ERROR:
        return f"error: {row.error}"
    if state is CallState.PENDING and row.unchecked:
        return f"pending · unchecked ({row.unchecked})"
    return state.value


def is_final(row: CallRow, now: datetime) -> bool:
    """An expired call needs no more polling: what we know about it is final, not stale."""
    return is_expired(row, now) and (row.error is None or row.last_ok is not None)


def is_stale(row: CallRow, now: datetime, interval: float) -> bool:
    """Stale = the last attempt failed, or the last good poll is older than two intervals (+ slack).

    A call whose expiry passed is never stale: nothing about it can change, so an old poll is no warning.
    """
    if is_final(row, now):
        return False
    if row.last_ok is None:
        return row.last_attempt is not None
    if row.stale_reason is not None or row.error is not None:
        return True
    return (now - row.last_ok).total_seconds() > 2 * interval + 2


def stale_reason(row: CallRow, now: datetime, interval: float, default: str | None = None) -> str | None:
    """Why the row is stale (its own failure first, then the pane's trouble, e.g. "paused"), or None."""
    if not is_stale(row, now, interval):
        return None
    return row.stale_reason or row.error or default or "not refreshed"


def fmt_duration(seconds: float) -> str:
    """A countdown in one unambiguous form (`53s`, `10m53s`, `2h29m`, `2d03h`): `10:53` would read as a clock
    time. Never negative; the two largest units only."""
    s = max(0, int(seconds))
    if s >= 86400:
        days, rest = divmod(s, 86400)
        return f"{days}d{rest // 3600:02d}h"
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    if h:
        return f"{h}h{m:02d}m"
    return f"{m}m{sec:02d}s" if m else f"{sec}s"


def countdown_text(row: CallRow, now: datetime) -> str:
    if row.expires is None:
        return "—"
    left = (row.expires - now).total_seconds()
    if left <= 0:
        return "expired"
    return fmt_duration(left)


def fmt_age(seconds: float) -> str:
    s = max(0, int(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h"
    return f"{s // 86400}d"


def polled_text(row: CallRow, now: datetime, interval: float, default_reason: str | None = None) -> str:
    """Age of the last good poll, with the stale reason when it is stale ("final" once the call expired)."""
    if is_final(row, now):
        if row.last_ok is None:
            return "— · final (the call has expired; it is not polled)"
        age = fmt_age((now - row.last_ok).total_seconds()) + " ago"
        return f"{age} · final (the call has expired; it is not polled any more)"
    if row.last_ok is None:
        if row.last_attempt is None:
            return f"not yet · {default_reason}" if default_reason else "not yet"
        return f"never · {row.stale_reason or row.error or default_reason or 'failed'}"
    age = fmt_age((now - row.last_ok).total_seconds()) + " ago"
    reason = stale_reason(row, now, interval, default_reason)
    return f"{age} · {reason}" if reason else age


_SHORT_REASONS = (
    ("(503)", "503 unavail"),
    ("(491)", "491 limited"),
    ("(500)", "500 err"),
    ("(400)", "400"),
    ("offline", "offline"),
    ("no answer", "no answer"),
    ("auth failed", "auth"),
    ("from last run", "last run"),
    ("paused", "paused"),
    ("not refreshed", "old"),
)


def error_label(row: CallRow) -> str:
    """The error state in a few characters for the table ("unknown ID"); the detail view shows it all."""
    if row.error_code == "400":
        return "unknown ID"
    if row.error_code:
        return f"error {row.error_code}"
    return short_reason(row.error or "error")


def short_reason(reason: str) -> str:
    """A stale reason in a few characters, for the table cell (the full text is in the status line and detail)."""
    for needle, short in _SHORT_REASONS:
        if needle in reason:
            return short
    return cut(reason, 11)  # by cells: a server's Japanese message is twice as wide as its length


def polled_cell(row: CallRow, now: datetime, interval: float, default_reason: str | None = None) -> str:
    """The table's compact form of `polled_text`: "live" while the polls keep to their interval, "2m ⚠ 503
    unavail" when stale, "final" once the call has expired (no warning sign: an expired call is correctly known
    to be over). A live row does not count seconds: that would repaint every visible row once a second; the
    detail view (enter) gives the age to the second."""
    if is_final(row, now):
        return "—" if row.last_ok is None else "final"
    if row.last_ok is None:
        if row.last_attempt is None:
            return "not yet"
        return f"never ⚠ {short_reason(row.stale_reason or row.error or default_reason or 'failed')}"
    age = fmt_age((now - row.last_ok).total_seconds())
    reason = stale_reason(row, now, interval, default_reason)
    return f"{age} ⚠ {short_reason(reason)}" if reason else "live"


def fmt_time(value: datetime | None, now: datetime, tz: ZoneInfo) -> str:
    """Local time; the date is added when it is not today."""
    if value is None:
        return "—"
    local = value.astimezone(tz)
    if local.date() == now.astimezone(tz).date():
        return local.strftime("%H:%M")
    return local.strftime("%m-%d %H:%M")


def apply_stats(
    row: CallRow,
    *,
    now: datetime,
    title: str,
    created: datetime | None,
    expires: datetime | None,
    participants: int,
    in_progress: bool,
) -> list[CallEvent]:
    """Fold a good poll into `row`; return what changed that the admin should notice."""
    events: list[CallEvent] = []
    before, was_in_progress = row.participants, row.in_progress
    if before is not None:
        if participants > before:
            events.append(CallEvent(row.sid, EventKind.JOIN, before, participants))
        elif participants < before:
            kind = EventKind.EMPTY if participants == 0 else EventKind.LEAVE
            events.append(CallEvent(row.sid, kind, before, participants))
    if was_in_progress is False and in_progress:
        events.append(CallEvent(row.sid, EventKind.START, before, participants))
    if title:
        row.title = title
    row.created = created or row.created
    row.expires = expires or row.expires
    row.participants = participants
    row.in_progress = in_progress
    row.last_ok = now
    row.last_attempt = now
    row.unchecked = None  # the server knows it
    row.error = None
    row.error_code = None
    row.error_streak = 0
    row.stale_reason = None
    events.extend(check_expiry(row, now))
    return events


def apply_call_error(row: CallRow, *, now: datetime, code: str | None, reason: str) -> list[CallEvent]:
    """The server answered, but about this call: it is unknown, or it refused it. Shown as the error state."""
    row.last_attempt = now
    row.error = reason
    row.error_code = code
    row.error_streak += 1
    row.stale_reason = None
    return check_expiry(row, now)


def apply_pane_error(row: CallRow, *, now: datetime, reason: str) -> None:
    """The poll did not get through (offline, rate limited, server unavailable): keep the data, mark it stale."""
    row.last_attempt = now
    row.stale_reason = reason


def check_expiry(row: CallRow, now: datetime) -> list[CallEvent]:
    """Emit the expiry event once, when the call's expiry passes (by clock or as the server reports)."""
    if not row.expired_seen and is_expired(row, now):
        row.expired_seen = True
        return [CallEvent(row.sid, EventKind.EXPIRE, row.participants, row.participants)]
    return []


def expiring_soon(row: CallRow, now: datetime, within: timedelta) -> bool:
    """A call with people in it that expires within `within`: time to offer a successor."""
    if row.expires is None or not row.participants:
        return False
    left = row.expires - now
    return timedelta(0) < left <= within


HEARTBEAT_SECONDS = 300.0
"""An unchanged value is still sampled this often, so a long silence in the history means "not watched then"
(the sparkline leaves it blank). Rare enough that 2,000 steady calls cost ~0.6 M rows a day, not 3 M."""
UNKNOWN = -1
"""A history point with this value starts a stretch where the count is not known (polls failing)."""


def take_sample(row: CallRow, now: datetime, *, keep_since: datetime | None = None) -> bool:
    """After a good poll: append a history point when the value changed or a heartbeat passed.

    Returns True when a point was taken (the store should get it too). `keep_since` trims older in-memory
    points (the store keeps the full history; the row only what the table's sparkline shows).
    """
    if row.participants is None or row.in_progress is None:
        return False
    value = (row.participants, bool(row.in_progress))
    due = (
        row.last_sample_value != value
        or row.last_sample_at is None
        or _older(row.last_sample_at, now, HEARTBEAT_SECONDS)
    )
    if due:
        row.last_sample_at = now
        row.last_sample_value = value
        row.history.append((now, row.participants))
    if keep_since is not None and len(row.history) > 2 and row.history[1][0] < keep_since:
        # keep one point at or before the window start: it is the value in force when the window begins
        i = 0
        while i + 1 < len(row.history) and row.history[i + 1][0] <= keep_since:
            i += 1
        del row.history[:i]
    return due


def mark_unknown(row: CallRow, now: datetime) -> bool:
    """After a failed poll: end the known stretch of history (once), so the plot does not draw on through the
    outage. Returns True when a point was taken (the store should get it too)."""
    if row.last_sample_value is None or row.last_sample_value[0] == UNKNOWN:
        return False
    row.last_sample_at = now
    row.last_sample_value = (UNKNOWN, False)
    row.history.append((now, UNKNOWN))
    return True


def _older(then: datetime, now: datetime, seconds: float) -> bool:
    return (now - then).total_seconds() >= seconds

"""The rooms pane's decisions, pure: when to poll next, what a failure means, how old the data reads, which
hours the day shows. No Textual here, so each rule is tested with plain values (tests/tui/rooms/test_rooms_logic.py)
and the pane only shows and acts on the answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from camtui.api.models import ConferenceRoom
from camtui.tui.rooms.model import DayAxis
from camtui.tui.shell.durations import age_text
from camtui.tui.shell.durations import step_interval as shell_step_interval

POLL_STEPS = (2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0)
"""What + and - step through (the configured interval is added to the list)."""
MAX_BACKOFF = 300.0
BUSY_REASONS = {"491": "rate limited", "503": "server unavailable"}
"""Stale reasons that back off: the admin's next step differs (lower the poll rate vs wait for maintenance)."""
AUTH_CODES = frozenset({"805", "490"})
AUTH_FAILED = "auth failed"
OFFLINE = "offline"


def next_boundary(rooms: Iterable[ConferenceRoom], axis: DayAxis, now: datetime) -> datetime | None:
    """The next instant the grid's look changes by itself: a slot starts, or a reservation starts or ends."""
    candidates = [s for s in axis.starts if s > now]
    if axis.end > now:
        candidates.append(axis.end)
    for room in rooms:
        for r in room.reservations:
            if r.start > now:
                candidates.append(r.start)
            if r.end > now:
                candidates.append(r.end)
    return min(candidates) if candidates else None


# ---- polling ------------------------------------------------------------------------------------------------


def api_failure(code: str, http_status: int | None) -> str | None:
    """What an API error means for polling: AUTH_FAILED (stop), a busy reason (back off), or a plain error."""
    if code in AUTH_CODES:
        return AUTH_FAILED
    return BUSY_REASONS.get(code) or BUSY_REASONS.get(str(http_status)) or f"error {code}"


def poll_delay(interval: float, failures: int, stale_reason: str | None, retry_after: float | None) -> float:
    """Seconds until the next poll: the interval, doubled per failure (capped) while the server is busy or
    unreachable, and never sooner than the server's Retry-After."""
    if stale_reason not in (*BUSY_REASONS.values(), OFFLINE) or not failures:
        return interval
    delay = min(interval * 2 ** min(failures, 6), MAX_BACKOFF)
    if retry_after:
        delay = max(delay, retry_after)
    return delay


def step_interval(current: float, direction: int, steps: Iterable[float] = POLL_STEPS) -> float:
    """The next poll interval up (+1) or down (-1) the rooms' steps (the shell's stepping, shared with calls)."""
    return shell_step_interval(current, direction, steps)


# ---- staleness ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AgeLabel:
    """What the bar's right end says about the data, and its look: "" fresh, "-stale", or "-error"."""

    text: str
    look: str


def age_label(
    now: datetime,
    tz: tzinfo,
    *,
    interval: float,
    paused: bool,
    stale_reason: str | None,
    last_ok: datetime | None,
    has_data: bool,
    next_poll_at: datetime | None,
) -> AgeLabel:
    """How old the data is and why: paused, stale (with the reason and the retry), or fresh with the rate.

    While the data is live (polled as planned), an age under a minute is not spelled out: the time of the last
    poll says it, and a label counting seconds would repaint an idle dashboard once a second. Older data says
    its age in minutes; paused or stale data says it to the second (the user is waiting on it then)."""
    if last_ok is not None and has_data:
        seconds = (now - last_ok).total_seconds()
        live = not paused and stale_reason is None
        if live and seconds < 60:
            data = f"updated {last_ok.astimezone(tz):%H:%M:%S}"
        else:
            data = f"updated {last_ok.astimezone(tz):%H:%M:%S} ({age_text(seconds)} ago)"
    else:
        data = "no data yet"
    if paused:
        return AgeLabel(f"⏸ paused · {data}", "-stale")
    if stale_reason == AUTH_FAILED:
        return AgeLabel(f"stale: auth failed · {data} · polling stopped", "-error")
    if stale_reason is not None:
        retry = ""
        if next_poll_at is not None:
            retry = f" · retry in {age_text((next_poll_at - now).total_seconds())}"
        return AgeLabel(f"stale: {stale_reason} · {data}{retry}", "-stale")
    return AgeLabel(f"{data} · every {age_text(interval)}", "")


def status_reason(paused: bool, stale_reason: str | None) -> str | None:
    """The reason the shell's status line shows for the pane; None while the data is live."""
    if stale_reason is None and not paused:
        return None
    return "paused" if paused and stale_reason is None else stale_reason


# ---- the day's hours --------------------------------------------------------------------------------------------


def day_cover(
    day: date, now: datetime, tz: tzinfo, extent: tuple[datetime, datetime] | None
) -> list[tuple[datetime, datetime]]:
    """What the day's columns must include beyond the configured hours: now (on today) and the span of the
    day's reservations. At 06:40 a meeting from 06:00 is running, and an admin asking "free now?" must see it."""
    cover: list[tuple[datetime, datetime]] = []
    if day == now.astimezone(tz).date():
        cover.append((now, now))
    if extent is not None:
        cover.append(extent)
    return cover


def day_relative(day: date, today: date) -> str:
    """ "today", "tomorrow", "yesterday" or "+3 days" for the date label."""
    delta = (day - today).days
    return {0: "today", 1: "tomorrow", -1: "yesterday"}.get(delta, f"{delta:+d} days")

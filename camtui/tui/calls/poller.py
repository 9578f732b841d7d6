"""How the calls pane polls: which calls are due, how a round is spread, how the pane backs off. No Textual here.

A *round* polls every due call once. Its requests are spread evenly across the (current) interval, never more
than `max_in_flight` at once, and the next round is armed only when this one has finished. Failures are sorted
into kinds: a call-specific answer (unknown ID) affects that row only; 491/503 slow the whole pane down (the
factor doubles once per troubled round, and halves after each clean one); when the server is unreachable or keeps
refusing, a breaker stops the rest of the round instead of queueing hundreds of doomed requests.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, TypeVar

from camtui.api.errors import CAMAPIError, OutcomeUnknown, TransportError
from camtui.tui.calls.model import CallRow, is_expired
from camtui.tui.shell.user_facing import UserFacingError

T = TypeVar("T")

MAX_IN_FLIGHT = 8
MAX_INTERVAL = 300.0
"""The slowest the pane ever polls, however long the server keeps saying 491/503."""
MIN_GAP = 0.25
"""Seconds between the end of a late round and the start of the next."""
MAX_SPACING = 0.25
"""Spreading never puts more than this between two requests: a few calls are polled promptly, not one per
interval/n seconds (5 calls at a 60 s interval would otherwise wait 12 s each for their first data)."""


class FailureKind(Enum):
    CALL = "call"
    """The server answered about this call (unknown ID, refused): the row shows the error state."""
    OVERLOAD = "overload"
    """491/503: the whole pane slows down."""
    OFFLINE = "offline"
    """Not reached (connection refused/reset, timeout)."""
    AUTH = "auth"
    """805/490: polling stops until the token is fixed."""
    SERVER = "server"
    """The server failed (500, a malformed answer): this poll is lost, the row goes stale."""


@dataclass(frozen=True, slots=True)
class Failure:
    kind: FailureKind
    reason: str
    """Text shown to the admin: "unknown or invalid call ID (400)", "rate limited (491)",
    "server unavailable (503)", "no answer within 10 s", "offline"…"""
    code: str | None = None
    retry_after: float | None = None

    @property
    def pane_wide(self) -> bool:
        return self.kind in (FailureKind.OVERLOAD, FailureKind.OFFLINE, FailureKind.AUTH)


_CALL_REASONS = {"400": "unknown or invalid call ID"}


def classify(exc: BaseException) -> Failure:
    """Sort an exception from `get_call_stats` into a failure kind, with the text the table shows."""
    if isinstance(exc, CAMAPIError):
        code = exc.code
        if code == "491":
            return Failure(FailureKind.OVERLOAD, "rate limited (491)", code, _retry_after(exc))
        if code == "503" or exc.http_status == 503:
            return Failure(FailureKind.OVERLOAD, "server unavailable (503)", "503", _retry_after(exc))
        if code in ("805", "490"):
            return Failure(FailureKind.AUTH, f"auth failed ({code})", code)
        if code == "500" or exc.http_status >= 500:
            return Failure(FailureKind.SERVER, f"server error ({code})", code)
        reason = _CALL_REASONS.get(code) or exc.meaning or "refused"
        return Failure(FailureKind.CALL, f"{reason} ({code})", code)
    if isinstance(exc, PollTimeout):
        return Failure(FailureKind.OVERLOAD, exc.reason)
    if isinstance(exc, (TransportError, OutcomeUnknown, OSError, TimeoutError)):
        return Failure(FailureKind.OFFLINE, "offline")
    return Failure(FailureKind.SERVER, "poll failed (unexpected error)")


class PollTimeout(UserFacingError):
    """The pane's own limit on one poll (the client may still be retrying a busy server underneath)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.reason = f"no answer within {seconds:g} s"
        """What the table and the status line read: words, never this class's name."""
        super().__init__(
            self.reason,
            "The server is slow or busy. camtui keeps trying and polls less often until it answers;\n"
            "rows it could not refresh are marked stale.",
        )


def _retry_after(exc: BaseException) -> float | None:
    value: Any = getattr(exc, "retry_after", None)
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


@dataclass(slots=True)
class Backoff:
    """The pane-wide slow-down: effective interval = configured interval × factor (or Retry-After, if longer)."""

    interval: float
    factor: float = 1.0
    retry_after: float | None = None
    max_interval: float = MAX_INTERVAL
    _raised_this_round: bool = False
    _troubled_this_round: bool = False

    @property
    def effective(self) -> float:
        slowed = min(self.max_interval, max(self.interval * self.factor, self.retry_after or 0.0))
        return max(self.interval, slowed)

    @property
    def slowed(self) -> bool:
        return self.effective > self.interval + 1e-9

    def trouble(self, failure: Failure) -> bool:
        """Note a pane-wide failure; slow down (once per round). Returns True when the factor went up."""
        if failure.kind not in (FailureKind.OVERLOAD, FailureKind.OFFLINE):
            return False
        self._troubled_this_round = True
        if failure.retry_after:
            self.retry_after = max(self.retry_after or 0.0, failure.retry_after)
        if self._raised_this_round:
            return False
        self._raised_this_round = True
        limit = max(1.0, self.max_interval / max(self.interval, 1e-6))
        self.factor = min(limit, self.factor * 2)
        return True

    def round_finished(self, good: int) -> None:
        """A round without pane-wide trouble and with good answers speeds the pane back up (halving)."""
        if not self._troubled_this_round and good > 0:
            self.factor = max(1.0, self.factor / 2)
            self.retry_after = None
        self._raised_this_round = False
        self._troubled_this_round = False


def call_error_delay(streak: int, interval: float) -> float:
    """How long a call that keeps failing on its own waits before the next try: 1, 2, 4 … 32 intervals."""
    return interval * min(32, 2 ** max(0, streak - 1))


def due_calls(rows: Sequence[CallRow], now: datetime, not_before: dict[str, datetime]) -> list[str]:
    """The calls to poll this round, in table order.

    Skipped: calls whose expiry passed and that were polled after it (nothing can change any more), and
    calls in per-call back-off (`not_before`).
    """
    out: list[str] = []
    for row in rows:
        done = row.expires is not None and row.last_attempt is not None and row.last_attempt >= row.expires
        if done and is_expired(row, now):
            continue
        nb = not_before.get(row.sid)
        if nb is not None and nb > now:
            continue
        out.append(row.sid)
    return out


def round_window(count: int, effective_interval: float) -> float:
    """Seconds a round of `count` polls is spread over: the whole interval, unless that spaces them too far."""
    return min(effective_interval, count * MAX_SPACING)


def next_round_delay(round_started: float, finished: float, effective_interval: float) -> float:
    """Seconds until the next round: rounds start one interval apart, never overlapping."""
    return max(MIN_GAP, round_started + effective_interval - finished)


@dataclass(slots=True)
class Breaker:
    """Stops a round after `threshold` pane-wide failures in a row: the server is down or refusing."""

    threshold: int = MAX_IN_FLIGHT
    streak: int = 0
    tripped: Failure | None = None

    def record(self, failure: Failure | None) -> None:
        if failure is None or not failure.pane_wide:
            self.streak = 0
            return
        if failure.kind is FailureKind.AUTH:
            self.tripped = failure
            return
        self.streak += 1
        if self.streak >= self.threshold:
            self.tripped = failure


async def run_round(
    sids: Sequence[str],
    fetch: Callable[[str], Awaitable[T]],
    on_result: Callable[[str, T], None],
    on_error: Callable[[str, BaseException], None],
    *,
    window: Callable[[], float],
    max_in_flight: int = MAX_IN_FLIGHT,
    should_stop: Callable[[], bool] = lambda: False,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    tick: float = 0.04,
    max_lag: float = 0.5,
) -> int:
    """Poll `sids` once each, spread over `window()` seconds, at most `max_in_flight` at a time.

    `max_in_flight` workers take the calls in order from one shared schedule (no task or semaphore per call:
    with 2,000 calls that bookkeeping cost more than the rest of the dispatch). Each call gets the next slot
    when a worker takes it; `window` is read then, so a slow-down mid-round stretches the rest of it. A worker
    waits for its slot on a `tick` grid, going out up to `tick` early, so that wake-ups come in small groups,
    not one timer per call. A slot that falls behind (workers busy, the event loop late) catches up on at most
    `max_lag` seconds of schedule: small delays are made good, a long stall is not followed by a burst.
    Returns how many requests were dispatched.
    """
    n = len(sids)
    if n == 0:
        return 0
    start = clock()
    next_at = start
    taken = 0
    dispatched = 0
    stopped = False

    async def worker() -> None:
        nonlocal next_at, taken, dispatched, stopped
        while taken < n and not stopped:
            if should_stop():
                stopped = True
                return
            sid = sids[taken]
            taken += 1
            now = clock()
            span = max(0.0, window())
            at = max(next_at, now - min(max_lag, span / 4))
            next_at = at + span / n
            if at - now > tick:
                wake = start + math.ceil((at - tick - start) / tick) * tick
                await sleep(max(0.0, wake - now))
                if stopped or should_stop():
                    stopped = True
                    return
            dispatched += 1
            try:
                result = await fetch(sid)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                on_error(sid, exc)
            else:
                on_result(sid, result)

    async with asyncio.TaskGroup() as group:
        for _ in range(min(max_in_flight, n)):
            group.create_task(worker())
    return dispatched


def expiry_warning_window(interval: float) -> timedelta:
    """How early to warn that a call with people in it is about to expire: 10 minutes, or 3 polls if longer."""
    return timedelta(seconds=max(600.0, 3 * interval))

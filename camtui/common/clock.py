"""Where "now" comes from: the wall clock, or a fixed instant for deterministic tests and snapshots."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
"""A function returning an aware datetime."""


def system_clock() -> datetime:
    return datetime.now(UTC)


def fixed_clock(instant: datetime) -> Clock:
    """A clock stuck at `instant` (must be aware)."""
    if instant.tzinfo is None:
        raise ValueError("fixed_clock needs an aware datetime")
    return lambda: instant


def now_ms(clock: Clock = system_clock) -> int:
    return int(clock().timestamp() * 1000)

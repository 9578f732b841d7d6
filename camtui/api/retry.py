"""How long to wait between attempts: exponential back-off with jitter, bounded in attempts and total time."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Back-off settings. Tests pass small delays; `sleep` and `rng` can be injected for determinism."""

    max_attempts: int = 6
    """Attempts in all, the first one included."""
    base_delay: float = 0.25
    """Delay before the second attempt; doubled for each further one."""
    max_delay: float = 8.0
    jitter: float = 0.5
    """Each delay is scaled by a random factor in [1 - jitter, 1 + jitter]."""
    max_retry_after: float = 30.0
    """A server's `Retry-After` is honoured up to this many seconds (longer: give up instead)."""
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep, repr=False, compare=False)
    rng: random.Random = field(default_factory=random.Random, repr=False, compare=False)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        backoff = min(self.max_delay, self.base_delay * (2 ** max(0, attempt - 1)))
        if self.jitter:
            backoff *= 1 + self.rng.uniform(-self.jitter, self.jitter)
        backoff = max(0.0, backoff)
        if retry_after is not None:
            backoff = max(backoff, min(retry_after, self.max_retry_after))
        return backoff


def parse_retry_after(value: str | None) -> float | None:
    """`Retry-After` as seconds (the HTTP-date form is rare for APIs and treated as absent)."""
    if not value:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    if seconds != seconds or seconds < 0:
        return None
    return seconds

"""Per-address protections: the bad-token lock-out (490) and the request rate limit (491).

Both run on a monotonic clock (operational time), not the sandbox's `now`, which tests often freeze.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

LOCKOUT_ATTEMPTS = 20
LOCKOUT_WINDOW_S = 60.0
LOCKOUT_DURATION_S = 300.0


class Lockout:
    """After `attempts` bad tokens within `window` seconds from one address, that address gets 490 (even
    with a good token) for `duration` seconds. Fewer bad tokens are answered 805 as usual."""

    def __init__(
        self,
        attempts: int = LOCKOUT_ATTEMPTS,
        window: float = LOCKOUT_WINDOW_S,
        duration: float = LOCKOUT_DURATION_S,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.attempts = attempts
        self.window = window
        self.duration = duration
        self.monotonic = monotonic
        self._failures: dict[str, deque[float]] = {}
        self._locked_until: dict[str, float] = {}

    def locked(self, address: str) -> bool:
        until = self._locked_until.get(address)
        if until is None:
            return False
        if self.monotonic() >= until:
            del self._locked_until[address]
            return False
        return True

    def record_failure(self, address: str) -> bool:
        """Count one bad token; True when this one starts a lock-out."""
        now = self.monotonic()
        failures = self._failures.setdefault(address, deque())
        failures.append(now)
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if len(failures) >= self.attempts:
            failures.clear()
            self._locked_until[address] = now + self.duration
            return True
        return False

    def clear(self) -> None:
        self._failures.clear()
        self._locked_until.clear()


class RateLimiter:
    """A token bucket per address: `rate` requests per second on average, bursts up to `burst`."""

    def __init__(
        self, rate: float, burst: float | None = None, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        if rate <= 0:
            raise ValueError("rate limit must be positive")
        self.rate = rate
        self.burst = burst if burst is not None else max(1.0, rate)
        self.monotonic = monotonic
        self._buckets: dict[str, tuple[float, float]] = {}

    def acquire(self, address: str) -> float:
        """0 when the request may proceed, else the seconds to wait before retrying."""
        now = self.monotonic()
        tokens, last = self._buckets.get(address, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens >= 1.0:
            self._buckets[address] = (tokens - 1.0, now)
            return 0.0
        self._buckets[address] = (tokens, now)
        return (1.0 - tokens) / self.rate


def retry_after_header(seconds: float) -> str:
    """`Retry-After` in whole seconds, at least 1."""
    return str(max(1, math.ceil(seconds)))

"""Lock-out and rate limit over time, with an injected monotonic clock (the HTTP tests cover the wiring)."""

from __future__ import annotations

import pytest

from camtui.sandbox.guards import Lockout, RateLimiter, retry_after_header


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_lockout_after_twenty_in_a_minute_for_five_minutes():
    clock = Clock()
    lockout = Lockout(monotonic=clock)
    assert not any(lockout.record_failure("1.2.3.4") for _ in range(19))
    assert not lockout.locked("1.2.3.4")
    assert lockout.record_failure("1.2.3.4")
    assert lockout.locked("1.2.3.4") and not lockout.locked("5.6.7.8")
    clock.t += 299
    assert lockout.locked("1.2.3.4")
    clock.t += 2
    assert not lockout.locked("1.2.3.4")


def test_slow_mistakes_never_lock_out():
    clock = Clock()
    lockout = Lockout(monotonic=clock)
    for _ in range(100):
        assert not lockout.record_failure("a")
        clock.t += 4  # 15 per minute
    assert not lockout.locked("a")


def test_rate_limiter_bucket_refills():
    clock = Clock()
    limiter = RateLimiter(2, monotonic=clock)
    assert [limiter.acquire("a") for _ in range(2)] == [0, 0]
    wait = limiter.acquire("a")
    assert wait == pytest.approx(0.5)
    assert limiter.acquire("b") == 0  # per address
    clock.t += 0.5
    assert limiter.acquire("a") == 0
    assert retry_after_header(wait) == "1" and retry_after_header(3.2) == "4"


def test_rate_limit_must_be_positive():
    with pytest.raises(ValueError):
        RateLimiter(0)

"""Client fixtures: a CAMClient on the test sandbox, with fast, recorded back-off."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

import pytest

from camtui.api import CAMClient, RetryPolicy


class SleepRecorder:
    """Back-off `sleep` that records the delays the client asked for and waits only a token amount."""

    def __init__(self, real: bool = False) -> None:
        self.delays: list[float] = []
        self.real = real
        """Really wait (for a server that counts time, like the rate limiter)."""

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        await asyncio.sleep(seconds if self.real else 0.001)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def real_sleeps() -> SleepRecorder:
    """Records and really waits: for servers that count time (the rate limiter)."""
    return SleepRecorder(real=True)


@pytest.fixture
def fast_retry(sleeps: SleepRecorder) -> RetryPolicy:
    return RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05, sleep=sleeps, rng=random.Random(1))


@pytest.fixture
async def client(sandbox, fast_retry) -> AsyncIterator[CAMClient]:
    """Admin-token client on the `sandbox` fixture."""
    async with CAMClient(sandbox.url, sandbox.admin_token, retry=fast_retry, timeout=5.0) as c:
        yield c


@pytest.fixture
async def user_client(sandbox, fast_retry) -> AsyncIterator[CAMClient]:
    """Ordinary-user-token client on the `sandbox` fixture."""
    async with CAMClient(sandbox.url, sandbox.user_token, retry=fast_retry, timeout=5.0) as c:
        yield c

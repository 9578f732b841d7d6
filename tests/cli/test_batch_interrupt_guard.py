"""`InterruptGuard` on its own (real SIGINT to this process, no server): the wait for the answer in flight is
bounded, and ^C before sending starts aborts at once."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator

import pytest

from camtui.cli.batch_interrupt import InterruptGuard
from camtui.compose.batch import IN_FLIGHT_NOTICE, StopRequest


@pytest.fixture(autouse=True)
def restore_sigint() -> Iterator[None]:
    before = signal.getsignal(signal.SIGINT)
    yield
    signal.signal(signal.SIGINT, before)


def run_guarded(stop: StopRequest, bound: float, said: list[str]) -> InterruptGuard:
    guard = InterruptGuard(stop, bound=bound, say=said.append)

    async def main() -> None:
        with guard:
            os.kill(os.getpid(), signal.SIGINT)
            await asyncio.sleep(5)  # a request whose answer never comes

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(main())
    return guard


def test_no_answer_within_the_bound_aborts() -> None:
    stop, said = StopRequest(running=True, in_flight=5), []
    started = time.monotonic()
    guard = run_guarded(stop, 0.3, said)
    assert guard.aborted and stop.requested and time.monotonic() - started < 3
    assert said == [f"{IN_FLIGHT_NOTICE} (waiting at most 0.3 s)", "no answer within 0.3 s: aborting"]
    # A ^C while the process winds down is ignored, not a traceback.
    assert signal.getsignal(signal.SIGINT) is not signal.default_int_handler


def test_ctrl_c_before_sending_starts_aborts_at_once() -> None:
    stop, said = StopRequest(), []
    guard = run_guarded(stop, 10.0, said)
    assert guard.aborted and said == [] and not stop.requested

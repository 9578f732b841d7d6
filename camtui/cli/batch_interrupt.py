"""^C during `camtui send-batch`: the first one finishes the request in flight, the second one aborts.

asyncio's own SIGINT handling cancels the main task at once, which turns the chunk whose request is out into
"outcome unknown" although it usually lands a moment later. `InterruptGuard` replaces it while the batch runs:
- before sending starts (export of the directory, planning): ^C aborts at once, nothing has been sent;
- the first ^C while sending asks the engine (`StopRequest`) to take no new chunk and says so; the answer of
  the chunk in flight is awaited at most `bound` seconds (the client's timeout), then the run is aborted;
- a second ^C aborts as before: the chunk in flight is journalled "outcome unknown";
- once a ^C was seen, one more while the process winds down (summary, journal, exit 130) is ignored: it would
  only turn the orderly exit into a traceback.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable

from camtui.compose.batch import IN_FLIGHT_NOTICE, StopRequest


class InterruptGuard:
    """Installed around the batch's main coroutine (`with InterruptGuard(...)` inside the running loop)."""

    def __init__(self, stop: StopRequest, bound: float, say: Callable[[str], None]) -> None:
        self.stop = stop
        self.bound = bound
        self.say = say
        self.aborted = False
        """True once the run was cancelled (a ^C before sending, a second ^C, or no answer in time)."""
        self._task: asyncio.Task[object] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._installed = False
        self.seen = False
        """At least one ^C arrived while installed."""

    def __enter__(self) -> InterruptGuard:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        try:
            self._loop.add_signal_handler(signal.SIGINT, self._on_sigint)
        except (NotImplementedError, RuntimeError):  # no signal handlers here (Windows, not the main thread)
            return self
        self._installed = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self._installed and self._loop is not None:
            self._loop.remove_signal_handler(signal.SIGINT)  # back to KeyboardInterrupt
            self._installed = False
            if self.seen:
                signal.signal(signal.SIGINT, _late_ctrl_c)

    def _on_sigint(self) -> None:
        self.seen = True
        if not self.stop.running:
            self._abort(None)  # nothing is being sent (not yet, or no longer): nothing to finish
            return
        if not self.stop.request():
            self._abort("aborting: the request in flight is journalled as outcome unknown")
            return
        if self.stop.waiting_for_answer:
            self.say(f"{IN_FLIGHT_NOTICE} (waiting at most {self.bound:g} s)")
            assert self._loop is not None
            self._timer = self._loop.call_later(self.bound, self._no_answer)
        else:
            self.say("stopping: no new chunk will be sent — ^C again to abort")

    def _no_answer(self) -> None:
        if self.stop.waiting_for_answer:
            self._abort(f"no answer within {self.bound:g} s: aborting")

    def _abort(self, why: str | None) -> None:
        if why:
            self.say(why)
        self.aborted = True
        if self._task is not None:
            self._task.cancel()


def _late_ctrl_c(signum: int, frame: object) -> None:
    """The run is over and the process is exiting with 130 already: nothing left to interrupt."""

"""A polite stop for a batch run (the first ^C of `camtui send-batch`, `q` in the dashboard).

Cancelling the task that awaits a chunk's request turns the whole chunk into "outcome unknown": the request may
have landed. A `StopRequest` instead asks `apply_batch` to take no new chunk: the one in flight gets its answer
and is journalled like any other, so a stop costs no item its certainty. Whoever asks decides how long to wait
for that answer and cancels (the old abort) when the wait is over or the user insists.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class StopRequest:
    """Shared by the one who stops (a signal handler, a key) and the run (`apply_batch(stop=...)`)."""

    requested: bool = False
    """Set by `request()`: take no new chunk."""
    in_flight: int = 0
    """Items of the chunk whose request is out now (0 between requests); kept up to date by `apply_batch`."""
    running: bool = False
    """True from the first chunk to the end of `apply_batch`: before that there is nothing to finish."""

    def request(self) -> bool:
        """Ask for the stop; True the first time (a polite stop), False when it was already asked (abort)."""
        first = not self.requested
        self.requested = True
        return first

    @property
    def waiting_for_answer(self) -> bool:
        """A request is out: stopping politely means waiting for its answer."""
        return self.running and self.in_flight > 0


IN_FLIGHT_NOTICE = "finishing the request in flight — ^C again to abort"
"""What the CLI says on the first ^C while a chunk's request is out (the dashboard says the same with `q`)."""

STOPPED_REASON = "interrupted (^C): the request in flight was answered and journalled; no new chunk was sent"

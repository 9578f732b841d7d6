"""`q` while a send is in flight: finish the request first, then quit; `q` (or ctrl+c) again quits at once.

Quitting cancels every worker, and a send cancelled mid-request becomes "outcome unknown" (kept in the outbox or
the batch journal, never resent without asking) although its answer is usually a moment away. The composer
tracks its send workers here (`track`), a batch with its `StopRequest` so that no new chunk is started; on the
first quit the shell waits for them — at most the client's timeout — says so in the status line, then exits.
Panes never talk to each other through this: it only knows workers and stop requests.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Protocol

from textual.worker import Worker, WorkerCancelled, WorkerFailed, WorkerState

QUIT_NOTICE = "finishing the send in flight — q again to abort"


class Stoppable(Protocol):
    def request(self) -> bool: ...


class QuitGuard:
    """One per app (`CamApp.quit_guard`)."""

    def __init__(self, app: Any) -> None:
        self._app = app
        self._sends: dict[Worker[Any], Stoppable | None] = {}
        self.pending = False
        """A quit is waiting for sends in flight: the next quit key quits at once."""

    def track(self, worker: Worker[Any], stop: Stoppable | None = None) -> None:
        """A send worker; `stop`: asked to take no new request (a batch's `StopRequest`)."""
        self._prune()
        self._sends[worker] = stop
        if self.pending and stop is not None:
            stop.request()

    def in_flight(self) -> list[Worker[Any]]:
        self._prune()
        return list(self._sends)

    def may_quit(self) -> bool:
        """The quit key: True to quit now (nothing in flight, or asked a second time); False: wait, the app
        quits by itself once the sends are answered."""
        if self.pending:
            return True
        sends = self.in_flight()
        if not sends:
            return True
        self.pending = True
        for stop in self._sends.values():
            if stop is not None:
                stop.request()
        self._say(QUIT_NOTICE)
        self._app.run_worker(self._finish_then_exit(sends), group="quit-guard", exit_on_error=False)
        return False

    async def _finish_then_exit(self, sends: list[Worker[Any]]) -> None:
        bound = float(getattr(self._app.settings, "timeout_seconds", 10.0))
        try:
            async with asyncio.timeout(bound):
                for worker in sends:
                    with contextlib.suppress(WorkerCancelled, WorkerFailed):
                        await worker.wait()
        except TimeoutError:
            self._say(f"no answer within {bound:.0f} s: quitting (the send is kept as outcome unknown)")
        self._app.exit()

    def _prune(self) -> None:
        for worker in [w for w in self._sends if w.state not in (WorkerState.PENDING, WorkerState.RUNNING)]:
            del self._sends[worker]

    def _say(self, text: str) -> None:
        status = getattr(self._app, "status_line", None)
        with contextlib.suppress(Exception):  # quitting: the screens may be gone already
            status.set_notice(text)


def track_send(app: Any, worker: Worker[Any], stop: Stoppable | None = None) -> None:
    """For panes: register a send worker with the app's guard (an app without one — a test double — is fine)."""
    guard = getattr(app, "quit_guard", None)
    if isinstance(guard, QuitGuard):
        guard.track(worker, stop)

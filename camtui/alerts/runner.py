"""Running the engine: the headless loop behind `camtui alerts run` (it polls with the client itself), and the
small adapters a dashboard that already polls uses to feed it.

One round: poll the watched calls (the store's watch list plus every call a rule names), the rooms' reservations
for today, note how the server answered, `evaluate`, then run each firing's actions (logged one line each).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from camtui.alerts.actions import perform, recover_interrupted
from camtui.alerts.engine import AlertEngine
from camtui.alerts.model import CallSeen, Firing
from camtui.api.errors import CAMAPIError, OutcomeUnknown, TransportError
from camtui.api.models import CallStats
from camtui.common.call_refs import share_url_for
from camtui.common.clock import Clock, system_clock
from camtui.store import Store

LOCK_KEY = "alerts.runner_pid"
"""ui_state key naming the process that runs the alert actions on this store (one at a time)."""


def call_seen(sid: str, stats: CallStats | None, *, url: str = "", error_code: str | None = None) -> CallSeen:
    """A poll's result as the engine takes it; `stats=None`: the poll failed (unknown)."""
    if stats is None:
        return CallSeen(sid, url=url, error_code=error_code)
    return CallSeen(sid, stats.title, url, stats.participants, stats.in_progress, stats.expired_date)


def outcome_of(exc: BaseException | None) -> str:
    """How a request went, for `AlertEngine.observe_server`."""
    if exc is None:
        return "ok"
    if isinstance(exc, CAMAPIError):
        return str(exc.code)
    return "unreachable"


def claim(store: Store) -> int | None:
    """Make this process the one that acts on alerts for `store`. None when claimed; else the pid of another
    live process that already does (two engines on one store would each send the message)."""
    from camtui.store.db import pid_alive

    with store.lock:
        holder = store.ui_state.get(LOCK_KEY)
        if isinstance(holder, int) and holder != os.getpid() and pid_alive(holder):
            return holder
        store.ui_state.set(LOCK_KEY, os.getpid())
    return None


def release(store: Store) -> None:
    with store.lock:
        if store.ui_state.get(LOCK_KEY) == os.getpid():
            store.ui_state.delete(LOCK_KEY)


class AlertRunner:
    """`camtui alerts run`: polls, evaluates and acts until stopped. `log` gets one line per firing and one per
    action (indented)."""

    def __init__(
        self,
        engine: AlertEngine,
        client: Any,
        store: Store,
        *,
        calls_interval: float = 5.0,
        rooms_interval: float = 15.0,
        time_zone: str = "Asia/Tokyo",
        clock: Clock = system_clock,
        log: Callable[[str], None] = print,
        concurrency: int = 8,
    ) -> None:
        self.engine = engine
        self.client = client
        self.store = store
        self.calls_interval = calls_interval
        self.rooms_interval = rooms_interval
        self.zone = ZoneInfo(time_zone)
        self.time_zone = time_zone
        self.clock = clock
        self.log = log
        self._gate = asyncio.Semaphore(concurrency)
        self._rooms_due = 0.0
        self.firings = 0
        self.rounds = 0

    def watched(self) -> list[tuple[str, str]]:
        """(sid, url): the store's watch list, then calls named by rules."""
        out = {c.sid: c.url for c in self.store.calls.list()}
        for rule in self.engine.rules:
            for sid in rule.calls or ():
                out.setdefault(sid, (rule.call_urls or {}).get(sid, ""))
        return list(out.items())

    async def run(self, stop: asyncio.Event, *, seconds: float | None = None) -> int:
        """Rounds every `calls_interval` until `stop` is set (or `seconds` passed). Returns the firings made."""
        loop = asyncio.get_running_loop()
        end = None if seconds is None else loop.time() + seconds
        recovered = recover_interrupted(self.store)
        if recovered:
            self.log(f"{recovered} firing(s) left half-done by a stopped camtui: marked, not redone")
        while not stop.is_set():
            started = loop.time()
            await self.round()
            if end is not None and loop.time() >= end:
                break
            wait = self.calls_interval - (loop.time() - started)
            if end is not None:
                wait = min(wait, end - loop.time())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=max(0.0, wait))
        return self.firings

    async def round(self) -> list[Firing]:
        """One poll round, evaluation, and the firings' actions."""
        loop = asyncio.get_running_loop()
        if loop.time() >= self._rooms_due:
            await self.poll_rooms()
            self._rooms_due = loop.time() + self.rooms_interval
        await self.poll_calls()
        firings = self.engine.evaluate(self.clock())
        self.rounds += 1
        for firing in firings:
            await self.act(firing)
        return firings

    async def act(self, firing: Firing) -> list[str]:
        self.firings += 1
        at = firing.at.astimezone(self.zone).strftime("%Y-%m-%d %H:%M:%S")
        self.log(f"{at} alert {firing.rule!r} fired: {firing.label}: {firing.reason}")
        return await perform(
            firing,
            self.client,
            self.store,
            clock=self.clock,
            on_line=lambda s: self.log("  " + s),
            time_zone=self.time_zone,
        )

    async def poll_rooms(self) -> None:
        today = self.clock().astimezone(self.zone).date()
        try:
            status = await self.client.get_conference_room_status(today)
        except (CAMAPIError, TransportError, OutcomeUnknown) as exc:
            self.engine.observe_rooms(self.clock(), None)
            self.engine.observe_server(self.clock(), outcome_of(exc))
            return
        self.engine.observe_rooms(self.clock(), status.rooms)
        self.engine.observe_server(self.clock(), "ok")

    async def poll_calls(self) -> None:
        calls = self.watched()
        if not calls:
            return
        results = await asyncio.gather(*(self._poll(sid, url) for sid, url in calls))
        now = self.clock()
        self.engine.observe_calls(now, (seen for seen, _exc in results))
        errors = [exc for _seen, exc in results if exc is not None]
        self.engine.observe_server(now, outcome_of(_worst(errors)) if errors else "ok")

    async def _poll(self, sid: str, url: str) -> tuple[CallSeen, BaseException | None]:
        url = url or share_url_for(getattr(self.client, "server_url", ""), sid)
        async with self._gate:
            try:
                stats = await self.client.get_call_stats(sid)
            except CAMAPIError as exc:
                return call_seen(sid, None, url=url, error_code=str(exc.code)), exc
            except (TransportError, OutcomeUnknown) as exc:
                return call_seen(sid, None, url=url), exc
        return call_seen(sid, stats, url=url), None


def _worst(errors: Iterable[BaseException]) -> BaseException | None:
    """The server is unreachable if any poll got no answer; else the first code answered."""
    first: BaseException | None = None
    for exc in errors:
        if not isinstance(exc, CAMAPIError):
            return exc
        first = first or exc
    return first


class CallRowLike(Protocol):
    """What `seen_from_row` reads: the calls pane's `CallRow` has these (no import of tui here)."""

    sid: str
    title: str
    url: str
    participants: int | None
    in_progress: bool | None
    expires: datetime | None
    last_ok: datetime | None
    error: str | None
    error_code: str | None
    stale_reason: str | None


def seen_from_row(row: CallRowLike) -> CallSeen:
    """A calls-pane row as the engine takes it: unknown (participants None) unless its last poll was good."""
    if (
        row.last_ok is None
        or row.error is not None
        or row.stale_reason is not None
        or row.participants is None
    ):
        return CallSeen(row.sid, row.title, row.url, error_code=row.error_code)
    return CallSeen(row.sid, row.title, row.url, row.participants, row.in_progress, row.expires)


def feed_calls(engine: AlertEngine, at: datetime, rows: Iterable[CallRowLike]) -> None:
    """For a dashboard: after each poll round, every watched row (a failed or stale one counts as unknown)."""
    engine.observe_calls(at, (seen_from_row(r) for r in rows))

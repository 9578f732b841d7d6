"""The calls pane: a live monitor of the web calls camtui watches, and quick-call creation.

There is no list-calls API, so the pane watches what the admin created here, added by ID or share URL, or listed
in the config. Each round polls every due call once through the shared client, spread across the interval with at
most 8 requests in flight (`calls_poller`); the next round is armed with `set_timer` when this one has finished.
Per-call failures mark that row; 491/503 and timeouts slow the whole pane down until the server recovers; rows
that could not be refreshed say so and why. The watch list and each call's participant history live in the store.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections import deque
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, Static
from textual.worker import Worker

from camtui.store.calls import CallUpdate
from camtui.tui.calls.create import QuickCallDialog, QuickCallRequest, successor_request
from camtui.tui.calls.detail import CallDetailScreen
from camtui.tui.calls.dialogs import CallsConfirm, CallsPrompt, CallsQuestion
from camtui.tui.calls.model import (
    UNKNOWN,
    CallEvent,
    CallRow,
    apply_call_error,
    apply_pane_error,
    apply_stats,
    check_expiry,
    expiring_soon,
    fmt_duration,
    fmt_time,
    is_expired,
    is_stale,
    mark_unknown,
    parse_call_ref,
    share_url_for,
    take_sample,
)
from camtui.tui.calls.poller import (
    MAX_IN_FLIGHT,
    Backoff,
    Breaker,
    Failure,
    FailureKind,
    PollTimeout,
    call_error_delay,
    classify,
    due_calls,
    next_round_delay,
    round_window,
    run_round,
)
from camtui.tui.calls.table import SPARK_WINDOW, CallsTable
from camtui.tui.shell.events import PaneStatus

HISTORY_DAYS = 14
"""Participant history older than this is pruned on start."""
REPORT_EVERY = 60.0
"""A per-poll failure that is not an outage (a 500, a garbled answer) is toasted at most this often."""
_PANE_WIDE_KINDS = frozenset(k.value for k in (FailureKind.OVERLOAD, FailureKind.OFFLINE, FailureKind.AUTH))
FLUSH_SECONDS = 2.0
"""Poll outcomes are written to the store in batches at most this far apart (and at each round's end)."""

SCREENSHOTS: list[tuple[str, list[str]]] = [
    ("calls-maximised", ["2", "z"]),
    ("calls-detail", ["2", "enter"]),
    ("calls-new-call", ["2", "n"]),
]
"""Shots for screenshots/make_screenshots.py (keys pressed on the main screen once data arrived)."""

EMPTY_TEXT = """No calls watched yet.

The Chat&Messenger API cannot list calls, so camtui only sees the calls you
create here, add by ID or share URL, or list under [calls] watch in the config.

  n   create a quick call (it is watched at once)
  a   add a call by its ID or share URL"""


def _status_reason(failure: Failure) -> str:
    """The short reason the shell's status line understands."""
    if failure.kind is FailureKind.OFFLINE:
        return "offline"
    if failure.kind is FailureKind.AUTH:
        return "auth failed"
    if failure.code == "491":
        return "rate limited"
    if failure.code == "503":
        return "server unavailable"
    return failure.reason


def _parse_interval(text: str) -> float:
    raw = text.strip().lower().removesuffix("s").strip()
    try:
        value = float(raw)
    except ValueError:
        raise ValueError("Type a number of seconds, e.g. 5 or 30.") from None
    if not 1 <= value <= 3600:
        raise ValueError("Between 1 and 3600 seconds, please.")
    return value


CREATING_ACTIONS = frozenset({"new_call", "successor"})
"""Actions that create a call on the server: absent on a read-only dashboard (`camtui web --read-only`)."""


class CallsPane(Widget):
    """Watched calls: participants, trend, state, countdown, freshness; add, remove, create, inspect."""

    PANE_TITLE: ClassVar[str] = "Calls"
    ALLOW_MAXIMIZE = True
    MIN_POLL_TIMEOUT: ClassVar[float] = 10.0
    """One poll gives up after this long (or one interval, if longer): the client may be retrying a busy server."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add"),
        Binding("n", "new_call", "New call"),
        Binding("d,delete", "remove", "Remove"),
        Binding("X", "remove_expired", "Remove all expired calls", show=False),
        Binding("enter", "detail", "Detail"),
        Binding("p", "toggle_pause", "Pause"),
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("r", "refresh", "Refresh now", show=False),
        Binding("c", "copy_url", "Copy share URL", show=False),
        Binding("s", "sort", "Sort by next column", show=False),
        Binding("S", "reverse_sort", "Reverse sort", show=False),
        Binding("i", "set_interval", "Poll interval…", show=False),
        Binding("N", "successor", "Successor call", show=False),
        Binding(
            "escape", "close_filter", "", show=False
        ),  # only while the filter is open (else: the shell's)
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: dict[str, CallRow] = {}
        self.backoff = Backoff(5.0)
        self.paused = False
        self.pane_reason: str | None = None
        """Why the pane as a whole is not fresh: "paused", "auth failed", "offline", "server unavailable (503)"…"""
        self.last_good: datetime | None = None
        self.events: deque[CallEvent] = deque(maxlen=200)
        """Recent join/leave/start/empty/expire events, newest last."""
        self.rounds = 0
        self.round_log: deque[tuple[float, int]] = deque(maxlen=50)
        """(seconds, calls polled) of recent rounds: what the benchmark and the curious read."""
        self.event_count = 0
        self.call_store: Any = None
        self.tz = ZoneInfo("Asia/Tokyo")
        self._tz_name = "Asia/Tokyo"
        self._round_timer: Timer | None = None
        self._tick_timer: Timer | None = None
        self._round_worker: Worker[None] | None = None
        self._not_before: dict[str, datetime] = {}
        self._pending: list[Any] = []
        self._last_flush = time.monotonic()
        self._reported: dict[str, float] = {}
        """Failure kinds already reported (monotonic time): pane-wide ones once per outage, the rest at most
        once per `REPORT_EVERY` seconds, so a failing poll is one toast, not one per call or per round."""
        self._successor_sid: str | None = None
        self._deadlines: list[tuple[datetime, int, str]] = []
        """A heap of (when, seq, sid): expiries and expiry warnings still to come."""
        self._seq = itertools.count()
        self._status_text = ""
        self._table: CallsTable | None = None
        self._warning_window = timedelta(minutes=10)
        self._clock: Callable[[], datetime] | None = None

    # -- the app context ------------------------------------------------------------------------------------

    def now(self) -> datetime:
        clock = self._clock
        if clock is None:  # the app's clock, looked up once: polls ask 200 times a second
            clock = self._clock = self.app.clock  # type: ignore[attr-defined]
        return clock()

    @property
    def interval(self) -> float:
        return self.backoff.interval

    @property
    def table(self) -> CallsTable:
        if self._table is None:
            self._table = self.query_one(CallsTable)
        return self._table

    def row(self, sid: str) -> CallRow | None:
        return self._rows.get(sid)

    @property
    def watched(self) -> list[CallRow]:
        """Rows in watch-list order."""
        return list(self._rows.values())

    def share_url(self, row: CallRow) -> str:
        return row.url or share_url_for(self.app.client.server_url, row.sid)  # type: ignore[attr-defined]

    # -- layout ---------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        settings = getattr(self.app, "settings", None)
        self._tz_name = getattr(settings, "time_zone", "Asia/Tokyo") or "Asia/Tokyo"
        yield Static("", id="calls-status", markup=False)
        yield Input(
            placeholder="filter by title, ID or state · enter: keep · escape: clear", id="calls-filter"
        )
        yield CallsTable(
            id="calls-table",
            clock=self.now,
            tz=self._tz_name,
            interval=lambda: self.backoff.interval,
            pane_reason=lambda: self.pane_reason,
        )
        yield Static(EMPTY_TEXT, id="calls-empty", markup=False)

    def on_mount(self) -> None:
        self.border_title = self.PANE_TITLE
        settings = self.app.settings  # type: ignore[attr-defined]
        self.tz = ZoneInfo(self._tz_name)
        self.backoff = Backoff(float(getattr(settings, "calls_poll_seconds", 5.0) or 5.0))
        minutes = getattr(settings, "calls_expiry_warning_minutes", 10)
        self._warning_window = timedelta(minutes=max(0, int(minutes)))
        self._show_filter(False)
        self.call_store = getattr(self.app.store, "calls", None)  # type: ignore[attr-defined]
        self._load(tuple(getattr(settings, "watch_calls", ()) or ()))
        for row in self._rows.values():
            self._schedule(row)
        self._sync_table()
        self._tick()
        if self.app.auth_failed:  # type: ignore[attr-defined]
            self._set_pane_reason("auth failed")
        else:
            self.start_round()

    def _load(self, config_refs: tuple[str, ...]) -> None:
        """The watch list from the store (with its recent history), plus the config's calls."""
        store = self.call_store
        now = self.now()
        if store is None:
            self.notify("The store has no call table: watched calls will not be kept.", severity="warning")
        else:
            try:
                store.prune(now - timedelta(days=HISTORY_DAYS))
                histories = store.histories(now - SPARK_WINDOW)
                for wc in store.list():
                    row = CallRow(
                        sid=wc.sid,
                        title=wc.title,
                        url=wc.url,
                        password=wc.password,
                        presenter_pass=wc.presenter_pass,
                        origin=wc.origin,
                        created=wc.created,
                        expires=wc.expires,
                        participants=wc.participants,
                        in_progress=wc.in_progress,
                        last_ok=wc.last_ok,
                    )
                    if wc.last_error and (wc.last_ok is None or (wc.last_error_at or now) >= wc.last_ok):
                        row.error = wc.last_error
                        row.last_attempt = wc.last_error_at
                    if wc.last_ok is not None:
                        row.stale_reason = "from last run"
                    row.expired_seen = is_expired(row, now)
                    samples = histories.get(wc.sid, [])
                    row.history = [(s.at, s.participants) for s in samples]
                    if samples:
                        row.last_sample_at = samples[-1].at
                        row.last_sample_value = (samples[-1].participants, samples[-1].in_progress)
                    self._rows[row.sid] = row
            except Exception as exc:
                self.app.report_error(exc, "calls")  # type: ignore[attr-defined]
        fresh: list[tuple[str, str]] = []
        for ref in config_refs:
            try:
                sid, url = parse_call_ref(ref)
            except ValueError as exc:
                self.notify(f"config [calls] watch: {ref!r}: {exc}", severity="warning", markup=False)
                continue
            if sid in self._rows:
                continue
            self._rows[sid] = CallRow(sid=sid, url=url, origin="config")
            fresh.append((sid, url))
        if fresh and store is not None:
            try:
                store.watch_many(fresh, origin="config", now=now)
            except Exception as exc:
                self.app.report_error(exc, "calls")  # type: ignore[attr-defined]

    def _sync_table(self) -> None:
        self.table.set_rows(self._rows.values())
        empty = not self._rows
        self.query_one("#calls-empty", Static).display = empty
        self.table.display = not empty
        self._update_status()

    def _add_row(self, row: CallRow, *, persist: bool) -> None:
        if persist and self.call_store is not None:
            try:
                self.call_store.watch(
                    row.sid,
                    title=row.title,
                    url=row.url,
                    password=row.password,
                    presenter_pass=row.presenter_pass,
                    origin=row.origin,
                    created=row.created,
                    expires=row.expires,
                    now=self.now(),
                )
            except Exception as exc:
                self.app.report_error(exc, "calls")  # type: ignore[attr-defined]
        self._rows[row.sid] = row

    # -- polling --------------------------------------------------------------------------------------------

    def start_round(self, manual: bool = False) -> None:
        """Poll every due call now (cancelling a round in progress); the next one is armed when it ends."""
        if self._round_timer is not None:
            self._round_timer.stop()
            self._round_timer = None
        if self.paused or self.app.auth_failed:  # type: ignore[attr-defined]
            return
        if not self._rows:
            self._post_status()
            return
        self._round_worker = self._poll_round(manual)

    def _stop_polling(self) -> None:
        if self._round_timer is not None:
            self._round_timer.stop()
            self._round_timer = None
        self.workers.cancel_group(self, "calls-poll")
        self._round_worker = None

    async def _fetch(self, sid: str) -> Any:
        """One getCallStats through the shared client (read at each poll: the shell may swap it)."""
        limit = max(self.MIN_POLL_TIMEOUT, self.backoff.interval)
        try:
            async with asyncio.timeout(limit):
                return await self.app.client.get_call_stats(sid)  # type: ignore[attr-defined]
        except TimeoutError:
            raise PollTimeout(limit) from None

    @work(exclusive=True, group="calls-poll", exit_on_error=False)
    async def _poll_round(self, manual: bool = False) -> None:
        started = time.monotonic()
        now = self.now()
        sids = due_calls(list(self._rows.values()), now, self._not_before)
        breaker = Breaker()
        tally = {"good": 0}
        attempted: set[str] = set()
        trouble: list[tuple[Failure, BaseException]] = []

        def on_result(sid: str, stats: Any) -> None:
            attempted.add(sid)
            breaker.record(None)
            tally["good"] += 1
            self._apply_result(sid, stats)

        def on_error(sid: str, exc: BaseException) -> None:
            attempted.add(sid)
            failure = classify(exc)
            breaker.record(failure)
            self._apply_failure(sid, failure, exc)
            if failure.pane_wide:
                trouble.append((failure, exc))

        try:
            await run_round(
                sids,
                self._fetch,
                on_result,
                on_error,
                window=lambda: 0.0 if manual else round_window(len(sids), self.backoff.effective),
                max_in_flight=MAX_IN_FLIGHT,
                should_stop=lambda: breaker.tripped is not None or self.paused,
            )
        except asyncio.CancelledError:
            self._flush()
            raise
        except Exception as exc:  # a bug must not stop the monitor: report it and keep polling
            self.app.report_error(exc, "calls")  # type: ignore[attr-defined]
        self.rounds += 1
        finished = time.monotonic()
        self.round_log.append((finished - started, len(attempted)))
        if breaker.tripped is not None:
            when = self.now()
            for sid in sids:
                row = self._rows.get(sid)
                if sid not in attempted and row is not None:
                    apply_pane_error(row, now=when, reason=breaker.tripped.reason)
                    if mark_unknown(row, when):
                        self._queue_update(row, when, ok=False, unknown=True, error=False)
                    self.table.row_changed(sid)
        self.backoff.round_finished(tally["good"])
        if trouble:
            failure = trouble[-1][0]
            reason = failure.reason
            if self.backoff.slowed:
                reason += f"; polling every {self.backoff.effective:g}s"
            self._set_pane_reason(reason, status=_status_reason(failure))
        else:
            self._forget_pane_wide_reports()
            if not self.paused and not self.app.auth_failed:  # type: ignore[attr-defined]
                self._set_pane_reason(None)
            if tally["good"]:
                self.last_good = self.now()
                self.post_message(PaneStatus("calls", ok=True, when=self.last_good))
        self._flush()
        self.table.tick()
        self._update_status()
        if not self.paused and not self.app.auth_failed:  # type: ignore[attr-defined]
            # after a manual refresh the regular schedule resumes one interval later
            delay = (
                self.backoff.effective
                if manual
                else next_round_delay(started, finished, self.backoff.effective)
            )
            self._round_timer = self.set_timer(delay, self.start_round)

    def _apply_result(self, sid: str, stats: Any) -> None:
        row = self._rows.get(sid)
        if row is None:
            return  # removed while its poll was in flight
        now = self.now()
        before = (row.title, row.created, row.expires, row.error)
        events = apply_stats(
            row,
            now=now,
            title=stats.title,
            created=stats.creation_date,
            expires=stats.expired_date,
            participants=stats.participants,
            in_progress=stats.in_progress,
        )
        sampled = take_sample(row, now, keep_since=now - SPARK_WINDOW)
        self._not_before.pop(sid, None)
        if sampled or before != (row.title, row.created, row.expires, row.error):
            self._queue_update(row, now, ok=True, sample=sampled)
            if before[2] != row.expires:
                self._schedule(row)
        for event in events:
            self._event(event)
        if not row.warned_expiry and self._warning_window and row.participants:
            self._check_deadlines(row, now)  # people joined a call already inside its warning window
        self.table.row_changed(sid)

    def _apply_failure(self, sid: str, failure: Failure, exc: BaseException) -> None:
        row = self._rows.get(sid)
        if row is None:
            return
        now = self.now()
        if failure.kind is FailureKind.CALL:
            first = row.error != failure.reason
            for event in apply_call_error(row, now=now, code=failure.code, reason=failure.reason):
                self._event(event)
            self._not_before[sid] = now + timedelta(seconds=call_error_delay(row.error_streak, self.interval))
            unknown = mark_unknown(row, now)
            if first or unknown:
                self._queue_update(row, now, ok=False, unknown=unknown, error=first)
            if first:
                self.app.report_error(exc, "calls")  # type: ignore[attr-defined]
        else:
            apply_pane_error(row, now=now, reason=failure.reason)
            if mark_unknown(row, now):
                self._queue_update(row, now, ok=False, unknown=True, error=False)
            if failure.kind in (FailureKind.OVERLOAD, FailureKind.OFFLINE):
                self.backoff.trouble(failure)
            key = f"{failure.kind.value}:{failure.code}:{type(exc).__name__}"
            last = self._reported.get(key)
            if last is None or (not failure.pane_wide and time.monotonic() - last >= REPORT_EVERY):
                self._reported[key] = time.monotonic()
                self._report(exc)
        self.table.row_changed(sid)

    def _report(self, exc: BaseException) -> None:
        """API and network failures, and the pane's own time limit (put in words by `PollTimeout`), go to the
        shell's one toast and its error log."""
        self.app.report_error(exc, "calls")  # type: ignore[attr-defined]

    def _forget_pane_wide_reports(self) -> None:
        """The server is reachable and willing again: the next outage deserves its own toast."""
        for key in [k for k in self._reported if k.split(":", 1)[0] in _PANE_WIDE_KINDS]:
            del self._reported[key]

    def _queue_update(
        self,
        row: CallRow,
        now: datetime,
        *,
        ok: bool,
        sample: bool = False,
        unknown: bool = False,
        error: bool = True,
    ) -> None:
        """Queue a store write: a good poll (with a history point if `sample`), or a failure (its error, if
        `error`; an "unknown from here" history point, if `unknown`)."""
        if self.call_store is None:
            return
        self._pending.append(
            CallUpdate(
                row.sid,
                now,
                ok,
                title=row.title,
                created=row.created,
                expires=row.expires,
                participants=UNKNOWN if unknown else row.participants,
                in_progress=False if unknown else row.in_progress,
                error=None if ok or not error else row.error,
                sample=sample or unknown,
            )
        )

    def _flush(self) -> None:
        self._last_flush = time.monotonic()
        if not self._pending or self.call_store is None:
            return
        batch, self._pending = self._pending, []
        try:
            self.call_store.record(batch)
        except Exception as exc:
            self.app.report_error(exc, "calls")  # type: ignore[attr-defined]

    def _event(self, event: CallEvent) -> None:
        self.events.append(event)
        self.event_count += 1
        if self.is_mounted:
            self.table.flash(event.sid, event.kind)

    def _set_pane_reason(self, reason: str | None, *, status: str | None = None) -> None:
        changed = reason != self.pane_reason
        self.pane_reason = reason
        if reason is not None and changed:
            self.post_message(PaneStatus("calls", ok=False, when=self.last_good, reason=status or reason))
        self._update_status()

    def _post_status(self) -> None:
        if self.pane_reason:
            self.post_message(PaneStatus("calls", ok=False, when=self.last_good, reason=self.pane_reason))

    @work(group="calls-one", exit_on_error=False)
    async def _poll_one(self, sid: str) -> None:
        """A call just added: show its state now rather than at the next round."""
        if self.app.auth_failed:  # type: ignore[attr-defined]
            return
        try:
            stats = await self._fetch(sid)
        except Exception as exc:
            self._apply_failure(sid, classify(exc), exc)
        else:
            self._apply_result(sid, stats)
            self.last_good = self.now()
        self._flush()
        self._update_status()

    def on_auth_state_changed(self, message: Any) -> None:
        """The shell says auth failed (stop polling) or was fixed / retried (poll now)."""
        if getattr(message, "failed", False):
            self._stop_polling()
            self._set_pane_reason("auth failed", status="auth failed")
        else:
            self._forget_pane_wide_reports()
            if self.pane_reason == "auth failed" or not self.paused:
                self._set_pane_reason("paused" if self.paused else None)
            self.start_round()

    # -- the clock ------------------------------------------------------------------------------------------

    def _tick(self) -> None:
        """Once a second: expiries, warnings, the visible countdowns (only changed lines), batched writes."""
        self._tick_timer = None
        now = self.now()
        while self._deadlines and self._deadlines[0][0] <= now:
            _when, _seq, sid = heapq.heappop(self._deadlines)
            row = self._rows.get(sid)
            if row is not None:
                self._check_deadlines(row, now)
        if self.table.display:
            self.table.tick(now)
        if self._pending and time.monotonic() - self._last_flush >= FLUSH_SECONDS:
            self._flush()
        self._update_status()
        self._tick_timer = self.set_timer(1.0, self._tick)

    def _schedule(self, row: CallRow) -> None:
        """Remember when this row's expiry (and the warning before it) is due, so the tick need not scan all."""
        if row.expires is None:
            return
        if not row.expired_seen:
            heapq.heappush(self._deadlines, (row.expires, next(self._seq), row.sid))
        if not row.warned_expiry and self._warning_window:
            heapq.heappush(self._deadlines, (row.expires - self._warning_window, next(self._seq), row.sid))

    def _check_deadlines(self, row: CallRow, now: datetime) -> None:
        for event in check_expiry(row, now):
            self._event(event)
        if (
            not row.warned_expiry
            and self._warning_window
            and expiring_soon(row, now, self._warning_window)
            and not is_stale(row, now, self.interval)  # only on a count we know now (the next poll re-checks)
        ):
            row.warned_expiry = True
            self._warn_expiry(row, now)

    def _warn_expiry(self, row: CallRow, now: datetime) -> None:
        self._successor_sid = row.sid
        assert row.expires is not None
        left = fmt_duration((row.expires - now).total_seconds())
        people = f"{row.participants} participant{'s' if row.participants != 1 else ''}"
        self.notify(
            f"「{row.title or row.sid}」 expires in {left} with {people} still in it.\n"
            "Press N (shift+n) in the calls pane to create a successor call with the same title and password.",
            title="Call about to expire",
            severity="warning",
            timeout=30,
            markup=False,
        )

    def _update_status(self) -> None:
        if not self.is_mounted:
            return
        total = len(self._rows)
        if total == 0:
            text = "no calls watched · n new · a add"
        else:
            parts = [f"{total} watched"]
            shown = len(self.table.rows)
            if self.table.filter_text:
                parts.append(f"filter {self.table.filter_text!r}: {shown} shown")
            if self.table.sort_key is not None:
                parts.append(f"sort {self.table.sort_label()}")
            if self.paused:
                parts.append("⏸ paused (p resumes)")
            else:
                parts.append(f"every {self.backoff.interval:g}s")
            if self.pane_reason and self.pane_reason != "paused":
                parts.append(f"⚠ {self.pane_reason}")
            if self.last_good is not None:
                parts.append(f"last good {self.last_good.astimezone(self.tz):%H:%M:%S}")
            text = " · ".join(parts)
        if text == self._status_text:
            return
        self._status_text = text
        status = self.query_one("#calls-status", Static)
        status.update(text, layout=False)  # one line, fixed height: no need to lay out the screen again
        status.set_class(bool(self.pane_reason) and self.pane_reason != "paused", "-stale")

    # -- actions --------------------------------------------------------------------------------------------

    def _selected(self) -> CallRow | None:
        return self.table.cursor_row if self._rows else None

    def action_add(self) -> None:
        self.app.push_screen(
            CallsPrompt(
                "Watch a call",
                "Paste the call's share URL or type its ID (the sid from createQuickCall).",
                parse_call_ref,
                placeholder="https://…/share/{ID}  or  ID",
            ),
            self._added,
        )

    def _added(self, ref: tuple[str, str] | None) -> None:
        if ref is None:
            return
        sid, url = ref
        self.watch_call(sid, url=url, origin="added")

    def watch_call(self, sid: str, *, origin: str = "added", **fields: Any) -> CallRow:
        """Add a call to the watch list (or select it if already there) and poll it at once."""
        existing = self._rows.get(sid)
        if existing is not None:
            self.table.select(sid)
            self.notify(f"Already watching {existing.title or sid}.", markup=False)
            return existing
        row = CallRow(sid=sid, origin=origin, **fields)
        self._add_row(row, persist=True)
        self._schedule(row)
        self._sync_table()
        self.table.select(sid)
        self._poll_one(sid)
        if self._round_timer is None and (self._round_worker is None or self._round_worker.is_finished):
            self.start_round()  # the list was empty: polling was idle
        return row

    def _created(self, call: Any, origin: str = "created") -> None:
        self.watch_call(
            call.sid,
            origin=origin,
            title=call.title,
            url=call.url,
            password=call.password,
            presenter_pass=call.presenter_pass,
            expires=call.expired_date,
        )

    def action_new_call(self) -> None:
        self.app.push_screen(QuickCallDialog(now=self.now, tz=self._tz_name, on_created=self._created))

    def action_remove(self) -> None:
        row = self._selected()
        if row is None:
            return
        sid = row.sid

        def answered(yes: bool | None) -> None:
            if yes:
                self.unwatch_call(sid)

        self.app.push_screen(
            CallsConfirm(
                "Stop watching?", f"Remove 「{row.title or '(untitled)'}」 ({sid}) and its history?"
            ),
            answered,
        )

    def action_remove_expired(self) -> None:
        """A dashboard open all day (or `camtui demo` following the sandbox's calls) collects expired calls:
        clear them in one go, after one question that names them."""
        now = self.now()
        expired = [row for row in self._rows.values() if is_expired(row, now)]
        if not expired:
            self.notify("No expired calls to remove.", timeout=3, markup=False)
            return
        names = [f"「{row.title or '(untitled)'}」" for row in expired[:5]]
        if len(expired) > 5:
            names.append(f"and {len(expired) - 5} more")
        count = f"{len(expired)} expired call" + ("s" if len(expired) > 1 else "")

        def answered(yes: bool | None) -> None:
            if yes:
                self.unwatch_calls([row.sid for row in expired])
                self.notify(f"Stopped watching {count}.", timeout=3, markup=False)

        self.app.push_screen(
            CallsConfirm(
                "Remove expired calls?", f"Stop watching {count} and drop their history: {', '.join(names)}"
            ),
            answered,
        )

    def unwatch_call(self, sid: str) -> None:
        self.unwatch_calls([sid])

    def unwatch_calls(self, sids: Iterable[str]) -> None:
        """Stop watching `sids`: rows, pending store writes and back-off go; the table is rebuilt once."""
        gone = {sid for sid in sids if self._rows.pop(sid, None) is not None}
        if not gone:
            return
        for sid in gone:
            self._not_before.pop(sid, None)
        self._pending = [u for u in self._pending if u.sid not in gone]
        if self.call_store is not None:
            try:
                self.call_store.unwatch_all(gone)
            except Exception as exc:
                self.app.report_error(exc, "calls")  # type: ignore[attr-defined]
        self._sync_table()

    def action_detail(self) -> None:
        row = self._selected()
        if row is None:
            raise SkipAction()
        self.app.push_screen(CallDetailScreen(self, row.sid, share_url=self.share_url))

    @on(CallsTable.Selected)
    def _table_selected(self, event: CallsTable.Selected) -> None:
        self.app.push_screen(CallDetailScreen(self, event.sid, share_url=self.share_url))

    def action_copy_url(self) -> None:
        row = self._selected()
        if row is None:
            return
        url = self.share_url(row)
        self.app.copy_to_clipboard(url)
        self.notify(url, title="Copied to the clipboard", markup=False)

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        if self.paused:
            self._stop_polling()
            self._flush()
            self._set_pane_reason("paused", status="paused")
        else:
            self._set_pane_reason(None)
            self.start_round()
        self.refresh_bindings()

    def action_refresh(self) -> None:
        if self.paused:
            self.notify("Paused: press p to resume polling.", markup=False)
            return
        self.start_round(manual=True)

    def action_sort(self) -> None:
        self.notify(f"Sorted by {self.table.cycle_sort()}", timeout=2, markup=False)
        self._update_status()

    def action_reverse_sort(self) -> None:
        self.notify(f"Sorted by {self.table.reverse_sort()}", timeout=2, markup=False)
        self._update_status()

    def _show_filter(self, show: bool) -> None:
        box = self.query_one("#calls-filter", Input)
        box.display = show
        box.disabled = not show  # a hidden input must not take the focus (the shell's `2` focuses the table)

    def action_filter(self) -> None:
        self._show_filter(True)
        self.query_one("#calls-filter", Input).focus()

    @on(Input.Changed, "#calls-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.table.set_filter(event.value)
        self._update_status()

    @on(Input.Submitted, "#calls-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        box = self.query_one("#calls-filter", Input)
        self.table.focus()
        if not box.value.strip():
            self._show_filter(False)

    def action_close_filter(self) -> None:
        box = self.query_one("#calls-filter", Input)
        if not box.display:
            raise SkipAction()
        box.value = ""
        self.table.focus()
        self._show_filter(False)
        self.table.set_filter("")
        self._update_status()

    def action_set_interval(self) -> None:
        self.app.push_screen(
            CallsPrompt(
                "Poll interval",
                "Seconds between polls of each call (the pane slows down by itself when the server is busy).",
                _parse_interval,
                value=f"{self.backoff.interval:g}",
            ),
            self._interval_chosen,
        )

    def _interval_chosen(self, value: float | None) -> None:
        if value is None:
            return
        self.set_poll_interval(value)

    def set_poll_interval(self, seconds: float) -> None:
        """Change the interval live; the next round starts now with the new spacing."""
        self.backoff.interval = float(seconds)
        self.notify(f"Polling each call every {seconds:g}s.", timeout=3, markup=False)
        self._update_status()
        if not self.paused:
            self.start_round()

    def action_successor(self) -> None:
        sid = self._successor_sid if self._successor_sid in self._rows else None
        row = self._rows.get(sid) if sid else self._selected()
        if row is None:
            return
        self.create_successor(row.sid)

    def create_successor(self, sid: str, *, confirm: bool = True) -> None:
        """Same title and password, a fresh expiry; if the password is unknown here, ask with the form.

        Asks first (y/n): the API cannot delete a call, so a stray shift+n must not leave a live call around.
        """
        row = self._rows.get(sid)
        if row is None:
            return
        if not row.password and row.origin not in ("created", "successor"):
            self.app.push_screen(
                QuickCallDialog(
                    now=self.now,
                    tz=self._tz_name,
                    on_created=lambda call: self._created(call, "successor"),
                    title=row.title,
                    heading="Successor call (this call's password is not known here: set one)",
                )
            )
            return
        request = successor_request(row, self.now())
        if not confirm:
            self._create_successor(sid, request)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._create_successor(sid, request)

        self.app.push_screen(CallsQuestion(self.successor_question(row, request)), answered)

    def successor_question(self, row: CallRow, request: QuickCallRequest) -> str:
        until = fmt_time(request.expires, self.now(), self.tz)
        return f"Create successor call '{row.title or '(untitled)'}' until {until}? y/n"

    @work(group="calls-successor", exclusive=True, exit_on_error=False)
    async def _create_successor(self, sid: str, request: QuickCallRequest) -> None:
        row = self._rows.get(sid)
        if row is None:
            return
        try:
            call = await self.app.client.create_quick_call(  # type: ignore[attr-defined]
                request.expires, request.password, request.title
            )
        except Exception as exc:
            self.app.report_error(exc, "calls")  # type: ignore[attr-defined]
            return
        self._created(call, "successor")
        if self._successor_sid == sid:
            self._successor_sid = None
        self.app.push_screen(
            QuickCallDialog(
                now=self.now,
                tz=self._tz_name,
                result=call,
                heading=f"Successor call for {row.title or row.sid}",
            )
        )

    # -- palette --------------------------------------------------------------------------------------------

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand(
            "Calls: Resume polling" if self.paused else "Calls: Pause polling",
            "Stop or restart polling the watched calls (p)",
            self.action_toggle_pause,
        )
        yield SystemCommand(
            "Calls: Sort by next column", f"Now: {self.table.sort_label()} (s; S reverses)", self.action_sort
        )
        if self.table.filter_text:
            yield SystemCommand("Calls: Clear filter", "Show every watched call", self.action_close_filter)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in CREATING_ACTIONS and getattr(self.app, "read_only", False):
            return False  # a wall display creates nothing: the keys are gone from the footer and help
        if action in ("remove", "remove_expired", "detail", "copy_url") and not self._rows:
            return None
        return True

    def on_unmount(self) -> None:
        self._flush()

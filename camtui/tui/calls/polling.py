"""How the calls pane polls: one round of every due call, one call just added, and what each outcome does to
the rows, the store and the pane's status. A mixin of `CallsPane` (split from pane.py by concern)."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta
from typing import Any

from textual import work

from camtui.store.calls import CallUpdate
from camtui.tui.calls.model import (
    UNKNOWN,
    CallEvent,
    CallRow,
    apply_call_error,
    apply_pane_error,
    apply_stats,
    mark_unknown,
    take_sample,
)
from camtui.tui.calls.poller import (
    MAX_IN_FLIGHT,
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
from camtui.tui.calls.table import SPARK_WINDOW
from camtui.tui.shell.durations import interval_text
from camtui.tui.shell.events import PaneStatus, PollFinished

REPORT_EVERY = 60.0
"""A per-poll failure that is not an outage (a 500, a garbled answer) is toasted at most this often."""
_PANE_WIDE_KINDS = frozenset(k.value for k in (FailureKind.OVERLOAD, FailureKind.OFFLINE, FailureKind.AUTH))
FLUSH_SECONDS = 2.0
"""Poll outcomes are written to the store in batches at most this far apart (and at each round's end)."""


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


class CallsPolling:
    """Rounds, single polls and their outcomes (part of `CallsPane`)."""

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
                reason += f"; polling every {interval_text(self.backoff.effective)}"
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
        self._feed_alerts(tally["good"], trouble[-1][0] if trouble else None)
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

    def _feed_alerts(self, good: int, failure: Failure | None) -> None:
        """The round's outcome for the shell's alert rules (only when the config has some): every watched call,
        a failed one as unknown; `reachable` False only when the server was not reached."""
        if not getattr(self.app, "alerts_wanted", False):
            return
        from camtui.tui.calls.alert_feed import calls_seen

        seen = calls_seen(self._rows.values(), self.now(), self.backoff.effective, self.share_url)
        offline = failure is not None and failure.kind is FailureKind.OFFLINE
        reachable = False if offline and not good else (True if good or failure is not None else None)
        code = failure.code if failure is not None else None
        self.post_message(PollFinished("calls", failure is None, data=seen, code=code, reachable=reachable))

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

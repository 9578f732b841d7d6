"""The dashboard's side of the alert rules: one engine (`camtui.alerts`), fed from what the panes already poll.

No second poller: after each rooms poll and each calls round (good or failed) the panes post `PollFinished`;
a failed poll arrives as unknown (rooms None, a call with `participants=None`), never as "nothing". Each one is
followed by an evaluation: toast actions become toasts; message and successor actions run in a worker through
the engine's action runner (`camtui.alerts.actions`: the outbox, never resent), its failures through the app's
one failure handler. A read-only dashboard evaluates and toasts, and sends nothing.
The status line's alert count, the rooms grid's marks and the open Alerts view are refreshed here.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from textual import work

from camtui.tui.shell.events import AlertMarks, LinksChanged, PollFinished

SENDING = frozenset({"send", "successor", "successor_send"})


class AlertsHost:
    """Mixed into the app: needs `settings`, `store`, `client`, `clock`, `read_only`, `notify`, `report_error`,
    `status_line`, `pane()`, `screen`."""

    settings: Any
    store: Any
    client: Any
    read_only: bool
    _alerts: Any = None
    alerts_problem: str | None = None
    """Why the config's rules could not be used (`file:line: key: problem`), shown in the Alerts view."""
    _alerts_started = False
    _feeding = False
    _alerts_closed = False
    _feeds: list[tuple[str, Any, str | None]]
    _engine_lock: threading.Lock
    alerts_acting: bool = False
    """This dashboard runs the rules' messages and successor calls (it holds the store's alert claim)."""
    alerts_elsewhere: int | None = None
    """The pid of another camtui that acts on this store's alerts (this one then only shows and toasts)."""
    _known_rooms: tuple[tuple[str, str], ...] = ()
    _today_rooms: tuple[Any, ...] = ()
    """Today's rooms (with reservations) from the rooms pane's last good poll: the call detail's "Room" line."""
    _shown_marks: dict[str, tuple[str, str]] = {}  # noqa: RUF012  (replaced, never mutated)

    # ---- setup ----------------------------------------------------------------------------------------------

    def start_alerts(self) -> None:
        """Build the engine from the config's `[[alerts]]`, at the first poll (not at start: the dashboard's
        first paint does not wait for it). Without rules (or with a rule the config cannot use) the engine still
        runs with none: the grid's ghost / squatter marks come from the call ↔ room links, not from rules."""
        if self._alerts_started:
            return
        self._alerts_started = True
        self._feeds = []
        self._engine_lock = threading.Lock()
        from camtui.alerts.engine import AlertEngine
        from camtui.alerts.rules import load_rules

        rules: tuple[Any, ...] = ()
        try:
            rules = load_rules(self.settings)
        except Exception as exc:  # ConfigError: file:line: key: problem
            self.alerts_problem = str(exc)
            self.notify(f"alert rules not used: {exc}", title="alerts", severity="warning", markup=False)  # type: ignore[attr-defined]
        calls_every = float(getattr(self.settings, "calls_poll_seconds", 5.0) or 5.0)
        rooms_every = float(getattr(self.settings, "rooms_poll_seconds", 15.0) or 15.0)
        try:
            self._alerts = AlertEngine(
                rules,
                self.store,
                server_url=getattr(self.client, "server_url", "") or "",
                time_zone=self.settings.time_zone,
                # a poll is late only after the pane itself would call its data stale
                call_stale_after=max(30.0, 3 * calls_every + 10),
                room_stale_after=max(90.0, 3 * rooms_every + 10),
            )
        except Exception as exc:  # the store cannot be read: no rules rather than no dashboard
            self.alerts_problem = f"the alert state in the store cannot be read: {exc}"
            self.report_error(exc, "alerts")  # type: ignore[attr-defined]
            return
        if not self.read_only and any(rule.sends or rule.successor for rule in rules):
            self._claim_actions()

    def _claim_actions(self) -> None:
        """Act only when no other camtui (`camtui alerts run`, another dashboard) acts on this store: two
        engines on one store would each send the message. Half-done firings of a stopped camtui are marked."""
        from camtui.alerts.actions import recover_interrupted
        from camtui.alerts.runner import claim

        try:
            holder = claim(self.store)
            if holder is None:
                self.alerts_acting = True
                recover_interrupted(self.store)
            else:
                self.alerts_elsewhere = holder
        except Exception as exc:
            self.report_error(exc, "alerts")  # type: ignore[attr-defined]

    def stop_alerts(self) -> None:
        """On exit, before the store closes: no batch runs after this one (it is waited for), and the next
        camtui may act on this store."""
        lock = getattr(self, "_engine_lock", None)
        if lock is not None:
            with lock:
                self._alerts_closed = True
        if not self.alerts_acting:
            return
        from camtui.alerts.runner import release

        with contextlib.suppress(
            Exception
        ):  # the store may be closed already: the next start sees a dead pid
            release(self.store)

    @property
    def alerts_note(self) -> str:
        """Why this dashboard shows but does not act ("" when it acts): the Alerts view's notice."""
        if self._alerts is None:
            return ""
        if self.read_only:
            from camtui.tui.alerts.text import READ_ONLY_TEXT

            return READ_ONLY_TEXT
        if self.alerts_elsewhere is not None:
            return (
                f"Another camtui (pid {self.alerts_elsewhere}, e.g. `camtui alerts run`) acts on these rules: this "
                "dashboard shows and toasts them, and sends nothing (two would each send the message)."
            )
        return ""

    @property
    def alerts_wanted(self) -> bool:
        """Whether the panes should hand their polls over (until the engine is known not to run)."""
        return self._alerts is not None or not self._alerts_started

    # ---- feeding --------------------------------------------------------------------------------------------
    #
    # The engine's work (fold the polls, decide every rule, the grid's marks: 25-40 ms a round for 2,000 calls
    # and 1,000 rooms, benchmarks/alerts_dashboard.py) runs in a thread, one batch at a time, under
    # `_engine_lock`; the main thread only builds the immutable inputs and shows the results. The Alerts view's
    # reads and the snooze / mute keys take the same lock.

    def on_poll_finished(self, event: PollFinished) -> None:
        if event.source == "rooms" and event.data is not None:
            self._today_rooms = tuple(event.data.rooms)  # type: ignore[attr-defined]
            self._known_rooms = tuple((r.id, r.name) for r in self._today_rooms)
        if not self._alerts_started:  # the first poll: its data is painted first, then the engine starts
            self.call_after_refresh(self._feed_poll, event)  # type: ignore[attr-defined]
            return
        self._feed_poll(event)

    def _feed_poll(self, event: PollFinished) -> None:
        self.start_alerts()
        if self._alerts is None:
            return
        outcome = "ok" if event.ok else ("unreachable" if event.reachable is False else event.code)
        if event.source == "rooms":
            rooms = event.data.rooms if event.data is not None else None  # type: ignore[attr-defined]
            self._queue_feed(("rooms", rooms, outcome))
        elif event.source == "calls":
            self._queue_feed(("calls", tuple(event.data or ()), outcome))  # type: ignore[call-overload]

    def on_links_changed(self, event: LinksChanged) -> None:
        links = getattr(self.store, "call_links", None)
        if self._alerts is None or links is None:
            return
        try:
            self._queue_feed(("links", links.all(), None))
        except Exception as exc:
            self.report_error(exc, "alerts")  # type: ignore[attr-defined]

    def evaluate_alerts(self) -> None:
        """Decide the rules again on what is known (after a snooze, a mute, the actions of a firing)."""
        if self._alerts is not None:
            self._queue_feed(("evaluate", None, None))

    def _queue_feed(self, item: tuple[str, Any, str | None]) -> None:
        self._feeds.append(item)
        if not self._feeding:
            self._feeding = True
            self._feed_worker()

    @work(group="alerts-feed", name="alerts", exit_on_error=False)
    async def _feed_worker(self) -> None:
        try:
            while self._feeds:
                batch, self._feeds = self._feeds, []
                now = self.clock()  # type: ignore[attr-defined]
                firings, active, marks = await asyncio.to_thread(self._apply_feeds, batch, now)
                self._after_evaluation(firings, active, marks)
        finally:
            self._feeding = False

    def _apply_feeds(
        self, batch: Sequence[tuple[str, Any, str | None]], now: datetime
    ) -> tuple[list[Any], int, dict[str, tuple[str, str]] | None]:
        """In the thread: fold the batch, decide, and read the count and the marks (None: rooms unknown)."""
        engine = self._alerts
        with self._engine_lock:
            if self._alerts_closed:
                return [], 0, None  # quitting: the store is about to close
            for kind, data, outcome in batch:
                if kind == "rooms":
                    engine.observe_rooms(now, data)
                elif kind == "calls":
                    watched = {c.sid for c in data}
                    for sid in [sid for sid in engine.calls if sid not in watched]:
                        engine.forget_call(sid)  # removed from the watch list
                    engine.observe_calls(now, data)
                elif kind == "links":
                    engine.set_links(data)
                if outcome:
                    engine.observe_server(now, outcome)
            firings = engine.evaluate(now)
            active = engine.active_count(now)
            # Unknown is not "fine": while the rooms are unknown the grid keeps the last good rooms (its age label
            # says stale), so it keeps the marks drawn from them too.
            marks = None if engine.rooms_failed else engine.room_marks(now)
        return firings, active, None if marks is None else {r: (m.kind, m.reason) for r, m in marks.items()}

    def _after_evaluation(
        self, firings: Sequence[Any], active: int, marks: dict[str, tuple[str, str]] | None
    ) -> None:
        acting = []
        for firing in firings:
            for text in firing.toasts:
                self.notify(text, title=f"alert: {firing.rule}", severity="warning", markup=False)  # type: ignore[attr-defined]
            if self.alerts_acting and any(action.kind in SENDING for action in firing.actions):
                acting.append(firing)  # (a toast is recorded as done with its firing by the engine)
        if acting:
            self._run_alert_actions(acting)
        self._show_alert_state(active, marks)

    @work(group="alerts-actions", name="alerts", exit_on_error=False)
    async def _run_alert_actions(self, firings: Sequence[Any]) -> None:
        """Messages and successor calls of these firings, one after another, through the engine's runner:
        each message is written to the outbox before its request and never resent after an unknown outcome."""
        from camtui.alerts.actions import perform

        successor = False
        for firing in firings:
            await perform(firing, self.client, self.store, clock=self.clock)  # type: ignore[attr-defined]
            successor = successor or any(a.kind == "successor" for a in firing.actions)
        if (
            successor
        ):  # the new call is in the store's watch list: the calls pane shows it now, not at restart
            calls = self.pane("calls")  # type: ignore[attr-defined]
            adopt = getattr(calls, "watch_from_store", None)
            if callable(adopt):
                adopt()
        self._refresh_view()

    # ---- showing --------------------------------------------------------------------------------------------

    def _show_alert_state(self, active: int, marks: dict[str, tuple[str, str]] | None) -> None:
        """The status count, the grid's marks, and the Alerts view if it is open."""
        try:
            self.status_line.set_alerts(active)  # type: ignore[attr-defined]
        except Exception:  # quitting: the screens are gone
            return
        if marks is not None and marks != self._shown_marks:
            self._shown_marks = marks
            rooms = self.pane("rooms")  # type: ignore[attr-defined]
            if rooms is not None:
                rooms.post_message(AlertMarks(marks))
        self._refresh_view()

    def _refresh_view(self) -> None:
        refresh = getattr(self.screen, "refresh_views", None)  # type: ignore[attr-defined]
        if callable(refresh):
            refresh()

    def alerts_help(self, key_display: Any) -> list[tuple[str, list[tuple[str, str]]]]:
        """The help's sections for the Alerts view's keys and the rooms grid's marks."""
        from camtui.tui.alerts.screen import AlertsScreen
        from camtui.tui.rooms.marks import EXPLANATIONS, GLYPHS
        from camtui.tui.shell.help import own_rows

        marks = [(GLYPHS[kind], words) for kind, words in EXPLANATIONS.items()]
        return [
            ("Alerts view (5)", own_rows(AlertsScreen, key_display)),
            ("Rooms grid marks (alert rules)", marks),
        ]

    # ---- what the Alerts view and the calls pane ask ---------------------------------------------------------

    def known_rooms(self) -> tuple[tuple[str, str], ...]:
        """(room id, name) of today's rooms, from the rooms pane's last good poll (the link picker's list)."""
        return self._known_rooms

    def call_room_text(self, sid: str, tz: Any) -> str:
        """The call detail's "Room" line: the room a call belongs to for the ghost / squatter rules, and why
        (linked with `l`, or a booking's text carries the call's link), from today's last good rooms poll."""
        from camtui.alerts.links import link_calls

        links = getattr(self.store, "call_links", None)
        try:
            stored = links.get(sid) if links is not None else None
        except Exception as exc:
            self.report_error(exc, "calls")  # type: ignore[attr-defined]
            stored = None
        link = link_calls(self.clock(), self._today_rooms, {sid}, {sid: stored} if stored else {}).get(sid)  # type: ignore[attr-defined]
        if link is None:
            if not self._today_rooms:
                return "— (today's rooms not loaded yet)"
            return "— (no booking today carries its link; l links it to a room)"
        name = dict(self._known_rooms).get(link.room_id, link.room_id)
        how = "linked with l" if link.stored else "its link is in a booking"
        res = link.reservation
        if res is None:
            return f"{name}  ({how}; no booking of that room now)"
        span = f"{res.start.astimezone(tz):%H:%M}–{res.end.astimezone(tz):%H:%M}"
        return f"{name}  ({how}: “{res.title}” {span})"

    def alert_views(self) -> Sequence[Any]:
        engine = self._alerts
        if engine is None:
            return ()
        with self._engine_lock:
            return engine.views(self.clock())  # type: ignore[attr-defined]

    @property
    def alerts_muted(self) -> bool:
        engine = self._alerts
        if engine is None:
            return False
        with self._engine_lock:
            silenced = engine.silenced("", self.clock())  # type: ignore[attr-defined]
        return silenced is not None and silenced[0] == "muted"

    def snooze_rule(self, name: str, until: datetime | None) -> None:
        engine = self._alerts
        if engine is None:
            return
        with self._engine_lock:
            if until is None:
                engine.unsnooze(name)
            else:
                engine.snooze(name, until)
        self.evaluate_alerts()

    def mute_alerts(self, muted: bool) -> None:
        engine = self._alerts
        if engine is None:
            return
        with self._engine_lock:
            if muted:
                engine.mute_all()
            else:
                engine.unmute_all()
        self.evaluate_alerts()

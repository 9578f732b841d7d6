"""The dashboard's side of the alert rules: one engine (`camtui.alerts`), fed from what the panes already poll.

No second poller: after each rooms poll and each calls round (good or failed) the panes post `PollFinished`;
a failed poll arrives as unknown (rooms None, a call with `participants=None`), never as "nothing". Each one is
followed by an evaluation: toast actions become toasts; message and successor actions run in a worker through
the engine's action runner (`camtui.alerts.actions`: the outbox, never resent), its failures through the app's
one failure handler. A read-only dashboard evaluates and toasts, and sends nothing.
The status line's alert count, the rooms grid's marks and the open Alerts view are refreshed here.
"""

from __future__ import annotations

import contextlib
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
    alerts_acting: bool = False
    """This dashboard runs the rules' messages and successor calls (it holds the store's alert claim)."""
    alerts_elsewhere: int | None = None
    """The pid of another camtui that acts on this store's alerts (this one then only shows and toasts)."""
    _known_rooms: tuple[tuple[str, str], ...] = ()
    _shown_marks: dict[str, tuple[str, str]] = {}  # noqa: RUF012  (replaced, never mutated)

    # ---- setup ----------------------------------------------------------------------------------------------

    def start_alerts(self) -> None:
        """Build the engine from the config's `[[alerts]]`, at the first poll (not at start: the dashboard's
        first paint does not wait for it). Without rules (or with a rule the config cannot use) the engine still
        runs with none: the grid's ghost / squatter marks come from the call ↔ room links, not from rules."""
        if self._alerts_started:
            return
        self._alerts_started = True
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
        """On exit: let the next camtui act on this store."""
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

    def on_poll_finished(self, event: PollFinished) -> None:
        if event.source == "rooms" and event.data is not None:
            self._known_rooms = tuple((r.id, r.name) for r in event.data.rooms)  # type: ignore[attr-defined]
        self.start_alerts()
        engine = self._alerts
        if engine is None:
            return
        now = self.clock()  # type: ignore[attr-defined]
        try:
            if event.source == "rooms":
                engine.observe_rooms(now, event.data.rooms if event.data is not None else None)  # type: ignore[attr-defined]
            elif event.source == "calls":
                seen = tuple(event.data or ())  # type: ignore[call-overload]
                watched = {c.sid for c in seen}
                for sid in [sid for sid in engine.calls if sid not in watched]:
                    engine.forget_call(sid)  # removed from the watch list
                engine.observe_calls(now, seen)
            outcome = "ok" if event.ok else ("unreachable" if event.reachable is False else event.code)
            if outcome:
                engine.observe_server(now, outcome)
        except Exception as exc:
            self.report_error(exc, "alerts")  # type: ignore[attr-defined]
            return
        self.evaluate_alerts(now)

    def on_links_changed(self, event: LinksChanged) -> None:
        engine = self._alerts
        links = getattr(self.store, "call_links", None)
        if engine is None or links is None:
            return
        try:
            engine.set_links(links.all())
        except Exception as exc:
            self.report_error(exc, "alerts")  # type: ignore[attr-defined]
            return
        self.evaluate_alerts(self.clock())  # type: ignore[attr-defined]

    def evaluate_alerts(self, now: datetime) -> None:
        engine = self._alerts
        if engine is None:
            return
        try:
            firings = engine.evaluate(now)
        except Exception as exc:
            self.report_error(exc, "alerts")  # type: ignore[attr-defined]
            return
        acting = []
        for firing in firings:
            for text in firing.toasts:
                self.notify(text, title=f"alert: {firing.rule}", severity="warning", markup=False)  # type: ignore[attr-defined]
            sends = any(action.kind in SENDING for action in firing.actions)
            if self.alerts_acting or not sends:
                acting.append(firing)  # toast-only firings too: the runner records "toast: …" as done
        if acting:
            self._run_alert_actions(acting)
        self.show_alert_state(now)

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
        self.show_alert_state(self.clock())  # type: ignore[attr-defined]

    # ---- showing --------------------------------------------------------------------------------------------

    def show_alert_state(self, now: datetime) -> None:
        """The status count, the grid's marks, and the Alerts view if it is open."""
        engine = self._alerts
        if engine is None:
            return
        try:
            active = engine.active_count(now)
            marks = {room: (m.kind, m.reason) for room, m in engine.room_marks(now).items()}
        except Exception as exc:
            self.report_error(exc, "alerts")  # type: ignore[attr-defined]
            return
        try:
            self.status_line.set_alerts(active)  # type: ignore[attr-defined]
        except Exception:  # quitting: the screens are gone
            return
        if getattr(engine, "rooms_failed", False):
            # Unknown is not "fine": the grid keeps the last good rooms (its age label says stale), so it keeps
            # the marks drawn from them too, until a good poll says otherwise.
            marks = self._shown_marks
        if marks != self._shown_marks:
            self._shown_marks = marks
            rooms = self.pane("rooms")  # type: ignore[attr-defined]
            if rooms is not None:
                rooms.post_message(AlertMarks(marks))
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

    def alert_views(self) -> Sequence[Any]:
        engine = self._alerts
        return engine.views(self.clock()) if engine is not None else ()  # type: ignore[attr-defined]

    @property
    def alerts_muted(self) -> bool:
        engine = self._alerts
        if engine is None:
            return False
        silenced = engine.silenced("", self.clock())  # type: ignore[attr-defined]
        return silenced is not None and silenced[0] == "muted"

    def snooze_rule(self, name: str, until: datetime | None) -> None:
        engine = self._alerts
        if engine is None:
            return
        if until is None:
            engine.unsnooze(name)
        else:
            engine.snooze(name, until)
        self.evaluate_alerts(self.clock())  # type: ignore[attr-defined]

    def mute_alerts(self, muted: bool) -> None:
        engine = self._alerts
        if engine is None:
            return
        if muted:
            engine.mute_all()
        else:
            engine.unmute_all()
        self.evaluate_alerts(self.clock())  # type: ignore[attr-defined]

"""The calls pane: a live monitor of the web calls camtui watches, and quick-call creation.

There is no list-calls API, so the pane watches what the admin created here, added by ID or share URL, or listed
in the config. Each round polls every due call once through the shared client, spread across the interval with at
most 8 requests in flight (`calls_poller`); the next round is armed with `set_timer` when this one has finished.
Per-call failures mark that row; 491/503 and timeouts slow the whole pane down until the server recovers; rows
that could not be refreshed say so and why. The watch list and each call's participant history live in the store.
"""

from __future__ import annotations

import itertools
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, Static
from textual.worker import Worker

from camtui.tui.calls.actions import CallsActions, _parse_interval  # noqa: F401  (re-exported)
from camtui.tui.calls.alert_feed import AlertCalls
from camtui.tui.calls.clock import CallsClock
from camtui.tui.calls.create import QuickCallDialog
from camtui.tui.calls.detail import CallDetailScreen
from camtui.tui.calls.model import (
    CallEvent,
    CallRow,
    is_expired,
    parse_call_ref,
    share_url_for,
)
from camtui.tui.calls.poller import (
    Backoff,
)
from camtui.tui.calls.polling import CallsPolling, _status_reason  # noqa: F401  (re-exported)
from camtui.tui.calls.room_link import RoomLinking
from camtui.tui.calls.table import SPARK_WINDOW, CallsTable
from camtui.tui.shell.keys import COPY_SHARE, LINK_ROOM, POLL_FASTER, POLL_SLOWER, SUCCESSOR

HISTORY_DAYS = 14
"""Participant history older than this is pruned on start."""

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


CREATING_ACTIONS = frozenset({"new_call", "successor"})
"""Actions that create a call on the server: absent on a read-only dashboard (`camtui web --read-only`)."""
WRITING_ACTIONS = CREATING_ACTIONS | {"link_room"}
"""…and everything else a wall display must not change (a call's room link feeds the alert rules)."""


class CallsPane(CallsPolling, CallsClock, CallsActions, RoomLinking, AlertCalls, Widget):
    """Watched calls: participants, trend, state, countdown, freshness; add, remove, create, inspect."""

    PANE_TITLE: ClassVar[str] = "Calls"
    ALLOW_MAXIMIZE = True
    MIN_POLL_TIMEOUT: ClassVar[float] = 10.0
    """One poll gives up after this long (or one interval, if longer): the client may be retrying a busy server."""

    HELP_DIALOGS: ClassVar[tuple[tuple[str, type], ...]] = (
        ("Call detail", CallDetailScreen),
        ("New call", QuickCallDialog),
    )
    """The pane's screens whose keys the help lists too."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add"),
        Binding("n", "new_call", "New call"),
        Binding("d,delete", "remove", "Remove"),
        Binding("X", "remove_expired", "Remove all expired calls", show=False),
        Binding("enter", "detail", "Detail"),
        Binding("p", "toggle_pause", "Pause"),
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("r", "refresh", "Refresh now", show=False),
        replace(COPY_SHARE, show=False),
        Binding("s", "sort", "Sort by next column", show=False),
        Binding("S", "reverse_sort", "Reverse sort", show=False),
        Binding("i", "set_interval", "Poll interval…", show=False, id="poll-interval"),
        POLL_SLOWER,
        POLL_FASTER,
        SUCCESSOR,
        LINK_ROOM,
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
        self._table: CallsTable | None = None
        self._warning_window = timedelta(minutes=10)
        self._clock: Callable[[], datetime] | None = None
        self.watch_list_loaded = False
        """True once the watch list is loaded (store + the settings' calls): later calls go in by `watch_call`."""

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
        self.watch_list_loaded = True
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

    # -- handlers the pane declares itself (Textual collects `@on` handlers from Widget classes only) ------

    @on(CallsTable.Selected)
    def _table_selected(self, event: CallsTable.Selected) -> None:
        self.app.push_screen(CallDetailScreen(self, event.sid, share_url=self.share_url))

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
        if action in WRITING_ACTIONS and getattr(self.app, "read_only", False):
            return False  # a wall display creates nothing: the keys are gone from the footer and help
        if action in ("remove", "remove_expired", "detail", "copy", "link_room") and not self._rows:
            return None
        return True

    def on_unmount(self) -> None:
        self._flush()

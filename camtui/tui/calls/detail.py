"""One call in full: facts, the whole participant history as a plot, the share URL and an auto-login URL builder.

The screen reads the pane's live row each second (no polling of its own), and the stored history once, topped
up with the points the pane took since. Links are copied with `App.copy_to_clipboard` *and* shown as text, for
terminals that do not support OSC 52.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, ClassVar, Protocol
from zoneinfo import ZoneInfo

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from camtui.tui.calls.model import (
    CallRow,
    auto_login_url,
    countdown_text,
    login_url_preview,
    polled_text,
    state_text,
)
from camtui.tui.calls.sparkline import DEFAULT_MAX_GAP, plot, resample
from camtui.tui.shell import keys
from camtui.tui.shell.clipboard import send_to_clipboard


class WatchedCalls(Protocol):
    """What the detail screen reads from the calls pane (a Protocol, so detail and pane import one way only)."""

    call_store: Any
    tz: ZoneInfo
    pane_reason: str | None

    @property
    def interval(self) -> float: ...

    def row(self, sid: str) -> CallRow | None: ...

    def now(self) -> datetime: ...

    def create_successor(self, sid: str, *, confirm: bool = True) -> None: ...


PLOT_HEIGHT = 6


def history_plot_lines(
    points: Sequence[tuple[datetime, int]], end: datetime, width: int, height: int, tz: ZoneInfo
) -> list[str]:
    """The full history as a bar chart with a y-axis (max, 0) and start/end times underneath."""
    if not points:
        return ["(no history yet: it starts with the first good poll)"]
    start = points[0][0]
    if end - start < timedelta(minutes=5):
        start = end - timedelta(minutes=5)
    axis = max(2, len(str(max(v for _, v in points))))
    cols = max(10, width - axis - 2)
    values = resample(
        points, start, end, cols, max_gap=max(DEFAULT_MAX_GAP, (end - start).total_seconds() / cols * 2)
    )
    peak = max((v for v in values if v is not None), default=0)
    top = max(1, peak)
    bars = plot(values, height, top=top)
    lines: list[str] = []
    for i, bar in enumerate(bars):
        label = str(top) if i == 0 else ("0" if i == height - 1 else "")
        lines.append(f"{label:>{axis}} ┤{bar}")
    lines.append(" " * axis + " └" + "─" * cols)
    fmt = "%H:%M" if start.astimezone(tz).date() == end.astimezone(tz).date() else "%m-%d %H:%M"
    left = start.astimezone(tz).strftime(fmt)
    right = end.astimezone(tz).strftime(fmt)
    gap = max(1, cols - len(left) - len(right))
    lines.append(" " * (axis + 2) + left + " " * gap + right)
    return lines


class CallDetailScreen(ModalScreen[None]):
    """Everything about one watched call; the copy and reveal keys are the shared ones (`shell.keys`)."""

    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [(0, "-short"), (30, "-tall")]
    """Below 30 lines the box drops its vertical padding (calls.tcss): more of the facts fit at 80x24."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        keys.COPY_SHARE,
        keys.COPY_LOGIN,
        keys.REVEAL,
        replace(keys.SUCCESSOR, show=True),
    ]

    def __init__(self, pane: WatchedCalls, sid: str, *, share_url: Callable[[CallRow], str]) -> None:
        super().__init__(classes="calls-dialog")
        self._pane = pane
        self.sid = sid
        self._share_url = share_url
        self._stored: list[tuple[datetime, int]] = []
        self._reveal = False
        self._timer = None

    @property
    def row(self) -> CallRow | None:
        return self._pane.row(self.sid)

    def compose(self) -> ComposeResult:
        with Vertical(classes="calls-dialog-box calls-detail-box"):
            yield Label("", id="calls-detail-title", classes="calls-dialog-title", markup=False)
            with VerticalScroll(id="calls-detail-body"):
                yield Static("", id="calls-detail-facts", markup=False)
                yield Label("Participants over time", classes="calls-detail-section")
                yield Static("", id="calls-detail-plot", markup=False)
                yield Label("Share URL", classes="calls-detail-section")
                yield Static("", id="calls-detail-share", markup=False)
                yield Label("Auto-login URL", classes="calls-detail-section")
                with Horizontal(classes="calls-create-row"):
                    yield Input(placeholder="user name, e.g. 太郎", id="calls-detail-user")
                    yield Input(placeholder="password", password=True, id="calls-detail-password")
                yield Static("", id="calls-detail-login", markup=False)
                with Horizontal(classes="calls-create-row"):
                    yield Button("Copy share URL", id="calls-detail-copy-share", compact=True)
                    yield Button("Copy auto-login URL", id="calls-detail-copy-login", compact=True)
                    yield Button("Close", id="calls-detail-close", compact=True)
            shown = [(keys.COPY_SHARE, "copy share URL"), (keys.COPY_LOGIN, "copy login URL")]
            shown.append((keys.REVEAL, "passwords"))
            if not getattr(self.app, "read_only", False):
                shown.append((keys.SUCCESSOR, "successor"))
            yield Static(keys.hint(self.app, shown, "esc close"), classes="calls-dialog-hint", markup=False)

    def on_mount(self) -> None:
        row = self.row
        store = self._pane.call_store
        if store is not None:
            try:
                self._stored = [(s.at, s.participants) for s in store.history(self.sid)]
            except Exception as exc:
                self.app.report_error(exc, "calls")  # type: ignore[attr-defined]
        if row is not None:
            self.query_one("#calls-detail-password", Input).value = row.password
        self.refresh_view()

    def on_screen_resume(self) -> None:
        self.refresh_view()

    def _arm(self) -> None:
        if self._timer is None:
            self._timer = self.set_timer(1.0, self._tick)

    def _tick(self) -> None:
        self._timer = None
        self.refresh_view()

    def history(self) -> list[tuple[datetime, int]]:
        """Stored points plus the ones the pane took since (not yet written, or taken after this opened)."""
        row = self.row
        points = list(self._stored)
        last = points[-1][0] if points else None
        if row is not None:
            points.extend(p for p in row.history if last is None or p[0] > last)
        return points

    def refresh_view(self) -> None:
        row = self.row
        if row is None:
            self.query_one("#calls-detail-title", Label).update(f"{self.sid}: no longer watched")
            return
        now = self._pane.now()
        tz = self._pane.tz
        self.query_one("#calls-detail-title", Label).update(f"{row.title or '(untitled)'}  ·  {row.sid}")
        secret = (lambda s: s or "(none)") if self._reveal else (lambda s: "••••••" if s else "(none)")
        expires = "—"
        if row.expires is not None:
            expires = f"{row.expires.astimezone(tz):%Y-%m-%d %H:%M}  ({countdown_text(row, now)})"
        created = f"{row.created.astimezone(tz):%Y-%m-%d %H:%M}" if row.created else "—"
        facts = [
            f"State           {state_text(row, now)}",
            f"Participants    {'—' if row.participants is None else row.participants}",
            f"Created         {created}",
            f"Expires         {expires}",
            f"Last good poll  {polled_text(row, now, self._pane.interval, self._pane.pane_reason)}",
            f"Password        {secret(row.password)}",
            f"Presenter pass  {secret(row.presenter_pass)}",
            f"Watched since   {row.origin}",
        ]
        room_text = getattr(self.app, "call_room_text", None)
        if room_text is not None:
            facts.insert(2, f"Room            {room_text(row.sid, tz)}")
        self.query_one("#calls-detail-facts", Static).update("\n".join(facts))
        width = max(20, self.query_one("#calls-detail-plot", Static).size.width or 60)
        plot_lines = history_plot_lines(self.history(), now, width, PLOT_HEIGHT, tz)
        self.query_one("#calls-detail-plot", Static).update("\n".join(plot_lines))
        self.query_one("#calls-detail-share", Static).update(self._share_url(row))
        self._update_login()
        self._arm()

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self.refresh_view)

    def login_url(self) -> str:
        row = self.row
        user = self.query_one("#calls-detail-user", Input).value.strip()
        if row is None or not user:
            return ""
        return auto_login_url(
            self._share_url(row), user, self.query_one("#calls-detail-password", Input).value
        )

    @on(Input.Changed)
    def _update_login(self) -> None:
        """The URL as it will be copied, but with the password as dots (like its field) until revealed."""
        row = self.row
        user = self.query_one("#calls-detail-user", Input).value.strip()
        if row is None or not user:
            self.query_one("#calls-detail-login", Static).update("(type a user name above)")
            return
        password = self.query_one("#calls-detail-password", Input).value
        preview = login_url_preview(self._share_url(row), user, password, reveal=self._reveal)
        self.query_one("#calls-detail-login", Static).update(preview)

    @on(Input.Submitted, "#calls-detail-user")
    @on(Input.Submitted, "#calls-detail-password")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_copy("login")

    @on(Button.Pressed, "#calls-detail-copy-share")
    def _copy_share(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_copy("share")

    @on(Button.Pressed, "#calls-detail-copy-login")
    def _copy_login(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_copy("login")

    @on(Button.Pressed, "#calls-detail-close")
    def _close(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_close()

    def action_copy(self, what: str) -> None:
        row = self.row
        if row is None:
            return
        text = self._share_url(row) if what == "share" else self.login_url()
        if not text:
            self.notify("Type a user name first.", markup=False, severity="warning")
            self.query_one("#calls-detail-user", Input).focus()
            return
        send_to_clipboard(self.app, text, shown_in="this screen")

    def action_toggle_reveal(self) -> None:
        self._reveal = not self._reveal
        self.query_one("#calls-detail-password", Input).password = not self._reveal
        self.refresh_view()

    def action_successor(self) -> None:
        self._pane.create_successor(self.sid)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # a read-only dashboard creates no call
        return not (action == "successor" and getattr(self.app, "read_only", False))

    def action_close(self) -> None:
        self.dismiss(None)

"""The status line: which server, whether we can reach it, and how fresh each pane's data is.

It only displays; `CamApp` decides the connection state (from PaneStatus messages and reported errors).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label

from camtui.tui.shell.label_text import set_text

CONNECTION_STATES = ("connecting", "connected", "retrying", "offline", "auth failed")

_SYMBOLS = {
    "connecting": "◌",
    "connected": "●",
    "retrying": "◐",
    "offline": "○",
    "auth failed": "✖",
}

PANE_ORDER = ("rooms", "calls", "composer")


@dataclass(slots=True)
class PaneFreshness:
    when: datetime | None = None
    ok: bool = True
    reason: str | None = None


class StatusLine(Horizontal):
    """One line at the top: `camtui  host  ● connected  [detail]   rooms 12:03:04 · calls … · composer …`."""

    DEFAULT_CSS = """
    StatusLine { height: 1; }
    """

    def __init__(self, host: str, time_zone: str = "Asia/Tokyo", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._host = host
        self._zone = ZoneInfo(time_zone)
        self._state = "connecting"
        self._detail = ""
        self._panes: dict[str, PaneFreshness] = {}
        self._notice = ""
        self._alerts = 0

    def compose(self) -> ComposeResult:
        yield Label("camtui", id="status-app")
        yield Label(self._host, id="status-host", markup=False)
        yield Label(self._connection_text(), id="status-conn", classes="-connecting", markup=False)
        alerts = Label("", id="status-alerts", markup=False)
        alerts.display = False  # shown only while alerts are active
        yield alerts
        yield Label("", id="status-panes", markup=False)

    @property
    def state(self) -> str:
        return self._state

    @property
    def connection_text(self) -> str:
        return self._connection_text()

    @property
    def panes_text(self) -> str:
        return self._panes_text()

    def set_host(self, host: str) -> None:
        self._host = host
        if self.is_mounted:
            self.query_one("#status-host", Label).update(host)

    def set_connection(self, state: str, detail: str = "") -> None:
        if state not in CONNECTION_STATES:
            raise ValueError(f"unknown connection state {state!r}")
        self._state = state
        self._detail = detail
        if self.is_mounted:
            label = self.query_one("#status-conn", Label)
            set_text(label, self._connection_text())
            for name in CONNECTION_STATES:
                label.set_class(name == state, "-" + name.replace(" ", "-"))

    def update_pane(self, source: str, ok: bool, when: datetime | None, reason: str | None) -> None:
        entry = self._panes.setdefault(source, PaneFreshness())
        entry.ok = ok
        entry.reason = None if ok else reason
        if when is not None:
            entry.when = when
        if self.is_mounted:  # each poll: the clock digits change, the width rarely does
            set_text(self.query_one("#status-panes", Label), self._panes_text())

    def set_notice(self, text: str) -> None:
        """A word from the shell that outranks the panes' freshness (quitting: a send is being finished)."""
        self._notice = text
        if self.is_mounted:
            set_text(self.query_one("#status-panes", Label), self._panes_text())

    @property
    def alerts_text(self) -> str:
        return self._alerts_text()

    def set_alerts(self, active: int) -> None:
        """How many alerts are active (fired, condition still on); the label is there only when some are."""
        if active == self._alerts:
            return
        self._alerts = active
        if self.is_mounted:
            label = self.query_one("#status-alerts", Label)
            label.update(self._alerts_text())
            label.display = active > 0

    def _alerts_text(self) -> str:
        if not self._alerts:
            return ""
        return f"⚑ {self._alerts} alert{'s' if self._alerts != 1 else ''} (5)"

    def last_good(self, source: str) -> datetime | None:
        entry = self._panes.get(source)
        return entry.when if entry else None

    def _connection_text(self) -> str:
        text = f"{_SYMBOLS[self._state]} {self._state}"
        return f"{text} ({self._detail})" if self._detail else text

    def _panes_text(self) -> str:
        if self._notice:
            return self._notice
        parts = []
        names = [n for n in PANE_ORDER if n in self._panes] + sorted(set(self._panes) - set(PANE_ORDER))
        for name in names:
            entry = self._panes[name]
            when = entry.when.astimezone(self._zone).strftime("%H:%M:%S") if entry.when else "—"
            if entry.ok:
                parts.append(f"{name} {when}")
            else:
                parts.append(f"{name} {when} stale: {entry.reason or 'no data'}")
        return "   ".join(parts)


def server_host(url: str | None) -> str:
    if not url:
        return "(no server)"
    parts = urlsplit(url)
    return parts.netloc or url

"""The shell's screens: the main layout (rooms on top, the lower panes below) and the token prompt."""

from __future__ import annotations

import time
from typing import ClassVar, Protocol

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from camtui.tui.shell.footer import KeysFooter
from camtui.tui.shell.keys import OPEN_ALERTS
from camtui.tui.shell.status import StatusLine


class LayoutHost(Protocol):
    """What the main screen needs from the app (the app shell satisfies it; no import of the app here)."""

    server_label: str
    defer_lower_panes: bool
    lower_pane_ids: tuple[str, ...]
    startup_marks: dict[str, float]

    @property
    def time_zone(self) -> str: ...
    def build_pane(self, pane_id: str) -> Widget: ...


class TokenScreen(ModalScreen[str | None]):
    """Ask for a new API token (kept in memory only; `camtui init --force` saves it)."""

    BINDINGS: ClassVar = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="token-box"):
            yield Label("New API token (kept for this session only)")
            yield Input(password=True, placeholder="API token", id="token-input")
            yield Label("enter to use it, escape to cancel", classes="hint")

    @on(Input.Submitted, "#token-input")
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class MainScreen(Screen[None]):
    """The one main screen: rooms on top, calls and composer side by side below."""

    ALLOW_IN_MAXIMIZED_VIEW = "Footer, StatusLine"
    BINDINGS: ClassVar = [Binding("4,alt+4", "open_admin('users')", "Admin", show=False), OPEN_ALERTS]

    def __init__(self, app: LayoutHost) -> None:
        super().__init__(id="main")
        self._cam = app

    def compose(self) -> ComposeResult:
        cam = self._cam
        yield StatusLine(cam.server_label, cam.time_zone, id="status")
        with Vertical(id="panes"):
            yield cam.build_pane("rooms")
            with Horizontal(id="lower"):
                if cam.defer_lower_panes:
                    yield Static("", classes="pane-loading")
                else:
                    for pane_id in cam.lower_pane_ids:
                        yield cam.build_pane(pane_id)
        yield KeysFooter()

    def action_open_admin(self, tab: str = "users") -> None:
        """4 / alt+4: the admin screen (its own package, imported on first use)."""
        from camtui.tui.shell.admin_entry import open_admin

        open_admin(self.app, tab)

    def action_open_alerts(self) -> None:
        """5 / alt+5: the Alerts view (its own package, imported on first use)."""
        from camtui.tui.shell.alerts_entry import open_alerts

        open_alerts(self.app)

    async def mount_lower_panes(self) -> None:
        """Replace the loading slot with the calls and composer panes (once; see CamApp.defer_lower_panes)."""
        lower = self.query_one("#lower", Horizontal)
        if lower.query("#calls, #composer"):
            return
        await lower.remove_children()
        await lower.mount(*(self._cam.build_pane(pane_id) for pane_id in self._cam.lower_pane_ids))
        self._cam.startup_marks["lower_panes_mounted"] = time.time()

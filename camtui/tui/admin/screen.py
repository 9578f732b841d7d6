"""The admin screen (`4`, alt+4 while typing; palette "Admin: users…" / "Admin: chat rooms…"): a screen of its
own over the dashboard, with a Users tab and a Chat rooms tab. Escape goes back to the panes."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import TabbedContent, TabPane

from camtui.tui.admin.rooms_tab import RoomsTab
from camtui.tui.admin.users_tab import UsersTab
from camtui.tui.shell.footer import KeysFooter

TABS = {"users": "admin-tab-users", "rooms": "admin-tab-rooms"}


class AdminScreen(Screen[None]):
    CSS_PATH = Path(__file__).parent.parent / "styles" / "admin.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back to the dashboard"),
        Binding("4,alt+4", "close", "Back", show=False),
    ]

    def __init__(self, tab: str = "users") -> None:
        super().__init__()
        self.initial_tab = TABS.get(tab, TABS["users"])

    def compose(self) -> ComposeResult:
        with TabbedContent(initial=self.initial_tab, id="admin-tabs"):
            with TabPane("Users", id=TABS["users"]):
                yield UsersTab(id="admin-users-tab")
            with TabPane("Chat rooms", id=TABS["rooms"]):
                yield RoomsTab(id="admin-rooms-tab")
        yield KeysFooter()

    def on_mount(self) -> None:
        self._focus_tab()

    def on_screen_resume(self) -> None:
        """Opened again (the screen is kept for the session): back into the list of the tab that is up."""
        self._focus_tab()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self._focus_tab()

    def _focus_tab(self) -> None:
        """Into the list of the tab that is up once the screen has refreshed, so its keys (r, s, /, n …) work at
        once, not after a Tab press — whichever tab that is by then (one may be shown while the screen opens)."""

        def focus() -> None:
            active = self.query_one(TabbedContent).active
            focused = self.focused
            if focused is not None and active in {a.id for a in focused.ancestors}:
                return  # already in this tab (a field the user went to): stay there
            self.query_one("#admin-users" if active == TABS["users"] else "#room-list").focus()

        self.call_after_refresh(focus)

    def show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = TABS.get(tab, TABS["users"])

    def action_close(self) -> None:
        self.app.pop_screen()

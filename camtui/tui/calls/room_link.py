"""`l` on a call: link it to a meeting room (or unlink it), so the ghost / squatter rules know which room a call
belongs to when no reservation carries its share URL. The link is kept in the store (`store.call_links`); the
rooms offered are today's, as the rooms pane last polled them (the shell hands them over, no second poll)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from camtui.tui.shell.events import LinksChanged

UNLINK = "\0unlink"
"""The picker's answer for "unlink" (no room id starts with a NUL)."""


class RoomPicker(ModalScreen[str | None]):
    """Rooms by name, filtered as you type; enter picks, escape cancels. The first option unlinks a linked call."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", show=False),
        Binding("down", "move(1)", "", show=False),
        Binding("up", "move(-1)", "", show=False),
    ]

    def __init__(self, call_title: str, rooms: tuple[tuple[str, str], ...], current: str | None) -> None:
        super().__init__(classes="calls-dialog")
        self.call_title = call_title
        self.rooms = rooms
        self.current = current
        self._names = dict(rooms)

    def compose(self) -> ComposeResult:
        with Vertical(classes="calls-dialog-box"):
            yield Label(f"Link “{self.call_title}” to a room", classes="calls-dialog-title", markup=False)
            now = self._names.get(self.current or "", self.current) if self.current else None
            text = f"Linked now to {now}." if now else "Not linked to a room."
            yield Static(text, classes="calls-dialog-text", markup=False)
            yield Input(placeholder="type to filter rooms", id="room-link-filter")
            yield OptionList(*self._options(""), id="room-link-list")
            yield Static("enter: link · ↑/↓: choose · escape: cancel", classes="calls-dialog-hint")

    def _options(self, query: str) -> list[Option]:
        words = query.casefold().split()
        options = []
        if self.current:
            options.append(Option("— unlink this call", id=UNLINK))
        for room_id, name in self.rooms:
            if all(w in name.casefold() or w in room_id.casefold() for w in words):
                mark = "  (linked now)" if room_id == self.current else ""
                options.append(Option(f"{name}{mark}", id=room_id))
        return options

    @on(Input.Changed, "#room-link-filter")
    def _filter(self, event: Input.Changed) -> None:
        listing = self.query_one(OptionList)
        listing.clear_options()
        listing.add_options(self._options(event.value))
        if listing.option_count:
            listing.highlighted = 0

    def on_mount(self) -> None:
        listing = self.query_one(OptionList)
        if listing.option_count:
            listing.highlighted = 0
        self.query_one(Input).focus()

    def action_move(self, step: int) -> None:
        listing = self.query_one(OptionList)
        if listing.option_count:
            listing.highlighted = max(0, min(listing.option_count - 1, (listing.highlighted or 0) + step))

    @on(Input.Submitted, "#room-link-filter")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        listing = self.query_one(OptionList)
        if listing.highlighted is not None:
            self.dismiss(listing.get_option_at_index(listing.highlighted).id)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class RoomLinking:
    """The calls pane's `l` (part of `CallsPane`)."""

    def action_link_room(self) -> None:
        row = self._selected()  # type: ignore[attr-defined]
        if row is None:
            return
        links = getattr(self.app.store, "call_links", None)  # type: ignore[attr-defined]
        if links is None:
            self.notify("This store keeps no call links.", severity="warning", markup=False)  # type: ignore[attr-defined]
            return
        rooms: tuple[tuple[str, str], ...] = tuple(getattr(self.app, "known_rooms", tuple)())  # type: ignore[attr-defined]
        try:
            current = links.get(row.sid)
        except Exception as exc:
            self.app.report_error(exc, "calls")  # type: ignore[attr-defined]
            return
        if not rooms and current is None:
            self.notify(  # type: ignore[attr-defined]
                "No rooms known yet: the rooms pane has not loaded today's rooms.",
                severity="warning",
                markup=False,
            )
            return
        title = row.title or row.sid

        def chosen(room_id: str | None) -> None:
            if room_id is None:
                return
            names = dict(rooms)
            try:
                if room_id == UNLINK:
                    links.unlink(row.sid)
                    message = f"“{title}” is no longer linked to a room."
                else:
                    links.link(row.sid, room_id)
                    message = f"“{title}” linked to {names.get(room_id, room_id)}."
            except Exception as exc:
                self.app.report_error(exc, "calls")  # type: ignore[attr-defined]
                return
            self.post_message(LinksChanged())  # type: ignore[attr-defined]
            self.notify(message, markup=False)  # type: ignore[attr-defined]

        self.app.push_screen(RoomPicker(title, rooms, current), chosen)  # type: ignore[attr-defined]

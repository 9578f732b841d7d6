"""The admin screen's Chat rooms tab: the rooms camtui created or edited (the store's list: the API has none),
an editor (name, public, admin, members with the recipient completion over the directory), create (no id) and
update (id), paste or open the spec's `let chatRoom = {…}` / JSON. Errors are shown next to their field and
nothing typed is cleared by an error."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.suggester import Suggester
from textual.widgets import Button, Checkbox, Input, Label, Static, TextArea

from camtui.admin.room_form import (
    RoomForm,
    RoomTextError,
    contents_unknown,
    email_index,
    explain_error,
    form_from_room,
    form_from_wire,
    parse_room_text,
    room_wire,
)
from camtui.common.paths import expand_user
from camtui.compose.recipient_text import token_at
from camtui.tui.admin.lines import LineList
from camtui.tui.admin.paths import PathSuggester

FIELDS = ("id", "name", "admin", "members")


class RecipientSuggester(Suggester):
    """The entry under the end of the text completed to the best user's e-mail (the composer's matcher)."""

    def __init__(self, tab: RoomsTab) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self._tab = tab

    async def get_suggestion(self, value: str) -> str | None:
        matcher = self._tab.matcher
        start, _end, token = token_at(value, len(value))
        if matcher is None or len(token) < 2:
            return None
        found = matcher.match(token, limit=1)
        if not found:
            return None
        return value[:start] + (" " if start else "") + found[0].email


def _room_text(room: Any) -> str:
    if contents_unknown(room):
        return f"?        id {room.id}  added by id: name, members unknown until you update it"
    kind = "public " if room.is_public else "private"
    return f"{kind}  {room.name}  ({len(room.member_uids)} members)  id {room.id}"


PUBLIC = "Public"
PUBLIC_UNKNOWN = "Public (unknown for a room added by id: sent only if you change it)"
MEMBERS_UNKNOWN = "unknown (added by id): members are sent only if you type some"


class RoomsTab(Horizontal):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Create / update"),
        Binding("ctrl+n", "new", "New room"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.matcher: Any = None
        self.email_of: dict[str, str] = {}
        self.saving = False
        self._create_user_id = ""
        self._public_known = True
        """False while the form shows a room added by id whose isPublic nobody told camtui."""
        self._members_known = True

    def compose(self) -> ComposeResult:
        with Vertical(id="room-list-side"):
            yield Static("Rooms camtui created or edited (the API cannot list rooms)", markup=False)
            yield LineList(_room_text, header="", id="room-list")
            with Horizontal(classes="admin-row"):
                yield Input(placeholder="a room's id (e.g. from the web app)", id="room-add-id")
                yield Button("Add by id", id="room-add")
        with VerticalScroll(id="room-form"):
            for name, label in (("id", "id (empty: a new room)"), ("name", "Name")):
                yield Label(label)
                yield Input(id=f"room-{name}")
                yield Static("", id=f"room-err-{name}", classes="room-error", markup=False)
            yield Checkbox(PUBLIC, False, id="room-public")
            yield Label("Admin user (e-mail or name)")
            yield Input(id="room-admin", suggester=RecipientSuggester(self))
            yield Static("", id="room-err-admin", classes="room-error", markup=False)
            yield Label("Members (e-mails or names, comma-separated; → accepts the completion)")
            yield Input(id="room-members", suggester=RecipientSuggester(self))
            yield Static("", id="room-members-resolved", markup=False)
            yield Static("", id="room-err-members", classes="room-error", markup=False)
            with Horizontal(classes="admin-row"):
                yield Button("Create / update", variant="primary", id="room-save")
                yield Button("New", id="room-new")
            yield Static("", id="room-status", markup=False)
            yield Label("Paste the spec's `let chatRoom = {…}` or JSON, or open a file:")
            yield TextArea(id="room-paste")
            yield Static("", id="room-err-paste", classes="room-error", markup=False)
            with Horizontal(classes="admin-row"):
                yield Button("Load pasted", id="room-load-paste")
                yield Input(placeholder="file path", id="room-file", suggester=PathSuggester())
                yield Button("Open", id="room-open")

    def on_mount(self) -> None:
        self._load_directory()
        self._show_rooms()

    @work(group="admin-rooms-directory", exclusive=True, exit_on_error=False)
    async def _load_directory(self) -> None:
        from camtui.admin.users_apply import fresh_directory
        from camtui.compose.matcher import RecipientMatcher

        app: Any = self.app
        users = await asyncio.to_thread(app.store.directory.users)
        if not users:  # no cached export yet: members cannot be chosen without one
            try:
                users = await fresh_directory(app.client, app.store.directory)
            except Exception as exc:
                self.query_one("#room-status", Static).update(f"no user directory for the members: {exc}")
                return
        self.email_of = email_index(users)
        self.matcher = await asyncio.to_thread(RecipientMatcher, users)

    @work(group="admin-rooms-list", exclusive=True, exit_on_error=False)
    async def _show_rooms(self) -> None:
        app: Any = self.app
        rooms = await asyncio.to_thread(app.store.chat_rooms.rooms)  # the store's lock may be busy
        header = (
            f"{len(rooms)} room{'s' if len(rooms) != 1 else ''}"
            if rooms
            else "none yet: create one, or add one by its id (below)"
        )
        self.query_one("#room-list", LineList).set_items(rooms, header)

    # ----- the form -----------------------------------------------------------------------------------------

    def read_form(self) -> RoomForm:
        return RoomForm(
            id=self.query_one("#room-id", Input).value.strip(),
            name=self.query_one("#room-name", Input).value,
            is_public=self.query_one("#room-public", Checkbox).value if self._public_known else None,
            admin_user=self.query_one("#room-admin", Input).value,
            members=self.query_one("#room-members", Input).value,
            create_user_id=self._create_user_id,
            members_known=self._members_known,
        )

    def fill_form(self, form: RoomForm) -> None:
        self.query_one("#room-id", Input).value = form.id
        self.query_one("#room-name", Input).value = form.name
        public = self.query_one("#room-public", Checkbox)
        with public.prevent(Checkbox.Changed):
            public.value = bool(form.is_public)
        self._public_known = form.is_public is not None
        public.label = PUBLIC if self._public_known else PUBLIC_UNKNOWN
        self.query_one("#room-admin", Input).value = form.admin_user
        members = self.query_one("#room-members", Input)
        members.value = form.members
        self._members_known = form.members_known
        members.placeholder = "" if form.members_known else MEMBERS_UNKNOWN
        self._create_user_id = form.create_user_id
        self.show_problems({})

    def show_problems(self, problems: dict[str, str]) -> None:
        for name in FIELDS:
            self.query_one(f"#room-err-{name}", Static).update(problems.get(name, ""))

    @on(Input.Changed, "#room-members")
    def _members_changed(self, event: Input.Changed) -> None:
        if self.matcher is None:
            return
        from camtui.admin.room_form import members_to_uids

        uids, bad = members_to_uids(event.value, self.matcher)
        names = [
            f"{self.matcher.get(self.email_of.get(u, '')).name} ({u})" for u in uids if self.email_of.get(u)
        ]
        text = ", ".join(names) if names else ""
        self.query_one("#room-members-resolved", Static).update(
            text + (f"  · not found: {len(bad)}" if bad else "")
        )

    @on(LineList.Moved, "#room-list")
    def _room_picked(self, event: LineList.Moved) -> None:
        room = event.lines.current
        if room is not None:
            self.fill_form(form_from_room(room, self.email_of))

    @on(Checkbox.Changed, "#room-public")
    def _public_changed(self) -> None:
        """The user set it: now it is known, and sent."""
        self._public_known = True
        self.query_one("#room-public", Checkbox).label = PUBLIC

    @on(Button.Pressed, "#room-add")
    @on(Input.Submitted, "#room-add-id")
    def action_add_by_id(self) -> None:
        self._add_by_id(self.query_one("#room-add-id", Input).value.strip())

    @work(group="admin-rooms-add", exclusive=True, exit_on_error=False)
    async def _add_by_id(self, room_id: str) -> None:
        """Kept in the store (nothing is sent: the API cannot read a room), then opened in the form."""
        app: Any = self.app
        status = self.query_one("#room-status", Static)
        try:
            added = await asyncio.to_thread(app.store.chat_rooms.remember_id, room_id)
        except ValueError as exc:
            status.update(f"not added: {exc}")
            return
        self.query_one("#room-add-id", Input).value = ""
        rooms = await asyncio.to_thread(app.store.chat_rooms.rooms)
        room = next(r for r in rooms if r.id == room_id)
        self.fill_form(form_from_room(room, self.email_of))
        await self._show_rooms().wait()
        if added:
            status.update(
                f"id {room_id} kept in the list; nothing sent. The API cannot read a room, so what you fill in "
                "is what ctrl+s sends (the rest stays as the server has it); a wrong id answers 405."
            )
        else:
            status.update(f"id {room_id} is in the list already: opened it")

    @on(Button.Pressed, "#room-new")
    def action_new(self) -> None:
        self.fill_form(RoomForm())

    @on(Button.Pressed, "#room-load-paste")
    def _load_paste(self) -> None:
        self._load_text(self.query_one("#room-paste", TextArea).text, "the pasted text")

    @on(Button.Pressed, "#room-open")
    @on(Input.Submitted, "#room-file")
    def _open_file(self) -> None:
        path = expand_user(self.query_one("#room-file", Input).value.strip())
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except (OSError, ValueError) as exc:  # UnicodeDecodeError, a NUL byte in the name
            self.query_one("#room-err-paste", Static).update(f"{path}: cannot read as UTF-8: {exc}")
            return
        self.query_one("#room-paste", TextArea).text = text
        self._load_text(text, str(path))

    def _load_text(self, text: str, source: str) -> None:
        error = self.query_one("#room-err-paste", Static)
        try:
            wire = parse_room_text(text)
        except RoomTextError as exc:
            error.update(f"{source}: {exc}")
            area = self.query_one("#room-paste", TextArea)
            area.cursor_location = (max(0, exc.line - 1), max(0, exc.column - 1))
            return
        error.update("")
        self.fill_form(form_from_wire(wire, self.email_of))

    # ----- sending ------------------------------------------------------------------------------------------

    @on(Button.Pressed, "#room-save")
    def action_save(self) -> None:
        if self.saving:
            return
        if self.matcher is None:
            self.query_one("#room-status", Static).update("the directory is still loading")
            return
        form = self.read_form()
        wire = room_wire(form, self.matcher)
        self.show_problems(form.problems)
        if wire:
            self._send(wire)

    @work(group="admin-rooms-send", exclusive=True, exit_on_error=False)
    async def _send(self, wire: dict[str, Any]) -> None:
        from camtui.api import CAMAPIError
        from camtui.api.errors import OutcomeUnknown

        app: Any = self.app
        status = self.query_one("#room-status", Static)
        self.saving = True
        status.update("updating…" if wire.get("id") else "creating…")
        try:
            room = await app.client.update_chat_room(wire)
        except CAMAPIError as exc:
            if str(exc.code) == "800":  # not about a field: about the token
                status.update(
                    "not saved: this token is not an administrator (800); creating or editing chat rooms "
                    "needs one. What you typed is kept"
                )
                return
            where, text = explain_error(str(exc.code), exc.field, exc.message or "")
            self.show_problems({where: text})
            status.update("not saved; what you typed is kept")
            return
        except OutcomeUnknown as exc:  # the request may have been processed: not "not saved"
            status.update(
                f"outcome unknown ({exc}): the server may have saved it. What you typed is kept; check the room "
                "in the web app before sending again (a second create is refused with 406 if the first one landed)"
            )
            return
        except Exception as exc:
            status.update(f"not saved ({exc}); what you typed is kept")
            return
        finally:
            self.saving = False
        await asyncio.to_thread(app.store.chat_rooms.record, room)
        self.query_one("#room-id", Input).value = room.id or ""
        self._create_user_id = room.create_user_id
        status.update(f"{'updated' if wire.get('id') else 'created'} {room.name} (id {room.id})")
        self._show_rooms()

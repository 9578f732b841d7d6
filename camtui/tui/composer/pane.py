"""The composer pane: write a message to people (messenger) or a chat room, and see what has not gone out yet.

What it guarantees, in the order the user meets it:
- every keystroke ends up in a draft (debounced, one per destination) that comes back after a restart;
- recipients are checked against the directory before sending (name and department, or unknown);
- a message is in the outbox before its request leaves, and the form is cleared only then; a failed send stays in
  the outbox with its reason; an `unknown` outcome is resent only when the user confirms.
- the destination is checked too: a chat room that was never used from here and is not configured shows as
  unknown (→ 405, as the batch plan predicts) and sending there asks first;
- keys: the pane itself takes focus (`3`, Escape from a field, a closed dialog), where the shell's single keys
  (1/2/3, q, z, ?) work; Enter or Tab goes back into the form. A field never holds the focus hostage.
The engine (matcher, outbox-backed sender, batch) is `camtui.compose`; this module is the UI around it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on, work
from textual.actions import SkipAction
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.errors import NoWidget
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Static, TabbedContent, TabPane, Tabs, TextArea

from camtui.compose.batch import known_rooms_for
from camtui.compose.matcher import RecipientMatcher, normalize
from camtui.store import OutboxStateError, draft_key
from camtui.tui.composer.confirm import ConfirmScreen
from camtui.tui.composer.drafts import DraftAutosaver
from camtui.tui.composer.dropdown import SuggestField, Suggestion, SuggestionDropdown
from camtui.tui.composer.editor import EditorError, edit_in_editor
from camtui.tui.composer.outbox import OutboxList, SentLogTable, zone
from camtui.tui.composer.recipients import (
    BLOCKING,
    DestinationField,
    RecipientCheck,
    RecipientsField,
    send_list,
)
from camtui.tui.shell.events import PaneStatus

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.screen import Screen

    from camtui.compose.matcher import RecipientEntry
    from camtui.store import Store

MESSENGER = "messenger"
SUGGESTIONS = 8
"""Rows in the recipient dropdown."""
DIRECTORY_REFRESH_SECONDS = 6 * 3600
"""How often the directory is fetched again while the app runs (it also is at every start)."""
DIRECTORY_RETRY_SECONDS = 120

SCREENSHOTS: list[tuple[str, list[str]]] = [
    ("composer-autocomplete", ["3", "tab", "tab", *"yamada"]),  # 3: the pane; tab: To; tab: Users
]
"""Shots for screenshots/make_screenshots.py (keys pressed on the main screen once data arrived)."""
"""After a failed refresh (offline, 503): try again this much later."""
NOTICE_KEY = "composer.directory_notice_shown"
LAST_SEND_KEY = "composer.last_send"

TAB_MESSAGE = "composer-tab-message"
TAB_OUTBOX = "composer-tab-outbox"
TAB_SENT = "composer-tab-sent"
TABS = (TAB_MESSAGE, TAB_OUTBOX, TAB_SENT)


def is_messenger(send: str) -> bool:
    return not send.strip() or send.strip().casefold() == MESSENGER


def destination_status(send: str, known: set[str], confirmed: set[str]) -> str:
    """How the typed destination reads: "messenger", "known" (a room used before or configured), "confirmed" (the
    user said to send there anyway this session), or "unknown" (the server answers 405 if it does not exist)."""
    if is_messenger(send):
        return "messenger"
    name = send.strip()
    if name in known:
        return "known"
    return "confirmed" if name in confirmed else "unknown"


DESTINATION_LABELS = {
    "messenger": ("", ""),
    "known": ("✓ room", "$text-success"),
    "confirmed": ("? room not seen yet", "$text-warning"),
    "unknown": ("✗ unknown room → 405", "$text-error"),
}
"""What the little check next to `To` says for each `destination_status`."""


def count_line(text: str) -> str:
    """ "42 chars · 3 lines": characters as Python counts them (what the server stores), lines by `\\n`."""
    lines = text.count("\n") + 1 if text else 0
    return f"{len(text)} chars · {lines} line{'s' if lines != 1 else ''}"


@dataclass(frozen=True, slots=True)
class FormState:
    """What the user has typed: the unit a draft stores."""

    send: str
    recipients: str
    text: str
    seal: bool

    @property
    def is_empty(self) -> bool:
        return not self.text and not self.recipients.strip()


class ComposerPane(Widget, can_focus=True):
    """Destination, recipients with autocomplete, message, seal; outbox and sent log in tabs.

    Focusable itself: with the pane focused (not a field), printable keys are the shell's (1/2/3, q, z, ?)."""

    PANE_TITLE: ClassVar[str] = "Composer"
    ALLOW_MAXIMIZE = True

    BINDINGS: ClassVar = [
        Binding("enter", "move_into_form", "Write"),
        # "move_*": kept out of the command palette (the shell's rule); listed in `?` help.
        Binding("escape", "move_to_pane", "Leave the field (then 1/2/3, q, z work)", show=False),
        Binding("ctrl+s", "send", "Send"),
        Binding("ctrl+o", "edit_external", "$EDITOR"),
        Binding("ctrl+l", "toggle_seal", "Seal"),
        Binding("ctrl+g", "cycle_view", "Outbox/Sent"),
        Binding("ctrl+b", "batch", "Batch…"),
    ]

    def __init__(self, *, id: str | None = "composer", classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._matcher = RecipientMatcher([], authoritative=False)
        self._directory_state = "loading"
        """"loading", "cached", "fresh", "contacts" (no admin token), "offline"."""
        self._current_send = MESSENGER
        """The committed destination: the key the draft is saved under."""
        self._last_saved: FormState | None = None
        self._saved_at: str = ""
        self._notice: str = ""
        """A short line about the last send, shown under the message."""
        self._autosave: DraftAutosaver | None = None
        self._entries: list[RecipientEntry] = []
        self._outbox_counts: dict[str, int] = {}
        self._directory_timer: Timer | None = None
        self._parts: tuple[Input, TextArea, Checkbox] | None = None
        self._last_field: Widget | None = None
        """The form field that had focus last: Enter on the pane goes back there."""
        self._confirmed_rooms: set[str] = set()
        """Unknown chat rooms the user said to send to anyway (this session; dropped again on a 405)."""

    # ----- layout ---------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with TabbedContent(id="composer-tabs", initial=TAB_MESSAGE):
            with TabPane("Message", id=TAB_MESSAGE):
                with Horizontal(classes="composer-row", id="composer-dest-row"):
                    yield Label("To", classes="composer-label")
                    yield DestinationField(
                        id="composer-destination",
                        input_id="destination-input",
                        placeholder="messenger, or a chat room name",
                        suggest=self._suggest_destinations,
                    )
                    yield Static(id="composer-dest-check")
                    seal = Checkbox("Seal", id="composer-seal", compact=True)
                    seal.can_focus = False  # Tab goes To → Users → Message; ctrl+l or a click toggles it
                    yield seal
                with Horizontal(classes="composer-row", id="composer-recipients-row"):
                    yield Label("Users", classes="composer-label", id="recipients-label")
                    yield RecipientsField(
                        id="composer-recipients",
                        input_id="recipients-input",
                        placeholder="e-mail, name, romaji or department",
                        suggest=self._suggest_recipients,
                    )
                yield RecipientCheck(id="composer-check")
                yield TextArea(
                    id="composer-message",
                    soft_wrap=True,
                    tab_behavior="focus",
                    compact=True,
                    placeholder="Message… (ctrl+o opens $EDITOR, ctrl+s sends)",
                )
                yield Static(id="composer-footer")
            with TabPane("Outbox", id=TAB_OUTBOX):
                yield OutboxList(id="composer-outbox")
                yield Static(
                    "r retry · e edit (back into the form) · d discard · unknown = may have been delivered",
                    id="composer-outbox-help",
                )
            with TabPane("Sent", id=TAB_SENT):
                yield SentLogTable(id="composer-sent")

    # ----- shortcuts to the parts -----------------------------------------------------------------------------

    @property
    def store(self) -> Store:
        return self.app.store  # type: ignore[attr-defined]

    @property
    def destination(self) -> DestinationField:
        return self.query_one("#composer-destination", DestinationField)

    @property
    def recipients(self) -> RecipientsField:
        return self.query_one("#composer-recipients", RecipientsField)

    @property
    def message(self) -> TextArea:
        return self.query_one("#composer-message", TextArea)

    @property
    def seal(self) -> Checkbox:
        return self.query_one("#composer-seal", Checkbox)

    @property
    def outbox_list(self) -> OutboxList:
        return self.query_one("#composer-outbox", OutboxList)

    @property
    def matcher(self) -> RecipientMatcher:
        return self._matcher

    @property
    def directory_state(self) -> str:
        return self._directory_state

    def form(self) -> FormState:
        # The widgets themselves (kept since mount), not a query: when the app quits, the children are unmounted
        # before this pane, and the last keystrokes must still be readable to be saved.
        parts = self._parts
        if parts is None:
            parts = self._parts = (self.recipients.input, self.message, self.seal)
        recipients, message, seal = parts
        return FormState(self._current_send, recipients.value, message.text, seal.value)

    # ----- mount / unmount ------------------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.border_title = self.PANE_TITLE
        # The tab strip is for the mouse (ctrl+g switches views). The pane itself takes focus (`3`, Escape from a
        # field); Tab or Enter goes on into the form.
        for tabs in self.query(Tabs):
            tabs.can_focus = False
        self._parts = (self.recipients.input, self.message, self.seal)
        self._autosave = DraftAutosaver(self, self._save_draft)
        # Each step on its own: a store row that cannot be read or shown costs that list, never the app's start.
        for step in (
            self._use_fallback_matcher,
            self._restore_draft,
            self._refresh_outbox,
            self._refresh_sent,
        ):
            try:
                step()
            except Exception as exc:
                self.app.report_error(exc, "composer")  # type: ignore[attr-defined]
        self._update_footer()
        recovered = list(getattr(self.store, "recovered", []) or [])
        if recovered:
            n = len(recovered)
            self.notify(
                f"{n} message{'s were' if n != 1 else ' was'} being sent when camtui stopped; marked 'unknown' "
                "in the outbox (they may have been delivered: resend only after checking).",
                title="Composer",
                severity="warning",
                timeout=10,
                markup=False,
            )
        self._load_directory()

    def on_unmount(self) -> None:
        """Quitting (q, ctrl+q, SIGTERM/SIGHUP) or removing the pane: write what the debounce has not saved yet.

        Not only when the autosave is "dirty": the last keystrokes' Changed events may still be queued, unhandled,
        when the app exits. `_save_draft` compares with what was saved last, so this writes at most once."""
        if self._autosave is not None:
            self._autosave.cancel()
        with contextlib.suppress(Exception):  # a closed or broken store: nothing more can be done here
            self._save_draft()

    # ----- drafts ---------------------------------------------------------------------------------------------

    def _restore_draft(self) -> None:
        draft = self.store.drafts.latest()
        if draft is not None:
            self._fill(FormState(draft.send, draft.recipients, draft.text, draft.seal))
            self._saved_at = "restored"
            return
        last = self.store.ui_state.get(LAST_SEND_KEY)
        send = last if isinstance(last, str) and last.strip() else MESSENGER
        self._fill(FormState(send, "", "", False))

    def _fill(self, state: FormState) -> None:
        """Put a whole form on screen (restore, edit from the outbox, destination switch)."""
        self._current_send = state.send
        self.destination.set_value(state.send)
        self.recipients.set_value(state.recipients)
        self.message.load_text(state.text)
        self.seal.value = state.seal
        self._last_saved = state
        self._after_destination_change()
        self._recheck_recipients()

    def _save_draft(self) -> None:
        state = self.form()
        if state == self._last_saved or (state.is_empty and self._last_saved is None):
            return  # nothing new (an empty form that never held a draft must not delete a stored one)
        try:
            self.store.drafts.save(state.send, state.text, state.recipients, state.seal)
            self.store.ui_state.set(LAST_SEND_KEY, state.send)
        except (
            Exception
        ) as exc:  # disk full, locked database…: say so, keep the text on screen, try again later
            if self._autosave is not None:
                self._autosave.dirty = True
            self._saved_at = "NOT SAVED"
            self._update_footer()
            self.app.report_error(exc, "composer")  # type: ignore[attr-defined]
            return
        self._last_saved = state
        self._saved_at = self.app.clock().astimezone(self._tz()).strftime("%H:%M:%S")  # type: ignore[attr-defined]
        self._update_footer()

    def _touch(self) -> None:
        if self._autosave is not None:
            self._autosave.touch()
        self._update_footer()

    def flush_draft(self) -> None:
        """Write the draft now (tests, quitting, switching destination)."""
        if self._autosave is not None:
            self._autosave.dirty = True
            self._autosave.flush()

    # ----- destination ----------------------------------------------------------------------------------------

    def _room_names(self) -> list[str]:
        settings = self.app.settings  # type: ignore[attr-defined]
        names: list[str] = []
        seen: set[str] = set()
        with_drafts = [d.send for d in self.store.drafts.list()]
        for name in [MESSENGER, *self.store.directory.used_rooms(50), *settings.chat_rooms, *with_drafts]:
            if name and name not in seen:
                seen.add(name)
                names.append(name)
        return names

    def _suggest_destinations(self, fragment: str) -> list[Suggestion]:
        q = normalize(fragment)
        drafts = {d.key for d in self.store.drafts.list()}
        known = self._known_rooms()
        names = self._room_names()
        ranked = [n for n in names if normalize(n).startswith(q)] + [
            n for n in names if q and q in normalize(n) and not normalize(n).startswith(q)
        ]
        out: list[Suggestion] = []
        for name in ranked[:SUGGESTIONS]:
            if name == MESSENGER:
                tag = "direct message to people"
            else:
                tag = "chat room" if name in known else "chat room, never sent to (405?)"
            label = Content.assemble(
                (name, "bold"),
                (f"  {tag}", "$text-muted"),
                (
                    "  ✎ draft" if draft_key(name) in drafts and name != self._current_send else "",
                    "$text-warning",
                ),
            )
            out.append(Suggestion(name, label))
        return out

    def _known_rooms(self) -> set[str]:
        """Rooms a send reached before plus the configured ones: the same list the batch plan checks against."""
        settings = self.app.settings  # type: ignore[attr-defined]
        return known_rooms_for(self.store, getattr(settings, "chat_rooms", ()) or ())

    def destination_state(self, send: str | None = None) -> str:
        """`destination_status` of `send` (default: what the To field holds now, committed or not)."""
        typed = self.destination.value if send is None else send
        if is_messenger(typed):
            return "messenger"
        try:
            known = self._known_rooms()
        except Exception:  # an unreadable store: say unknown (the safe side: sending asks first)
            known = set()
        return destination_status(typed, known, self._confirmed_rooms)

    def _show_destination_check(self) -> None:
        if not self.is_mounted:
            return
        text, style = DESTINATION_LABELS[self.destination_state()]
        check = self.query_one("#composer-dest-check", Static)
        check.update(Content.styled(text, style) if text else "")
        check.display = bool(text)  # messenger: no check, no gap

    def _commit_destination(self) -> bool:
        """Make the typed destination the current one (draft key), moving or swapping drafts as needed.
        Returns True when another draft replaced what was on screen."""
        typed = self.destination.value.strip() or MESSENGER
        if is_messenger(typed):
            typed = MESSENGER
        old = self._current_send
        if typed == old:
            return False
        swapped = False
        if self._autosave is not None:
            self._autosave.cancel()
        current = self.form()
        existing = self.store.drafts.get(typed)
        if existing is not None and not existing.is_empty:
            # The new destination has its own draft: keep this one under the old destination, bring that one up.
            if not current.is_empty:
                self.store.drafts.save(old, current.text, current.recipients, current.seal)
                self.notify(
                    f"Draft for {typed} restored; the one for {old} is kept.", title="Composer", markup=False
                )
            self._fill(FormState(typed, existing.recipients, existing.text, existing.seal))
            swapped = not current.is_empty
        else:
            # No draft there: what is typed travels with the destination.
            self.store.drafts.delete(old)
            self._current_send = typed
            self._last_saved = None
            if not current.is_empty:
                self.store.drafts.save(typed, current.text, current.recipients, current.seal)
                self._last_saved = FormState(typed, current.recipients, current.text, current.seal)
            self._after_destination_change()
            self._recheck_recipients()
        self.store.ui_state.set(LAST_SEND_KEY, self._current_send)
        self._update_footer()
        return swapped

    def _after_destination_change(self) -> None:
        self._show_destination_check()
        room = not is_messenger(self._current_send)
        self.query_one("#recipients-label", Label).update("Mention" if room else "Users")
        self.recipients.input.placeholder = (
            "optional: people to mention (e-mail, name, romaji)"
            if room
            else "e-mail, name, romaji or department"
        )

    @on(SuggestField.Accepted, "#composer-destination")
    def _destination_accepted(self) -> None:
        self._commit_destination()

    @on(TextArea.Changed, "#composer-message")
    def _message_changed(self) -> None:
        self._touch()

    @on(Checkbox.Changed, "#composer-seal")
    def _seal_changed(self) -> None:
        self._touch()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "destination-input":
            event.stop()
            self._commit_destination()
            self.recipients.input.focus()
        elif event.input.id == "recipients-input":
            event.stop()
            self.message.focus()

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        if getattr(event.widget, "id", None) == "destination-input":
            self._commit_destination()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "destination-input":
            self._show_destination_check()  # as typed: garbage shows as an unknown room before anything is sent
        elif event.input.id == "recipients-input":
            self._recheck_recipients()
            self._touch()

    # ----- recipients -----------------------------------------------------------------------------------------

    def _suggest_recipients(self, fragment: str) -> list[Suggestion]:
        out: list[Suggestion] = []
        for c in self._matcher.match(fragment, SUGGESTIONS):
            user = c.user
            name = (getattr(user, "name", "") or "").strip()
            romaji = (getattr(user, "romaji", "") or "").strip()
            dept = (getattr(user, "department", "") or "").strip()
            label = Content.assemble(
                (name or c.email, "bold"),
                (f" {romaji}" if name and romaji else "", "$text-muted"),
                (f"  <{c.email}>" if name else "", ""),
                (f"  {dept}" if dept else "", "$text-accent"),
            )
            out.append(Suggestion(c.email, label))
        return out

    def _recheck_recipients(self) -> None:
        self._entries = self._matcher.resolve(self.recipients.value)
        self.query_one("#composer-check", RecipientCheck).show(
            self._entries, mentions=not is_messenger(self._current_send)
        )

    @property
    def entries(self) -> list[RecipientEntry]:
        """How each typed recipient resolved, as last shown."""
        return list(self._entries)

    # ----- the directory --------------------------------------------------------------------------------------

    def _fallback_emails(self) -> list[str]:
        settings = self.app.settings  # type: ignore[attr-defined]
        return [*self.store.directory.used_addresses(5000), *settings.contacts]

    def _use_fallback_matcher(self) -> None:
        self._matcher = RecipientMatcher([], extra_emails=self._fallback_emails(), authoritative=False)

    def _set_matcher(self, matcher: RecipientMatcher, state: str) -> None:
        self._matcher = matcher
        self._directory_state = state
        self._recheck_recipients()
        self._update_footer()

    @work(group="composer-directory", exclusive=True, exit_on_error=False)
    async def _load_directory(self) -> None:
        """The cached export first (instant autocomplete after a restart), then a fresh one in the background."""
        store = self.store
        extra = self._fallback_emails()

        def from_cache() -> RecipientMatcher | None:
            users = store.directory.users()
            return RecipientMatcher(users, extra_emails=extra) if users else None

        cached = await asyncio.to_thread(from_cache)
        if cached is not None:
            self._set_matcher(cached, "cached")
        await self._refresh_directory()

    async def _refresh_directory(self) -> None:
        from camtui.api import CAMAPIError

        app: Any = self.app
        if getattr(app, "auth_failed", False):
            self._arm_directory_refresh(DIRECTORY_RETRY_SECONDS)
            return
        try:
            export = await app.client.export_users()
        except CAMAPIError as exc:
            if exc.code == "800":
                self._directory_not_admin()
                return
            self._directory_failed(exc)
            return
        except Exception as exc:  # TransportError and anything unexpected: keep the cache, try later
            self._directory_failed(exc)
            return
        users = list(export.users)
        store = self.store
        extra = self._fallback_emails()

        def build() -> RecipientMatcher:
            store.directory.replace(users)
            return RecipientMatcher(users, extra_emails=extra)

        matcher = await asyncio.to_thread(build)
        self._set_matcher(matcher, "fresh")
        store.ui_state.delete(NOTICE_KEY)
        self.post_message(PaneStatus("composer", ok=True, when=app.clock()))
        self._arm_directory_refresh(DIRECTORY_REFRESH_SECONDS)

    def _arm_directory_refresh(self, seconds: float) -> None:
        """One pending refresh at a time (re-armed after each attempt, never overlapping)."""
        if self._directory_timer is not None:
            self._directory_timer.stop()
        self._directory_timer = self.set_timer(
            seconds, self.action_refresh_directory, name="composer-directory-refresh"
        )

    def _directory_not_admin(self) -> None:
        """800: this token cannot export users. Fall back to addresses used before and config contacts."""
        # The server answered (and accepted the token): the composer is connected, just without a directory.
        self.post_message(PaneStatus("composer", ok=True, when=self.app.clock()))  # type: ignore[attr-defined]
        if self._directory_state != "cached":
            self._use_fallback_matcher()
            self._directory_state = "contacts"
            self._recheck_recipients()
        self._update_footer()
        if not self.store.ui_state.get(NOTICE_KEY):
            self.store.ui_state.set(NOTICE_KEY, True)
            where = (
                "the cached directory"
                if self._directory_state == "cached"
                else ("addresses used before and config contacts; recipients are not checked")
            )
            self.notify(
                f"The user directory needs an administrator token (800). Autocomplete uses {where}.",
                title="Composer",
                severity="warning",
                timeout=10,
                markup=False,
            )

    def _directory_failed(self, exc: BaseException) -> None:
        if self._directory_state == "loading":
            self._directory_state = "offline"
        self._update_footer()
        self.app.report_error(exc, "composer")  # type: ignore[attr-defined]
        self._arm_directory_refresh(DIRECTORY_RETRY_SECONDS)

    def action_refresh_directory(self) -> None:
        self._refresh_worker()

    def on_auth_state_changed(self, event: Any) -> None:
        """The shell fixed the token or asked for a retry: fetch the directory again if it is not fresh."""
        if not getattr(event, "failed", True) and self._directory_state != "fresh":
            self.action_refresh_directory()

    @work(group="composer-directory", exclusive=True, exit_on_error=False)
    async def _refresh_worker(self) -> None:
        await self._refresh_directory()

    # ----- sending --------------------------------------------------------------------------------------------

    def action_send(self) -> None:
        if self._commit_destination():
            # The new destination brought its own draft up: never send a text the user is not looking at.
            self.notify(
                "Not sent: check the restored draft, then press ctrl+s again.", title="Composer", markup=False
            )
            return
        state = self.form()
        send = state.send
        text = state.text
        if not text.strip():
            self.notify(
                "Nothing to send: the message is empty.", title="Composer", severity="warning", markup=False
            )
            return
        entries = self._matcher.resolve(state.recipients)
        self._entries = entries
        blocking = [e for e in entries if e.status in BLOCKING]
        if blocking:
            names = ", ".join(e.token for e in blocking[:3])
            self.notify(
                f"Not sent: pick who you mean for {names} (choose from the list or type the e-mail).",
                title="Composer",
                severity="error",
                markup=False,
            )
            self.recipients.input.focus()
            return
        users = send_list(entries)
        if is_messenger(send) and not users:
            self.notify(
                "Not sent: a messenger message needs at least one recipient.",
                title="Composer",
                severity="error",
                markup=False,
            )
            self.recipients.input.focus()
            return
        reasons = self._confirm_reasons(text, users, entries)
        room = "" if is_messenger(send) else send.strip()
        unknown_room = bool(room) and self.destination_state(room) == "unknown"
        if unknown_room:
            reasons.insert(
                0,
                f"chat room {room!r} is unknown: nothing was ever sent there from here and it is not in "
                "chat_rooms (config). If no such room exists the server refuses it (405); check the name.",
            )
        if reasons:
            body = "\n".join(f"• {r}" for r in reasons)
            where = "messenger" if is_messenger(send) else f"chat room {room}"

            def answered(yes: bool | None) -> None:
                if not yes:
                    return
                if unknown_room:
                    self._confirmed_rooms.add(room)
                    self._show_destination_check()
                self._queue_and_send(state, users)

            self._open_dialog(
                ConfirmScreen(f"Send to {where}?", body, yes="Send", no="Back to editing"), answered
            )
            return
        self._queue_and_send(state, users)

    def _confirm_reasons(self, text: str, users: list[str], entries: list[RecipientEntry]) -> list[str]:
        settings = self.app.settings  # type: ignore[attr-defined]
        reasons: list[str] = []
        unknown = [e for e in entries if e.status == "unknown"]
        if unknown:
            shown = ", ".join(f"{e.token} ({e.predicted_code or '452'})" for e in unknown[:4])
            more = f" and {len(unknown) - 4} more" if len(unknown) > 4 else ""
            reasons.append(
                f"{len(unknown)} recipient(s) are not in the directory; the server will likely refuse: {shown}{more}"
            )
        limit = int(getattr(settings, "composer_confirm_recipients", 20))
        if len(users) > limit:
            reasons.append(f"{len(users)} recipients (more than {limit})")
        chars = int(getattr(settings, "composer_confirm_chars", 2000))
        if len(text) > chars:
            reasons.append(f"a long message: {len(text)} characters (more than {chars})")
        return reasons

    def _queue_and_send(self, state: FormState, users: list[str]) -> None:
        """Outbox first; only then is the form cleared and the draft dropped; then the request (in a worker)."""
        from camtui.compose.sender import queue_message

        send = MESSENGER if is_messenger(state.send) else state.send.strip()
        try:
            entry = queue_message(self.store, send, state.text, state.seal, users)
        except Exception as exc:  # the store refused: keep everything on screen
            self.app.report_error(exc, "composer")  # type: ignore[attr-defined]
            return
        if self._autosave is not None:
            self._autosave.cancel()
        self.store.drafts.delete(state.send)
        self._fill(FormState(state.send, "", "", False))
        self._notice = "sending…"
        self._refresh_outbox()
        self.message.focus()
        self._deliver(entry.id, force=False)

    @work(group="composer-send", exit_on_error=False)
    async def _deliver(self, entry_id: int, force: bool = False, source: str = "composer") -> None:
        from camtui.compose.sender import deliver_entry

        app: Any = self.app
        try:
            outcome = await deliver_entry(app.client, self.store, entry_id, force=force, source=source)
        finally:
            self._refresh_outbox()
        self._refresh_sent()
        if getattr(outcome.error, "code", None) == "405" and outcome.entry is not None:
            self._confirmed_rooms.discard(
                outcome.entry.send
            )  # the server says it does not exist: unknown again
        self._show_destination_check()  # a room reached once is known from now on
        if outcome.status == "sent":
            self._notice = outcome.summary
            self.notify(outcome.summary, title="Sent", markup=False)
            self.post_message(PaneStatus("composer", ok=True, when=app.clock()))
        else:
            what = "outcome unknown" if outcome.status == "unknown" else "failed"
            self._notice = f"last send {what}: kept in the outbox (ctrl+g)"
            if outcome.error is not None:
                app.report_error(outcome.error, "composer")
            else:
                self.notify(outcome.summary, title="Composer", severity="error", markup=False)
        self._update_footer()

    # ----- outbox and sent log --------------------------------------------------------------------------------

    def refresh_lists(self) -> None:
        """Reload the outbox and the sent log (after a batch, or anything else that wrote to them)."""
        self._refresh_outbox()
        self._refresh_sent()

    def _refresh_outbox(self) -> None:
        try:
            entries = self.store.outbox.list()
            self._outbox_counts = self.store.outbox.counts()
        except Exception as exc:  # an unreadable store row: say so, keep what is shown
            self.app.report_error(exc, "composer")  # type: ignore[attr-defined]
            return
        self.outbox_list.show_entries(entries)
        tabs = self.query_one("#composer-tabs", TabbedContent)
        tabs.get_tab(TAB_OUTBOX).label = f"Outbox ({len(entries)})" if entries else "Outbox"
        self._update_footer()

    def _refresh_sent(self) -> None:
        app: Any = self.app
        try:
            records = self.store.sent_log.list(100)
        except Exception as exc:  # an unreadable store row: say so, keep what is shown
            app.report_error(exc, "composer")
            return
        self.query_one("#composer-sent", SentLogTable).show_records(records, self._tz(), app.clock())

    def _tz(self) -> Any:
        return zone(getattr(self.app.settings, "time_zone", "UTC"))  # type: ignore[attr-defined]

    @on(OutboxList.Intent)
    def _outbox_intent(self, event: OutboxList.Intent) -> None:
        event.stop()
        entry = self.store.outbox.get(event.entry_id)
        if entry is None:
            self._refresh_outbox()
            return
        if entry.state == "sending":
            self.notify(
                "That message is being sent right now; wait for the outcome.", title="Composer", markup=False
            )
            return
        if event.action == "retry":
            if entry.state == "unknown":
                self._open_dialog(
                    ConfirmScreen(
                        "Send again?",
                        "The server may already have delivered this message (the connection broke after the request "
                        "left). Sending again may deliver it twice. Check the chat first.\n\n"
                        f"To: {entry.send}  {', '.join(entry.users) or ''}\n{entry.message[:200]}",
                        yes="Send again",
                        no="Keep it",
                        danger=True,
                    ),
                    lambda yes: self._deliver(entry.id, force=True, source="outbox-retry") if yes else None,
                )
                return
            self._deliver(entry.id, force=False, source="outbox-retry")
            self._notice = "retrying…"
            self._update_footer()
        elif event.action == "edit":
            self._edit_entry(entry.id)
        elif event.action == "discard":
            self._open_dialog(
                ConfirmScreen(
                    "Discard this message?",
                    f"To: {entry.send}  {', '.join(entry.users)}\n{entry.message[:300]}",
                    yes="Discard",
                    no="Keep",
                    danger=True,
                ),
                lambda yes: self._discard_entry(entry.id) if yes else None,
            )

    def _edit_entry(self, entry_id: int) -> None:
        """Back into the form. The form must be empty (so nothing typed is overwritten); the draft is written
        before the outbox entry is dropped, so the text is always somewhere."""
        entry = self.store.outbox.get(entry_id)
        if entry is None:
            return
        if not self.form().is_empty:
            self.notify(
                "Send or clear the message in the form first; the outbox entry stays where it is.",
                title="Composer",
                severity="warning",
                markup=False,
            )
            return
        state = FormState(entry.send, ", ".join(entry.users), entry.message, entry.seal)
        if self._autosave is not None:
            self._autosave.cancel()
        self.store.drafts.save(state.send, state.text, state.recipients, state.seal)
        try:
            self.store.outbox.discard(entry_id)
        except OutboxStateError as exc:
            self.notify(str(exc), title="Composer", severity="warning", markup=False)
            return
        self._fill(state)
        self._refresh_outbox()
        self.show_tab(TAB_MESSAGE)
        self.message.focus()

    def _discard_entry(self, entry_id: int) -> None:
        try:
            self.store.outbox.discard(entry_id)
        except OutboxStateError as exc:
            self.notify(str(exc), title="Composer", severity="warning", markup=False)
        self._refresh_outbox()

    # ----- focus: the pane, the fields, dialogs ------------------------------------------------------------

    def _fields(self) -> tuple[Widget, ...]:
        return (self.destination.input, self.recipients.input, self.message)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if event.widget in self._fields():
            self._last_field = event.widget

    def focus_on_click(self) -> bool:
        """A click on an open suggestion list must not move focus to the pane (that would close the list before it
        picks); any other click on the pane's background focuses the pane itself."""
        try:
            widget, _ = self.screen.get_widget_at(*self.app.mouse_position)
        except NoWidget:
            return True
        return not any(isinstance(node, SuggestionDropdown) for node in widget.ancestors_with_self)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Enter only means "into the form" on the pane itself; Escape only means "out" from inside it. Otherwise
        # the key goes on (Escape then reaches the shell: restore a maximised pane).
        if action == "move_into_form":
            return self.screen.focused is self
        if action == "move_to_pane":
            focused = self.screen.focused
            return focused is not None and focused is not self and self.has_focus_within
        return True

    def action_move_into_form(self) -> None:
        """Enter on the pane: back to the field used last (the To field at first), or the list on view."""
        active = self.query_one("#composer-tabs", TabbedContent).active
        if active == TAB_OUTBOX:
            self.outbox_list.focus()
        elif active == TAB_SENT:
            self.query_one("#composer-sent", SentLogTable).focus()
        else:
            field = self._last_field
            if field is None or not field.is_attached:
                field = self.destination.input
            field.focus()

    def action_move_to_pane(self) -> None:
        """Escape in a field (no list open): focus the pane itself, so the shell's keys work; a second Escape
        goes on to the shell. Leaving the To field commits what it holds (as Tab does)."""
        if self.screen.focused is self or not self.has_focus_within:
            raise SkipAction()
        self.focus()

    def _open_dialog(
        self,
        screen: Screen[Any],
        callback: Callable[[Any], None] | None = None,
        *,
        leave_fields: bool = False,
    ) -> None:
        """Push a dialog; when it closes, focus lands where it was before, or on the pane itself when it was in a
        field and `leave_fields` (the batch dialog: after it, keys should work, not type into `To`).

        Never select-all on return (the inputs do not select on focus), so a key after a dialog cannot silently
        replace a field. An answer that moved focus on purpose (a send focuses the empty message) is kept."""
        before = self.screen.focused

        def closed(result: Any) -> None:
            if callback is not None:
                callback(result)
            self._land_after_dialog(before, leave_fields)

        self.app.push_screen(screen, closed)

    def _land_after_dialog(self, before: Widget | None, leave_fields: bool) -> None:
        if not self.is_attached:
            return
        now = self.screen.focused
        if now is not None and now is not before:
            return
        gone = before is None or not before.is_attached or not before.focusable
        if gone or (leave_fields and before in self._fields()):
            self.focus()
        elif before is not None:
            before.focus()

    # ----- other actions --------------------------------------------------------------------------------------

    def show_tab(self, tab: str) -> None:
        self.query_one("#composer-tabs", TabbedContent).active = tab
        if tab == TAB_OUTBOX:
            self._refresh_outbox()
            self.outbox_list.focus()
        elif tab == TAB_SENT:
            self._refresh_sent()
            self.query_one("#composer-sent", SentLogTable).focus()
        else:
            self.message.focus()

    def action_cycle_view(self) -> None:
        active = self.query_one("#composer-tabs", TabbedContent).active
        nxt = TABS[(TABS.index(active) + 1) % len(TABS)] if active in TABS else TAB_MESSAGE
        self.show_tab(nxt)

    def action_toggle_seal(self) -> None:
        self.seal.toggle()

    def action_edit_external(self) -> None:
        original = self.message.text
        try:
            edited = edit_in_editor(self.app, original)
        except EditorError as exc:
            self.notify(str(exc), title="Editor", severity="error", markup=False)
            return
        if edited != original:
            self.message.load_text(edited)
            self.message.move_cursor(self.message.document.end)
            self._touch()
        self.show_tab(TAB_MESSAGE)

    def action_batch(self) -> None:
        from camtui.tui.composer.batch import BatchScreen

        self._open_dialog(BatchScreen(), leave_fields=True)

    def action_discard_draft(self) -> None:
        state = self.form()
        if state.is_empty:
            return
        self._open_dialog(
            ConfirmScreen(
                "Discard this draft?",
                state.text[:300] or state.recipients,
                yes="Discard",
                no="Keep",
                danger=True,
            ),
            lambda yes: self._clear_form() if yes else None,
        )

    def _clear_form(self) -> None:
        if self._autosave is not None:
            self._autosave.cancel()
        self.store.drafts.delete(self._current_send)
        self._fill(FormState(self._current_send, "", "", False))
        self._update_footer()

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Composer: Show message", "The message form", lambda: self.show_tab(TAB_MESSAGE))
        yield SystemCommand(
            "Composer: Show outbox", "Messages not accepted yet", lambda: self.show_tab(TAB_OUTBOX)
        )
        yield SystemCommand(
            "Composer: Show sent log", "What went where and when", lambda: self.show_tab(TAB_SENT)
        )
        yield SystemCommand(
            "Composer: Refresh directory", "Fetch the user list again", self.action_refresh_directory
        )
        yield SystemCommand(
            "Composer: Discard draft", "Clear the form (asks first)", self.action_discard_draft
        )

    # ----- footer line ----------------------------------------------------------------------------------------

    def _directory_text(self) -> str:
        n = len(self._matcher)
        return {
            "loading": "directory loading…",
            "cached": f"directory {n} (cached)",
            "fresh": f"directory {n}",
            "contacts": f"contacts only ({n}): token is not admin",
            "offline": f"directory offline ({n} known)",
        }.get(self._directory_state, "")

    def _update_footer(self) -> None:
        if not self.is_mounted:
            return
        try:
            footer = self.query_one("#composer-footer", Static)
            text = self.message.text
        except Exception:
            return
        counts = self._outbox_counts
        # Most important first: the line is cut at the pane's width.
        bits: list[tuple[str, str]] = [(count_line(text), "")]
        if self.seal.value:
            bits.append((" · sealed", "$text-warning"))
        waiting = [f"{counts[s]} {s}" for s in ("failed", "unknown", "pending", "sending") if counts.get(s)]
        if waiting:
            style = "$text-error" if counts.get("failed") else "$text-warning"
            bits.append((" · outbox: " + ", ".join(waiting), style))
        if self._notice:
            bits.append((f" · {self._notice}", "$text-accent"))
        if self._saved_at:
            bits.append((f" · draft {self._saved_at}", "$text-muted"))
        bits.append((f" · {self._directory_text()}", "$text-muted"))
        footer.update(Content.assemble(*bits), layout=False)  # fixed height: a repaint, not a re-layout

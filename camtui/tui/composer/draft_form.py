"""The composer form's state: drafts (restored, autosaved, moved with the destination), the destination and its
check, and how each typed recipient resolves. A part of `ComposerPane` (its mixin), kept apart by concern.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.content import Content
from textual.widgets import Input, Label, Static

from camtui.compose.matcher import normalize
from camtui.compose.send_plan import known_rooms, refused_rooms
from camtui.store import draft_key
from camtui.tui.composer.dropdown import Suggestion
from camtui.tui.composer.form import (
    DESTINATION_LABELS,
    LAST_SEND_KEY,
    MESSENGER,
    SUGGESTIONS,
    FormState,
    destination_status,
    is_messenger,
)
from camtui.tui.composer.recipients import RecipientCheck

if TYPE_CHECKING:
    from camtui.compose.matcher import RecipientEntry


class DraftFormMixin:
    """Drafts, destination and recipients of `ComposerPane`; needs its parts (`form()`, `destination`, ...)."""

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
                tag = "chat room" if name in known else "chat room, not used from here before"
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
        """Rooms a send reached before, the configured ones, and those the admin screen recorded."""
        settings = self.app.settings  # type: ignore[attr-defined]
        recorded = self.store.chat_rooms.names() if hasattr(self.store, "chat_rooms") else ()
        return known_rooms(
            self.store.directory.used_rooms(), getattr(settings, "chat_rooms", ()) or (), recorded
        )

    def _refused_rooms(self) -> set[str]:
        """Rooms the server answered 405 for (failed outbox entries): the only rooms we know do not exist."""
        return refused_rooms(self.store.outbox.list())

    def room_knowledge(self) -> tuple[set[str], set[str]]:
        """(known, refused) rooms; an unreadable store gives two empty sets (the safe side: sending asks first)."""
        try:
            return self._known_rooms(), self._refused_rooms()
        except Exception:
            return set(), set()

    def destination_state(self, send: str | None = None) -> str:
        """`destination_status` of `send` (default: what the To field holds now, committed or not)."""
        typed = self.destination.value if send is None else send
        if is_messenger(typed):
            return "messenger"
        known, refused = self.room_knowledge()
        return destination_status(typed, known, self._confirmed_rooms, refused)

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
        self._arm_page_release()  # type: ignore[attr-defined]
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

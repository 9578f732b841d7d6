"""The composer's send flow: ask the engine for a verdict (`compose.send_plan`), show it (a notice, a
confirmation), queue in the outbox, deliver in a worker and show the outcome.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.worker import get_current_worker

from camtui.compose.send_plan import SendPlan, is_messenger, plan_send
from camtui.tui.composer.confirm import ConfirmScreen
from camtui.tui.composer.form import FormState
from camtui.tui.shell.events import PaneStatus
from camtui.tui.shell.quit_guard import track_send

if TYPE_CHECKING:
    from camtui.compose.send_plan import SendRequest


class SendFlowMixin:
    """The send part of `ComposerPane`: the pane only shows the verdict and acts on it."""

    def action_send(self) -> None:
        if self._commit_destination():
            # The new destination brought its own draft up: never send a text the user is not looking at.
            self.notify(
                "Not sent: check the restored draft, then press ctrl+s again.", title="Composer", markup=False
            )
            return
        key = self._current_send  # the draft the form is under: dropped once the message is in the outbox
        plan = self.send_plan()
        self._entries = list(plan.entries)
        if plan.blocked:
            block = plan.blocks[0]  # the first thing to fix, in the order the user meets them
            self.notify(block.message, title="Composer", severity=block.severity, markup=False)
            if block.focus == "recipients":
                self.recipients.input.focus()
            return
        if plan.needs_confirmation:

            def answered(yes: bool | None) -> None:
                if not yes:
                    return
                if plan.unknown_room:
                    self._confirmed_rooms.add(plan.unknown_room)
                    self._show_destination_check()
                self._queue_and_send(plan.request, key)

            self._open_dialog(
                ConfirmScreen(plan.confirm_title, plan.confirm_body, yes="Send", no="Back to editing"),
                answered,
            )
            return
        self._queue_and_send(plan.request, key)

    def send_plan(self) -> SendPlan:
        """The engine's verdict on what the form holds now (`compose.send_plan.plan_send`)."""
        state = self.form()
        settings = self.app.settings  # type: ignore[attr-defined]
        known, refused = (set(), set()) if is_messenger(state.send) else self.room_knowledge()
        return plan_send(
            state.send,
            state.text,
            state.seal,
            self._matcher.resolve(state.recipients),
            known_rooms=known,
            confirmed_rooms=self._confirmed_rooms,
            refused_rooms=refused,
            confirm_recipients=int(getattr(settings, "composer_confirm_recipients", 20)),
            confirm_chars=int(getattr(settings, "composer_confirm_chars", 2000)),
        )

    def _queue_and_send(self, request: SendRequest, key: str) -> None:
        """Outbox first; only then is the form cleared and the draft dropped; then the request (in a worker)."""
        from camtui.compose.sender import queue_message

        try:
            entry = queue_message(self.store, request.send, request.text, request.seal, list(request.users))
        except Exception as exc:  # the store refused: keep everything on screen
            self.app.report_error(exc, "composer")  # type: ignore[attr-defined]
            return
        if self._autosave is not None:
            self._autosave.cancel()
        self.store.drafts.delete(key)
        self._fill(FormState(key, "", "", False))
        self._notice = "sending…"
        self._refresh_outbox()
        self.message.focus()
        self._deliver(entry.id, force=False)

    @work(group="composer-send", exit_on_error=False)
    async def _deliver(self, entry_id: int, force: bool = False, source: str = "composer") -> None:
        from camtui.compose.sender import deliver_entry

        app: Any = self.app
        track_send(app, get_current_worker())  # `q` now waits for its answer
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

"""What the keys of the calls pane do: add, remove, detail, copy, pause, sort, filter, interval, successor.
A mixin of `CallsPane`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual import work
from textual.actions import SkipAction

from camtui.tui.calls.add import AddCallDialog, CallToAdd
from camtui.tui.calls.create import QuickCallDialog, QuickCallRequest, successor_request
from camtui.tui.calls.detail import CallDetailScreen
from camtui.tui.calls.dialogs import CallsConfirm, CallsPrompt, CallsQuestion
from camtui.tui.calls.model import (
    CallRow,
    fmt_time,
    is_expired,
)
from camtui.tui.shell.clipboard import send_to_clipboard
from camtui.tui.shell.durations import interval_text, step_interval


def _parse_interval(text: str) -> float:
    raw = text.strip().lower().removesuffix("s").strip()
    try:
        value = float(raw)
    except ValueError:
        raise ValueError("Type a number of seconds, e.g. 5 or 30.") from None
    if not 1 <= value <= 3600:
        raise ValueError("Between 1 and 3600 seconds, please.")
    return value


class CallsActions:
    """The pane's actions (part of `CallsPane`)."""

    # -- actions --------------------------------------------------------------------------------------------

    def _selected(self) -> CallRow | None:
        return self.table.cursor_row if self._rows else None

    def action_add(self) -> None:
        self.app.push_screen(AddCallDialog(self._fetch, lambda sid: sid in self._rows), self._added)

    def _added(self, ref: CallToAdd | None) -> None:
        if ref is None:
            return
        if ref.sid in self._rows:
            self.watch_call(ref.sid)  # selects it, says "Already watching"
            return
        self.watch_call(ref.sid, url=ref.url, origin="added", title=ref.title, unchecked=ref.unchecked)
        if ref.unchecked:
            self.notify(
                f"Added {ref.sid} unchecked: the server could not be asked ({ref.unchecked}). "
                "Its first good poll confirms it.",
                severity="warning",
                markup=False,
            )

    def watch_call(self, sid: str, *, origin: str = "added", **fields: Any) -> CallRow:
        """Add a call to the watch list (or select it if already there) and poll it at once."""
        existing = self._rows.get(sid)
        if existing is not None:
            self.table.select(sid)
            self.notify(f"Already watching {existing.title or sid}.", markup=False)
            return existing
        row = CallRow(sid=sid, origin=origin, **fields)
        self._add_row(row, persist=True)
        self._schedule(row)
        self._sync_table()
        self.table.select(sid)
        self._poll_one(sid)
        if self._round_timer is None and (self._round_worker is None or self._round_worker.is_finished):
            self.start_round()  # the list was empty: polling was idle
        return row

    def _created(self, call: Any, origin: str = "created") -> None:
        self.watch_call(
            call.sid,
            origin=origin,
            title=call.title,
            url=call.url,
            password=call.password,
            presenter_pass=call.presenter_pass,
            expires=call.expired_date,
        )

    def action_new_call(self) -> None:
        self.app.push_screen(QuickCallDialog(now=self.now, tz=self._tz_name, on_created=self._created))

    def action_remove(self) -> None:
        row = self._selected()
        if row is None:
            return
        sid = row.sid

        def answered(yes: bool | None) -> None:
            if yes:
                self.unwatch_call(sid)

        self.app.push_screen(
            CallsConfirm(
                "Stop watching?", f"Remove 「{row.title or '(untitled)'}」 ({sid}) and its history?"
            ),
            answered,
        )

    def action_remove_expired(self) -> None:
        """A dashboard open all day (or `camtui demo` following the sandbox's calls) collects expired calls:
        clear them in one go, after one question that names them."""
        now = self.now()
        expired = [row for row in self._rows.values() if is_expired(row, now)]
        if not expired:
            self.notify("No expired calls to remove.", timeout=3, markup=False)
            return
        names = [f"「{row.title or '(untitled)'}」" for row in expired[:5]]
        if len(expired) > 5:
            names.append(f"and {len(expired) - 5} more")
        count = f"{len(expired)} expired call" + ("s" if len(expired) > 1 else "")

        def answered(yes: bool | None) -> None:
            if yes:
                self.unwatch_calls([row.sid for row in expired])
                self.notify(f"Stopped watching {count}.", timeout=3, markup=False)

        self.app.push_screen(
            CallsConfirm(
                "Remove expired calls?", f"Stop watching {count} and drop their history: {', '.join(names)}"
            ),
            answered,
        )

    def unwatch_call(self, sid: str) -> None:
        self.unwatch_calls([sid])

    def unwatch_calls(self, sids: Iterable[str]) -> None:
        """Stop watching `sids`: rows, pending store writes and back-off go; the table is rebuilt once."""
        gone = {sid for sid in sids if self._rows.pop(sid, None) is not None}
        if not gone:
            return
        for sid in gone:
            self._not_before.pop(sid, None)
        self._pending = [u for u in self._pending if u.sid not in gone]
        if self.call_store is not None:
            try:
                self.call_store.unwatch_all(gone)
            except Exception as exc:
                self.app.report_error(exc, "calls")  # type: ignore[attr-defined]
        self._sync_table()

    def action_detail(self) -> None:
        row = self._selected()
        if row is None:
            raise SkipAction()
        self.app.push_screen(CallDetailScreen(self, row.sid, share_url=self.share_url))

    def action_copy(self, what: str = "share") -> None:
        """The shared copy key (`shell.keys.COPY_SHARE`): the selected call's share URL."""
        self.action_copy_url()

    def action_copy_url(self) -> None:
        row = self._selected()
        if row is None:
            return
        send_to_clipboard(self.app, self.share_url(row))

    def action_interval(self, direction: int) -> None:
        """+ / - (the keys rooms uses too): the next step of `POLL_STEPS` up or down."""
        self.set_poll_interval(step_interval(self.backoff.interval, direction))

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        if self.paused:
            self._stop_polling()
            self._flush()
            self._set_pane_reason("paused", status="paused")
        else:
            self._set_pane_reason(None)
            self.start_round()
        self.refresh_bindings()

    def action_refresh(self) -> None:
        if self.paused:
            self.notify("Paused: press p to resume polling.", markup=False)
            return
        self.start_round(manual=True)

    def action_sort(self) -> None:
        self.notify(f"Sorted by {self.table.cycle_sort()}", timeout=2, markup=False)
        self._update_status()

    def action_reverse_sort(self) -> None:
        self.notify(f"Sorted by {self.table.reverse_sort()}", timeout=2, markup=False)
        self._update_status()

    def action_set_interval(self) -> None:
        self.app.push_screen(
            CallsPrompt(
                "Poll interval",
                "Seconds between polls of each call (the pane slows down by itself when the server is busy).",
                _parse_interval,
                value=f"{self.backoff.interval:g}",
            ),
            self._interval_chosen,
        )

    def _interval_chosen(self, value: float | None) -> None:
        if value is None:
            return
        self.set_poll_interval(value)

    def set_poll_interval(self, seconds: float) -> None:
        """Change the interval live; the next round starts now with the new spacing."""
        self.backoff.interval = float(seconds)
        self.notify(f"Polling each call every {interval_text(seconds)}.", timeout=3, markup=False)
        self._update_status()
        if not self.paused:
            self.start_round()

    def action_successor(self) -> None:
        sid = self._successor_sid if self._successor_sid in self._rows else None
        row = self._rows.get(sid) if sid else self._selected()
        if row is None:
            return
        self.create_successor(row.sid)

    def create_successor(self, sid: str, *, confirm: bool = True) -> None:
        """Same title and password, a fresh expiry; if the password is unknown here, ask with the form.

        Asks first (y/n): the API cannot delete a call, so a stray shift+n must not leave a live call around.
        """
        row = self._rows.get(sid)
        if row is None:
            return
        if not row.password and row.origin not in ("created", "successor"):
            self.app.push_screen(
                QuickCallDialog(
                    now=self.now,
                    tz=self._tz_name,
                    on_created=lambda call: self._created(call, "successor"),
                    title=row.title,
                    heading="Successor call (this call's password is not known here: set one)",
                )
            )
            return
        request = successor_request(row, self.now())
        if not confirm:
            self._create_successor(sid, request)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._create_successor(sid, request)

        self.app.push_screen(CallsQuestion(self.successor_question(row, request)), answered)

    def successor_question(self, row: CallRow, request: QuickCallRequest) -> str:
        until = fmt_time(request.expires, self.now(), self.tz)
        return f"Create successor call '{row.title or '(untitled)'}' until {until}? y/n"

    @work(group="calls-successor", exclusive=True, exit_on_error=False)
    async def _create_successor(self, sid: str, request: QuickCallRequest) -> None:
        row = self._rows.get(sid)
        if row is None:
            return
        try:
            call = await self.app.client.create_quick_call(  # type: ignore[attr-defined]
                request.expires, request.password, request.title
            )
        except Exception as exc:
            self.app.report_error(exc, "calls")  # type: ignore[attr-defined]
            return
        self._created(call, "successor")
        if self._successor_sid == sid:
            self._successor_sid = None
        self.app.push_screen(
            QuickCallDialog(
                now=self.now,
                tz=self._tz_name,
                result=call,
                heading=f"Successor call for {row.title or row.sid}",
            )
        )

"""Batch send from a `sendMessages` JSON file: load, check everything, show the plan, and only then send.

Nothing leaves before the user has seen the plan (counts, every problem, a time estimate) and pressed Send; a plan
with errors cannot be sent at all. Sending goes through the batch engine, whose journal makes a second run of the
same file (after a crash, ^C or Stop) send only what was not sent yet. Items whose outcome is unknown are resent
only when the user ticks the box for it.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, ProgressBar, Static
from textual.worker import Worker, WorkerState, get_current_worker

from camtui.common.paths import expand_user
from camtui.tui.composer.confirm import ConfirmScreen
from camtui.tui.shell.footer import KeysFooter
from camtui.tui.shell.quit_guard import track_send

if TYPE_CHECKING:
    from camtui.compose.batch import BatchPlan, BatchProgress, BatchSummary


def describe_estimate(seconds: float) -> str:
    if seconds < 1:
        return "under a second"
    if seconds < 90:
        return f"about {round(seconds)} s"
    return f"about {round(seconds / 60)} min"


class BatchScreen(ModalScreen[None]):
    """Load → plan → send with progress → summary. Escape closes (or stops a running send, after asking)."""

    BINDINGS: ClassVar = [
        Binding("escape", "close", "Close / stop"),
        Binding("ctrl+s", "apply", "Send batch"),
    ]

    def __init__(self, path: str | None = None, *, chunk_size: int | None = None) -> None:
        super().__init__(classes="composer-batch")
        self._initial_path = path
        self._chunk_size = chunk_size
        self._loaded_path: str | None = None
        self.plan: BatchPlan | None = None
        self.summary: BatchSummary | None = None
        self.last_error: str | None = None
        self._apply_job: Worker[Any] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="batch-dialog"):
            yield Static(
                "Batch send: a sendMessages JSON file (messages=[…], UTF-8)", id="batch-title", markup=False
            )
            with Horizontal(id="batch-path-row"):
                yield Input(
                    value=self._initial_path or "",
                    placeholder="path to messages.json, then Enter",
                    id="batch-path",
                )
                yield Button("Check", id="batch-load")
            with VerticalScroll(id="batch-plan"):
                yield Static(
                    "Load a file to see the plan. Nothing is sent before you press Send.",
                    id="batch-plan-text",
                    markup=False,
                )
            yield ProgressBar(total=1, show_eta=False, id="batch-progress")
            yield Static("", id="batch-status", markup=False)
            with Horizontal(id="batch-buttons"):
                yield Checkbox(
                    "Also resend items whose outcome is unknown", id="batch-force-unknown", compact=True
                )
                yield Button("Send", id="batch-apply", variant="primary", disabled=True)
                yield Button("Close", id="batch-close")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#batch-progress", ProgressBar).display = False
        self.query_one("#batch-force-unknown", Checkbox).display = False
        self.query_one("#batch-path", Input).focus()
        if self._initial_path:
            self.load(self._initial_path)

    # ----- helpers ----------------------------------------------------------------------------------------

    @property
    def _pane(self) -> Any:
        return self.app.query_one("#composer")

    def _show_plan_text(self, text: str) -> None:
        self.query_one("#batch-plan-text", Static).update(text)

    def _status(self, text: str) -> None:
        self.query_one("#batch-status", Static).update(text)

    @property
    def running(self) -> bool:
        return self._apply_job is not None and self._apply_job.state in (
            WorkerState.PENDING,
            WorkerState.RUNNING,
        )

    # ----- load and plan ----------------------------------------------------------------------------------

    @on(Input.Submitted, "#batch-path")
    def _path_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.load(event.value)

    @on(Button.Pressed, "#batch-load")
    def _load_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.load(self.query_one("#batch-path", Input).value)

    def load(self, raw_path: str) -> None:
        if self.running:
            return
        path = raw_path.strip()
        if not path:
            self._status("Type the path of a batch file.")
            return
        self.query_one("#batch-apply", Button).disabled = True
        self._loaded_path = str(expand_user(path))
        self._plan_worker(self._loaded_path, self.query_one("#batch-force-unknown", Checkbox).value)

    @on(Checkbox.Changed, "#batch-force-unknown")
    def _force_changed(self, event: Checkbox.Changed) -> None:
        """Resending unknown items changes what will be sent: plan again, show it again."""
        event.stop()
        if self._loaded_path and not self.running:
            self.query_one("#batch-apply", Button).disabled = True
            self._plan_worker(self._loaded_path, event.value)

    @work(group="composer-batch-plan", exclusive=True, exit_on_error=False)
    async def _plan_worker(self, path: str, force_unknown: bool = False) -> None:
        from camtui.compose.batch import (
            DEFAULT_CHUNK,
            BatchLoadError,
            is_unknown_list,
            load_batch_file,
            plan_for_store,
            unknown_list_problem,
        )

        self.plan = None
        self.summary = None
        self._status("Checking…")
        app: Any = self.app
        store = app.store
        pane = self._pane
        matcher = getattr(pane, "matcher", None)
        users = matcher if matcher is not None and getattr(matcher, "authoritative", False) else None
        chat_rooms = tuple(getattr(app.settings, "chat_rooms", ()) or ())
        chunk = self._chunk_size or DEFAULT_CHUNK

        def build() -> BatchPlan:
            # The same inputs as `camtui send-batch` (rooms used before + configured rooms, domains, journal,
            # measured rate): one file, one plan.
            bf = load_batch_file(path)
            problem = unknown_list_problem(bf)
            if problem or is_unknown_list(bf):  # its items may have arrived: never sent as a fresh batch
                raise BatchLoadError(
                    problem
                    or f"{bf.path}: lists items whose outcome is unknown; after checking them, send the rest "
                    f"with: camtui send-batch {bf.path} --force-unknown"
                )
            return plan_for_store(
                bf,
                store,
                users=users,
                chat_rooms=chat_rooms,
                chunk_size=chunk,
                force_unknown=force_unknown,
            )

        try:
            plan = await asyncio.to_thread(build)
        except BatchLoadError as exc:
            self.last_error = str(exc)
            self._show_plan_text(f"Cannot use this file:\n{exc}")
            self._status("Nothing was sent.")
            return
        except OSError as exc:
            self.last_error = f"{path}: {exc.strerror or exc}"
            self._show_plan_text(f"Cannot read the file:\n{self.last_error}")
            self._status("Nothing was sent.")
            return
        self.last_error = None
        self.plan = plan
        self._show_plan(plan, force_unknown)

    def _show_plan(self, plan: BatchPlan, force_unknown: bool) -> None:
        counts = plan.counts
        self._show_plan_text("\n".join(plan.lines()))
        apply = self.query_one("#batch-apply", Button)
        force = self.query_one("#batch-force-unknown", Checkbox)
        unknown_before = int(counts.get("unknown_before", 0))
        force.display = unknown_before > 0 or force_unknown
        to_send = int(counts.get("to_send", 0))
        if not plan.ok:
            apply.disabled = True
            apply.label = "Send"
            errors = int(counts.get("errors", 0))
            self._status(f"Refused: {errors} problem(s) must be fixed in the file first. Nothing was sent.")
            return
        if to_send == 0:
            apply.disabled = True
            apply.label = "Send"
            if unknown_before:
                self._status(
                    f"Nothing sent: {unknown_before} item(s) may already have been delivered. Tick the box to resend "
                    "them after checking."
                )
            else:
                self._status("Nothing left to send: every item of this file was sent already.")
            return
        apply.disabled = False
        apply.label = f"Send {to_send} item{'s' if to_send != 1 else ''}"
        self._status(
            f"Ready: {to_send} to send, {describe_estimate(plan.estimate_seconds)}. Press Send (ctrl+s)."
        )

    # ----- apply ------------------------------------------------------------------------------------------

    @on(Button.Pressed, "#batch-apply")
    def _apply_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_apply()

    def action_apply(self) -> None:
        plan = self.plan
        if plan is None or not plan.ok or self.running or self.query_one("#batch-apply", Button).disabled:
            return
        self.query_one("#batch-apply", Button).disabled = True
        self.query_one("#batch-force-unknown", Checkbox).disabled = True
        self.query_one("#batch-load", Button).disabled = True
        bar = self.query_one("#batch-progress", ProgressBar)
        bar.display = True
        bar.update(total=max(1, int(plan.counts.get("to_send", 0))), progress=0)
        self._apply_job = self._apply_worker(plan)

    @work(group="composer-batch-apply", exclusive=True, exit_on_error=False)
    async def _apply_worker(self, plan: BatchPlan) -> None:
        from camtui.compose.batch import StopRequest, apply_batch

        app: Any = self.app
        bar = self.query_one("#batch-progress", ProgressBar)
        stop = StopRequest()
        track_send(app, get_current_worker(), stop)  # `q`: finish the chunk in flight, start no new one

        def on_progress(p: BatchProgress) -> None:
            bar.update(total=max(1, p.total), progress=p.done)
            self._status(
                f"Sending: {p.done}/{p.total} · sent {p.sent} · failed {p.failed} · unknown {p.unknown} "
                f"· chunk {p.chunk}/{p.chunks}"
            )

        self._status("Sending…")
        try:
            summary = await apply_batch(app.client, app.store, plan, on_progress=on_progress, stop=stop)
        except asyncio.CancelledError:
            self._status("Stopped. The chunk in flight is marked unknown; check this file again to resume.")
            self._finished()
            raise
        except Exception as exc:
            self.last_error = str(exc)
            app.report_error(exc, "composer")
            self._status(f"Not sent: {exc}")
            self._finished()
            return
        self.summary = summary
        self._show_plan_text("\n".join(summary.lines()))
        if summary.stopped:
            self._status("Stopped early: check the same file again to resume; nothing sent goes out twice.")
        elif summary.failed or summary.unknown:
            self._status("Done, with problems (see above).")
        else:
            self._status(f"Done: {summary.sent} sent.")
        self._finished()

    def _finished(self) -> None:
        self.query_one("#batch-load", Button).disabled = False
        self.query_one("#batch-force-unknown", Checkbox).disabled = False
        refresh = getattr(self._pane, "refresh_lists", None)
        if refresh is not None:
            refresh()

    # ----- closing ----------------------------------------------------------------------------------------

    @on(Button.Pressed, "#batch-close")
    def _close_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_close()

    def action_close(self) -> None:
        if not self.running:
            self.dismiss(None)
            return
        self.app.push_screen(
            ConfirmScreen(
                "Stop the batch?",
                "The chunk being sent is recorded as 'unknown' (it may have been delivered). Checking the same file "
                "again resumes with what was not sent; nothing already sent goes out twice.",
                yes="Stop",
                no="Keep sending",
                danger=True,
            ),
            self._stop_confirmed,
        )

    def _stop_confirmed(self, yes: bool | None) -> None:
        if yes and self._apply_job is not None:
            self._apply_job.cancel()
            self.query_one("#batch-load", Button).disabled = False

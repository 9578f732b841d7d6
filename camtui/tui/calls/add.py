"""Adding a call by ID or share URL: checked with the server in the dialog, so a typo is refused there.

There is no list-calls API, but `getCallStats` on the ID tells a known call from an unknown one: an unknown ID
(a call-specific refusal, 400) is refused in the dialog with the server's reason, instead of becoming a
permanent error row. When the server cannot answer (offline, busy, auth), the call is added all the same and
marked unchecked; its first good poll clears the mark.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from textual import work
from textual.widgets import Static

from camtui.tui.calls.dialogs import CallsPrompt
from camtui.tui.calls.model import parse_call_ref
from camtui.tui.calls.poller import FailureKind, PollTimeout, classify

CHECK_SECONDS = 10.0
"""The dialog waits this long for the server's answer, then adds the call unchecked (escape cancels sooner)."""


@dataclass(frozen=True, slots=True)
class CallToAdd:
    sid: str
    url: str
    title: str = ""
    unchecked: str | None = None
    """Why the server could not confirm the call (None: it did)."""


def judge_check(exc: BaseException | None) -> tuple[str | None, str | None]:
    """(refusal, unchecked) for the check's outcome: refuse what the server says is no call of its own; add
    unchecked what could not be asked; add what answered."""
    if exc is None:
        return None, None
    failure = classify(exc)
    if failure.kind is FailureKind.CALL:
        return f"The server has no such call: {failure.reason}. Check the ID or the URL.", None
    return None, failure.reason


class AddCallDialog(CallsPrompt[CallToAdd]):
    """The "Watch a call" prompt; on enter it asks the server about the ID before closing."""

    def __init__(
        self, check: Callable[[str], Awaitable[Any]], watched: Callable[[str], bool] = lambda sid: False
    ) -> None:
        super().__init__(
            "Watch a call",
            "Paste the call's share URL or type its ID (the sid from createQuickCall).",
            parse_call_ref,
            placeholder="https://…/share/{ID}  or  ID",
        )
        self._check = check
        self._watched = watched
        self.checking = False

    def accept(self, value: Any) -> None:
        sid, url = value
        if self._watched(sid):  # the pane selects it and says so: nothing to ask the server
            self.dismiss(CallToAdd(sid, url))
            return
        if self.checking:
            return
        self.checking = True
        self.query_one("#calls-prompt-error", Static).update("Checking with the server…")
        self._run_check(sid, url)

    @work(exclusive=True, group="calls-add-check", exit_on_error=False)
    async def _run_check(self, sid: str, url: str) -> None:
        try:
            async with asyncio.timeout(CHECK_SECONDS):
                stats = await self._check(sid)
        except TimeoutError:
            self.checking = False
            self.dismiss(CallToAdd(sid, url, unchecked=PollTimeout(CHECK_SECONDS).reason))
            return
        except Exception as exc:
            refusal, unchecked = judge_check(exc)
            self.checking = False
            if refusal is not None:
                self.query_one("#calls-prompt-error", Static).update(refusal)
                return
            self.dismiss(CallToAdd(sid, url, unchecked=unchecked))
            return
        self.checking = False
        self.dismiss(CallToAdd(sid, url, title=getattr(stats, "title", "") or ""))

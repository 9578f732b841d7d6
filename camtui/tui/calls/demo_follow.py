"""`camtui demo` only: calls the sandbox's simulation starts later are watched too, as they appear."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

DEMO_FOLLOW_SECONDS = 10.0
"""How often the demo asks its sandbox for calls the simulation has started since."""


class DemoCallFollower:
    """In `camtui demo`: the calls the sandbox's simulation starts later are watched too, as they appear.

    A real server has no list-calls API (the calls pane says so); the demo owns its sandbox and asks it
    (`GET /_sandbox/calls`). Only calls the simulation made (`origin` "sim") are followed: the ones the user
    creates are watched by the pane already. A call is followed once: one the user stops watching stays gone.
    The cursor stays on the row it was on. Polled with a timer re-armed after each look (never overlapping);
    any failure (sandbox gone, pane not mounted yet) just waits for the next look."""

    def __init__(
        self, app: Any, list_calls: Callable[[], list[dict[str, Any]]], known: Iterable[str], every: float
    ) -> None:
        self.app = app
        self.list_calls = list_calls
        self.known: set[str] = set(known)
        self.every = every
        self.followed: list[str] = []
        self.looks = 0
        """Looks finished (answered or failed)."""

    def start(self) -> None:
        self.app.set_timer(self.every, self._look)

    def _look(self) -> None:
        self.app.run_worker(self._fetch, group="demo-calls", exclusive=True, exit_on_error=False)

    async def _fetch(self) -> None:
        import asyncio

        try:
            calls = await asyncio.to_thread(self.list_calls)
            self.apply(calls)
        except Exception:  # the sandbox is stopping, or answered nonsense: look again later
            pass
        finally:
            self.looks += 1
            if self.app.is_running:
                self.app.set_timer(self.every, self._look)

    def adopt(self, calls: list[dict[str, Any]]) -> list[str]:
        """The calls the sandbox had when it started (any origin), watched like the config's, without a toast
        each: they are the demo's starting point, not news. Before the calls pane has loaded its watch list they
        join the settings it loads from; after, they are added to it. Returns the sids taken."""
        taken = [sid for call in calls if (sid := str(call.get("sid") or "")) and sid not in self.known]
        self.known.update(taken)
        if not taken:
            return []
        panes = self.app.query("#calls")
        pane = panes.first() if panes else None
        if pane is None or not getattr(pane, "watch_list_loaded", False):
            settings = self.app.settings
            self.app.settings = settings.with_changes(
                watch_calls=tuple(dict.fromkeys((*settings.watch_calls, *taken)))
            )
            return taken
        by_sid = {str(call.get("sid")): call for call in calls}
        cursor = pane.table.cursor_row
        for sid in taken:
            if pane.row(sid) is None:
                _watch(pane, by_sid[sid], origin="config")
        if cursor is not None:
            pane.table.select(cursor.sid)
        return taken

    def apply(self, calls: list[dict[str, Any]]) -> list[str]:
        """Watch the simulation's calls not seen before; returns their sids."""
        panes = self.app.query("#calls")
        if not panes:
            return []  # deferred, or failed to load: try again at the next look
        pane = panes.first()
        added = []
        for call in calls:
            sid = str(call.get("sid") or "")
            if not sid or sid in self.known or call.get("origin") != "sim":
                continue
            self.known.add(sid)
            if pane.row(sid) is not None:
                continue
            cursor = pane.table.cursor_row
            _watch(pane, call, origin="added")
            if cursor is not None:
                pane.table.select(cursor.sid)
            added.append(sid)
            self.app.notify(
                f"Demo: now also watching 「{call.get('title') or sid}」, a call the sandbox just started.",
                timeout=6,
                markup=False,
            )
        self.followed.extend(added)
        return added


def follow_demo_calls(
    app: Any,
    list_calls: Callable[[], list[dict[str, Any]]],
    *,
    known: Iterable[str] = (),
    every: float = DEMO_FOLLOW_SECONDS,
) -> DemoCallFollower:
    """Attach a `DemoCallFollower` to `app` (before or after it starts running)."""
    follower = DemoCallFollower(app, list_calls, known, every)
    app.call_later(follower.start)
    return follower


def _watch(pane: Any, call: dict[str, Any], *, origin: str) -> None:
    """Watch a call the sandbox listed, with what its listing says of it."""
    pane.watch_call(
        str(call["sid"]),
        origin=origin,
        title=str(call.get("title") or ""),
        url=str(call.get("url") or ""),
        created=_from_ms(call.get("creationDate")),
        expires=_from_ms(call.get("expiredDate")),
    )


def _from_ms(value: Any) -> Any:
    from datetime import UTC, datetime

    if isinstance(value, int) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, UTC)
    return None

"""What the calls pane hands the alert rules after each round: every watched call as the rules may read it.

A call whose last poll failed, or whose data is older than the pane's freshness limit, goes as unknown
(`participants=None`), never as the last number seen: a rule must not fire, or clear, on data the pane itself
shows as stale. An expired call is final, not stale (`model.is_stale`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from camtui.alerts.model import CallSeen
from camtui.tui.calls.model import CallRow, is_stale


def calls_seen(
    rows: Iterable[CallRow], now: datetime, interval: float, share_url: Callable[[CallRow], str]
) -> tuple[CallSeen, ...]:
    """`share_url(row)`: the call's share URL (the pane knows the server's)."""
    seen = []
    for row in rows:
        unknown = is_stale(row, now, interval) or row.last_ok is None
        seen.append(
            CallSeen(
                sid=row.sid,
                title=row.title,
                url=share_url(row),
                participants=None if unknown else row.participants,
                in_progress=None if unknown else row.in_progress,
                expires=row.expires,
                error_code=row.error_code if row.error is not None else None,
            )
        )
    return tuple(seen)


class AlertCalls:
    """Part of `CallsPane`: calls the alert rules added to the store's watch list (an expiry guard's successor)
    appear in the pane at once, polled like any other."""

    def watch_from_store(self) -> None:
        store = self.call_store  # type: ignore[attr-defined]
        if store is None:
            return
        try:
            stored = store.list()
        except Exception as exc:
            self.app.report_error(exc, "calls")  # type: ignore[attr-defined]
            return
        rows = self._rows  # type: ignore[attr-defined]
        for wc in stored:
            if wc.sid in rows:
                continue
            row = CallRow(
                sid=wc.sid,
                title=wc.title,
                url=wc.url,
                password=wc.password,
                presenter_pass=wc.presenter_pass,
                origin=wc.origin,
                created=wc.created,
                expires=wc.expires,
            )
            self._add_row(row, persist=False)  # type: ignore[attr-defined]
            self._schedule(row)  # type: ignore[attr-defined]
            self._sync_table()  # type: ignore[attr-defined]
            self._poll_one(wc.sid)  # type: ignore[attr-defined]

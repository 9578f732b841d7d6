"""Shared helpers for the alert tests: rules from TOML text, a fake clock, calls and rooms as polls see them."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta

from camtui.alerts.engine import AlertEngine
from camtui.alerts.model import CallSeen
from camtui.alerts.rules import AlertRule, parse_rules
from camtui.api.models import ConferenceRoom, Reservation
from camtui.store import Store

T0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo
SID = "abcd1234efgh"
OTHER = "zzzz9999yyyy"


def rules(text: str, path: str = "config.toml") -> tuple[AlertRule, ...]:
    return parse_rules(tomllib.loads(text).get("alerts", []), text=text, path=path)


class FakeClock:
    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


def call(
    sid: str = SID, participants: int | None = 0, *, expires: datetime | None = None, title: str = "定例"
) -> CallSeen:
    if participants is None:
        return CallSeen(sid)
    return CallSeen(
        sid,
        title,
        f"http://x/share/{sid}",
        participants,
        participants > 0,
        expires or T0 + timedelta(hours=3),
    )


def room(room_id: str, name: str, *bookings: tuple[str, datetime, datetime]) -> ConferenceRoom:
    res = tuple(
        Reservation(f"{room_id}-{i}", room_id, title, start, end, "山田", "user1@xxx.com")
        for i, (title, start, end) in enumerate(bookings)
    )
    return ConferenceRoom(room_id, name, 8, "本社", 3, res)


def engine(text: str, store: Store | None = None, **kw: object) -> AlertEngine:
    return AlertEngine(
        rules(text), store if store is not None else Store.open(":memory:"), server_url="http://x", **kw
    )  # type: ignore[arg-type]


def step(e: AlertEngine, clock: FakeClock, seconds: float, *calls: CallSeen) -> list[str]:
    """Advance the clock, feed one poll round, evaluate: the names of the rules that fired."""
    clock.tick(seconds)
    if calls:
        e.observe_calls(clock.now, calls)
    return [f.rule for f in e.evaluate(clock.now)]

"""The alert engine's plain data: what it is fed (one call's poll), what it hands back (firings, rule views,
room marks). No Textual, no I/O."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

RuleState = Literal["armed", "pending", "fired", "snoozed", "stale", "muted"]
MarkKind = Literal["ghost", "squatter"]


@dataclass(frozen=True, slots=True)
class CallSeen:
    """One watched call as the last poll saw it. `participants=None`: this poll failed (unknown, not zero).

    The calls pane builds these from its rows; the headless runner from `getCallStats`."""

    sid: str
    title: str = ""
    url: str = ""
    participants: int | None = None
    in_progress: bool | None = None
    expires: datetime | None = None
    error_code: str | None = None
    """The API code when the poll of this call was refused (e.g. "491")."""

    @property
    def known(self) -> bool:
        return self.participants is not None


@dataclass(frozen=True, slots=True)
class RoomMark:
    """A meeting room whose booking and call disagree (the rooms grid marks it, the detail view explains it)."""

    kind: MarkKind
    """"ghost": booked, running, and its linked call has had nobody in it for a while.
    "squatter": a linked call is in progress while the room has no reservation now."""
    room_id: str
    call_sid: str
    reservation_title: str | None
    since: datetime
    """Ghost: since when the call has been empty (or the reservation started, if later). Squatter: since when
    the call has been seen in progress with the room unbooked."""
    reason: str
    """One plain line for the detail view and help."""


@dataclass(frozen=True, slots=True)
class ActionPlan:
    """One action of a firing, with its templates already filled in."""

    kind: Literal["toast", "send", "successor", "successor_send"]
    text: str = ""
    """toast / send: the message; successor: the text of the link message (with `{successor.url}` left to
    fill once the call exists)."""
    send: str = "messenger"
    """sendMessage's destination: "messenger" or a chat room name."""
    users: tuple[str, ...] = ()
    seal: bool = False
    expires_in_s: float = 0.0
    """successor: how long the new call lasts."""
    title: str = ""
    """successor: the new call's title."""
    password: str = ""


@dataclass(frozen=True, slots=True)
class Firing:
    """A rule fired for one subject: the UI shows `toast`s; `camtui.alerts.actions.perform` runs the rest."""

    rule: str
    subject: str
    """"call:{sid}", "room:{id}" or "server"."""
    label: str
    """What it fired about, for people ("call 週次定例 (abc123…)", "room 会議室A")."""
    at: datetime
    reason: str
    """The condition as it held ("participants == 0 for 0s")."""
    actions: tuple[ActionPlan, ...]
    context: dict[str, str] = field(default_factory=dict)
    """Template values (`call.title`, `room.name`, …) for actions filled in later (`successor.url`)."""
    firing_id: int = 0
    """The row in the store's alert_firings (what was sent is recorded there)."""

    @property
    def toasts(self) -> tuple[str, ...]:
        return tuple(a.text for a in self.actions if a.kind == "toast")


@dataclass(frozen=True, slots=True)
class FiringView:
    at: datetime
    subject: str
    label: str
    lines: tuple[str, ...]
    """What was done, one line each (sent / failed / outcome unknown, kept in the outbox)."""


@dataclass(frozen=True, slots=True)
class RuleView:
    """One rule for the Alerts view: its state now, and its last firings (newest first)."""

    name: str
    condition: str
    """The rule's `when`, as written."""
    target: str
    """What it watches ("call abc123…", "watched calls", "room 会議室A", "all rooms", "server")."""
    state: RuleState
    """The most urgent over its subjects: muted > snoozed > fired > pending > stale > armed."""
    pending_s: float | None = None
    """pending: seconds the condition has held so far (of `for_s`)."""
    for_s: float = 0.0
    fired_at: datetime | None = None
    snoozed_until: datetime | None = None
    """snoozed / muted: until when (None with muted: until unmuted)."""
    stale_reason: str | None = None
    active: int = 0
    """Subjects whose episode has fired and is still on (the status line's count sums these)."""
    firings: tuple[FiringView, ...] = ()
    line: int | None = None
    """The rule's line in the config file."""


@dataclass(slots=True)
class CallTrack:
    """What the engine knows about one call: the last poll (maybe unknown) and the last good one."""

    seen: CallSeen
    good: CallSeen | None = None
    good_at: datetime | None = None
    failed: bool = False
    since: datetime | None = None
    """Since when the call has been in its current state (empty / people in it)."""
    history: deque[tuple[datetime, int]] = field(default_factory=deque)
    version: int = 0

"""A rule's `when`: parsed once into clauses, evaluated each round to True / False / None (unknown).

Unknown is not false: a subject whose last poll failed (or that was never polled) evaluates to None, and the
engine then neither fires nor clears the rule. Clauses joined by `and` must all hold.

Call clauses:   participants == N | != N | >= N | > N | <= N | < N ; participants dropped by N [within D] ;
                in progress ; ended ; expired ; expires_within D
Room clauses:   free ; busy (also "becomes free" / "becomes busy") ; reservation starts_in D ; ghost ; squatter
Server clauses: server unreachable ; server error 491[, 503 …]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from camtui.common.timeparse import parse_duration

Scope = Literal["call", "room", "server"]

_OPS = ("==", "!=", ">=", "<=", ">", "<")
_COMPARE = re.compile(r"^participants\s*(==|!=|>=|<=|>|<|=)\s*(\d+)$")
_DROPPED = re.compile(r"^participants\s+dropped\s+by\s+(\d+)(?:\s+within\s+(.+))?$")
_EXPIRES = re.compile(r"^expires?_?\s*within\s+(.+)$")
_STARTS = re.compile(r"^(?:a\s+)?reservation\s+starts?(?:_in|\s+in|\s+within)\s+(.+)$")
_ERROR = re.compile(r"^(?:server\s+)?error(?:\s+code)?(?:\s+in)?\s+\[?\s*([\d,\s]+?)\s*\]?$")
DEFAULT_DROP_WINDOW = timedelta(minutes=1)


def parse_span(text: str) -> timedelta:
    """A duration as the config writes it ("10m", "2h"); "0" / "0s" is allowed (no waiting)."""
    cleaned = text.strip().lower()
    if re.fullmatch(r"0+(\.0+)?\s*[a-z秒分時間日週]*", cleaned):
        return timedelta()
    return parse_duration(cleaned)


@dataclass(frozen=True, slots=True)
class Clause:
    """One test. `kind`: compare, dropped, in_progress, ended, expired, expires_within, free, busy,
    starts_in, ghost, squatter, unreachable, error."""

    kind: str
    op: str = ""
    number: int = 0
    span: timedelta = timedelta()
    codes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Condition:
    scope: Scope
    clauses: tuple[Clause, ...]
    text: str

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(c.kind for c in self.clauses)


def parse_condition(text: str, scope: Scope) -> Condition:
    """`when` text for a rule watching `scope` → Condition. ValueError (one line) when it cannot be read."""
    raw = " ".join(text.strip().split())
    if not raw:
        raise ValueError("empty condition")
    parts = [p.strip() for p in re.split(r"\s+and\s+", raw, flags=re.IGNORECASE)]
    clauses = tuple(_clause(p.lower(), scope) for p in parts)
    return Condition(scope, clauses, raw)


def _clause(part: str, scope: Scope) -> Clause:
    if scope == "call":
        return _call_clause(part)
    if scope == "room":
        return _room_clause(part)
    return _server_clause(part)


def _call_clause(part: str) -> Clause:
    if m := _COMPARE.match(part):
        op = "==" if m.group(1) == "=" else m.group(1)
        return Clause("compare", op=op, number=int(m.group(2)))
    if m := _DROPPED.match(part):
        span = parse_span(m.group(2)) if m.group(2) else DEFAULT_DROP_WINDOW
        if int(m.group(1)) < 1:
            raise ValueError("participants dropped by N needs N of at least 1")
        return Clause("dropped", number=int(m.group(1)), span=span or DEFAULT_DROP_WINDOW)
    if part in ("in progress", "in_progress", "inprogress"):
        return Clause("in_progress")
    if part in ("ended", "not in progress"):
        return Clause("ended")
    if part == "expired":
        return Clause("expired")
    if m := _EXPIRES.match(part):
        return Clause("expires_within", span=parse_span(m.group(1)))
    raise ValueError(
        f"not a call condition: {part!r} (try 'participants == 0', 'participants >= 5', "
        "'participants dropped by 3', 'in progress', 'ended', 'expires_within 10m and participants > 0')"
    )


def _room_clause(part: str) -> Clause:
    word = part.removeprefix("becomes ").removeprefix("room ").strip()
    if word in ("free", "busy", "ghost", "squatter"):
        return Clause(word)
    if word in ("ghost meeting", "ghost_meeting"):
        return Clause("ghost")
    if m := _STARTS.match(word):
        return Clause("starts_in", span=parse_span(m.group(1)))
    raise ValueError(
        f"not a room condition: {part!r} (try 'free', 'busy', 'reservation starts_in 10m', 'ghost', 'squatter')"
    )


def _server_clause(part: str) -> Clause:
    if part in ("server unreachable", "unreachable"):
        return Clause("unreachable")
    if m := _ERROR.match(part):
        codes = tuple(c for c in re.split(r"[,\s]+", m.group(1)) if c)
        if codes:
            return Clause("error", codes=codes)
    raise ValueError(
        f"not a server condition: {part!r} (try 'server unreachable' or 'server error 491, 503, 805'; "
        "a call or room condition needs call = … or room = …)"
    )


# ------------------------------------------------------------------------------------------ evaluation


def call_clause(
    c: Clause,
    now: datetime,
    participants: int,
    in_progress: bool,
    expires: datetime | None,
    history: Sequence[tuple[datetime, int]],
) -> bool:
    """One call clause on fresh data. `history`: (when, participants) at each change, oldest first."""
    kind = c.kind
    if kind == "compare":
        return _compare(participants, c.op, c.number)
    if kind == "dropped":  # `history` holds change points: the one before the window still held at its start
        start = now - c.span
        peak = participants
        for at, n in reversed(history):
            peak = max(peak, n)
            if at <= start:
                break
        return peak - participants >= c.number
    if kind == "in_progress":
        return in_progress
    if kind == "ended":
        return not in_progress
    if kind == "expired":
        return expires is not None and expires <= now
    if kind == "expires_within":
        return expires is not None and now < expires <= now + c.span
    raise AssertionError(kind)


def _compare(value: int, op: str, number: int) -> bool:
    if op == "==":
        return value == number
    if op == "!=":
        return value != number
    if op == ">=":
        return value >= number
    if op == "<=":
        return value <= number
    if op == ">":
        return value > number
    return value < number


def describe(c: Clause) -> str:
    """Back to words, for a firing's reason."""
    if c.kind == "compare":
        return f"participants {c.op} {c.number}"
    if c.kind == "dropped":
        return f"participants dropped by {c.number} within {_span(c.span)}"
    if c.kind in ("expires_within", "starts_in"):
        word = "expires_within" if c.kind == "expires_within" else "reservation starts_in"
        return f"{word} {_span(c.span)}"
    if c.kind == "error":
        return "server error " + ", ".join(c.codes)
    return c.kind.replace("_", " ")


def _span(span: timedelta) -> str:
    s = int(span.total_seconds())
    if s and s % 3600 == 0:
        return f"{s // 3600}h"
    if s and s % 60 == 0:
        return f"{s // 60}m"
    return f"{s}s"

"""Everything one running sandbox holds: database, clock, tokens, guards, fault plan and counters."""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from camtui.sandbox.answer_cache import EncodedAnswers
from camtui.sandbox.faults import FaultPlan
from camtui.sandbox.guards import Lockout, RateLimiter


@dataclass(slots=True)
class Counters:
    """Operational counters since start, served at `/_sandbox/stats`."""

    started: float = field(default_factory=time.time)
    requests: int = 0
    by_method: Counter[str] = field(default_factory=Counter)
    by_code: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    bad_tokens: int = 0
    lockouts: int = 0
    rate_limited: int = 0
    disconnects: int = 0
    """Requests whose client went away before its body was read: nobody to answer, not a server error."""
    messages_delivered: int = 0
    calls_created: int = 0
    simulation_steps: int = 0


@dataclass(slots=True)
class SandboxState:
    conn: sqlite3.Connection
    clock: Callable[[], datetime]
    admin_token: str
    user_token: str
    seed: int
    lockout: Lockout = field(default_factory=Lockout)
    rate_limiter: RateLimiter | None = None
    faults: FaultPlan = field(default_factory=FaultPlan)
    counters: Counters = field(default_factory=Counters)
    simulation: bool = False
    simulation_interval: float = 2.0
    simulation_step: int = 0
    answers: EncodedAnswers = field(default_factory=EncodedAnswers)
    """getConferenceRoomStatus bodies while the data is unchanged (camtui.sandbox.answer_cache)."""
    public_url: str = ""
    """The URL the sandbox announces (set once bound): today's rooms answer is made for it right after start."""

    def now_ms(self) -> int:
        return int(self.clock().timestamp() * 1000)

"""The fault plan: what the sandbox does wrong on purpose, so clients can be tested against a bad day.

Keys (all optional): `latency_ms`, probabilities 0..1 `error_503`, `error_491`, `reset_before`, `reset_after`,
`garbage`; `methods` (the API methods it applies to; default all), `times` (only the next N matching
requests, then the plan is spent), `seed` (for the random draws). `{}` is no faults.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

PROBABILITY_KEYS = ("error_503", "error_491", "reset_before", "reset_after", "garbage")
KEYS = ("latency_ms", *PROBABILITY_KEYS, "methods", "times", "seed")


@dataclass(frozen=True, slots=True)
class Decision:
    """What happens to one request. `before` is "reset", "503", "491" or None; `after` is "reset",
    "garbage" or None (applied once the method has run and committed)."""

    latency_ms: float = 0.0
    before: str | None = None
    after: str | None = None


NO_FAULT = Decision()


@dataclass(slots=True)
class FaultPlan:
    latency_ms: float = 0.0
    error_503: float = 0.0
    error_491: float = 0.0
    reset_before: float = 0.0
    reset_after: float = 0.0
    garbage: float = 0.0
    methods: frozenset[str] | None = None
    times: int | None = None
    seed: int | None = None
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> FaultPlan:
        """Validate a JSON fault plan; ValueError names the bad key."""
        if not isinstance(data, Mapping):
            raise ValueError("the fault plan must be a JSON object")
        unknown = sorted(set(data) - set(KEYS))
        if unknown:
            raise ValueError(
                f"unknown fault key(s): {', '.join(map(str, unknown))}; known: {', '.join(KEYS)}"
            )
        plan = cls()
        if "latency_ms" in data:
            plan.latency_ms = _number(data["latency_ms"], "latency_ms", 0, 600_000)
        for key in PROBABILITY_KEYS:
            if key in data:
                setattr(plan, key, _number(data[key], key, 0, 1))
        if data.get("methods") is not None:
            methods = data["methods"]
            if isinstance(methods, str):
                methods = [methods]
            if not isinstance(methods, list) or not all(isinstance(m, str) for m in methods):
                raise ValueError("methods must be a list of method names")
            plan.methods = frozenset(methods)
        if data.get("times") is not None:
            plan.times = int(_number(data["times"], "times", 0, 10**9))
        if data.get("seed") is not None:
            plan.seed = int(_number(data["seed"], "seed", -(2**63), 2**63))
        plan._rng = random.Random(plan.seed)
        return plan

    @property
    def active(self) -> bool:
        return (self.times is None or self.times > 0) and (
            self.latency_ms > 0 or any(getattr(self, k) > 0 for k in PROBABILITY_KEYS)
        )

    def decide(self, method: str) -> Decision:
        """Draw this request's fate. A matching request uses up one of `times`, whatever the draw."""
        if not self.active or (self.methods is not None and method not in self.methods):
            return NO_FAULT
        if self.times is not None:
            self.times -= 1
        rng = self._rng
        before = after = None
        if self.reset_before and rng.random() < self.reset_before:
            before = "reset"
        elif self.error_503 and rng.random() < self.error_503:
            before = "503"
        elif self.error_491 and rng.random() < self.error_491:
            before = "491"
        elif self.reset_after and rng.random() < self.reset_after:
            after = "reset"
        elif self.garbage and rng.random() < self.garbage:
            after = "garbage"
        return Decision(self.latency_ms, before, after)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.latency_ms:
            out["latency_ms"] = self.latency_ms
        for key in PROBABILITY_KEYS:
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.methods is not None:
            out["methods"] = sorted(self.methods)
        if self.times is not None:
            out["times"] = self.times
        if self.seed is not None:
            out["seed"] = self.seed
        return out


def parse_spec(spec: str) -> dict[str, Any]:
    """`camtui serve --faults "error_503=0.1,latency_ms=200,methods=sendMessage+getCallStats,times=5"`.

    Method lists are separated by `+`, `|` or `;` (the comma separates keys).
    """
    plan: dict[str, Any] = {}
    for item in spec.split(","):
        item = item.strip()
        if not item:
            continue
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            raise ValueError(f"expected key=value, got {item!r}")
        if key == "methods":
            plan[key] = [m for m in _split_methods(value) if m]
        elif key in ("times", "seed"):
            try:
                plan[key] = int(value)
            except ValueError:
                raise ValueError(f"{key} must be an integer, got {value!r}") from None
        else:
            try:
                plan[key] = float(value)
            except ValueError:
                raise ValueError(f"{key} must be a number, got {value!r}") from None
    FaultPlan.from_mapping(plan)  # validate now, so `serve` fails before binding
    return plan


def _split_methods(value: str) -> list[str]:
    for sep in "|;":
        value = value.replace(sep, "+")
    return [m.strip() for m in value.split("+")]


def _number(value: Any, key: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{key} must be a number")
    if not low <= value <= high:
        raise ValueError(f"{key} must be between {low} and {high}")
    return float(value)

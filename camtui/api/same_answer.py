"""Reads whose answer did not change: the same bytes give the same parsed value again, without decoding.

The rooms pane asks for today's status every 15 s; at 1,000 rooms that is ~2 MB of JSON and ~50 ms of decoding
and parsing on the UI's thread, for an answer that is usually byte for byte the last one. Only a digest of the
last good answer is kept per request (not its bytes), next to the value parsed from it."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from camtui.api.answers import Answer

KEPT = 8
"""Requests remembered (today's status, the days the agenda and month views look at)."""


class SameAnswers:
    """The last good answer's digest and parsed value, per request key (least recently used dropped)."""

    def __init__(self, kept: int = KEPT) -> None:
        self._kept = kept
        self._seen: OrderedDict[Hashable, tuple[bytes, Any]] = OrderedDict()

    def call(self, key: Hashable) -> SameAnswerCall:
        return SameAnswerCall(self, key)

    def _get(self, key: Hashable) -> tuple[bytes, Any] | None:
        entry = self._seen.get(key)
        if entry is not None:
            self._seen.move_to_end(key)
        return entry

    def _put(self, key: Hashable, digest: bytes, value: Any) -> None:
        self._seen[key] = (digest, value)
        self._seen.move_to_end(key)
        while len(self._seen) > self._kept:
            self._seen.popitem(last=False)


class SameAnswerCall:
    """One request's view of `SameAnswers` (its own state: concurrent requests never mix their answers)."""

    def __init__(self, memo: SameAnswers, key: Hashable) -> None:
        self._memo = memo
        self._key = key
        self._digest: bytes | None = None
        self.reused = False

    def previous(self, answer: Answer) -> Any | None:
        """For an HTTP 200 byte for byte the last good one: its parsed value (and `reused` is set); else None."""
        if answer.status_code != 200:
            return None
        self._digest = hashlib.blake2b(answer.content, digest_size=16).digest()
        entry = self._memo._get(self._key)
        if entry is None or entry[0] != self._digest:
            return None
        self.reused = True
        return entry[1]

    def keep(self, value: Any) -> Any:
        """Remember `value`, parsed from this call's answer, for the next identical one; returns it."""
        if self._digest is not None:
            self._memo._put(self._key, self._digest, value)
        return value

"""Encoded getConferenceRoomStatus answers, kept while the database stays as it was.

A day of 1,000 rooms is 1.7 MB of JSON and ~25 ms of reading and encoding on the sandbox's one event loop; a
dashboard asks for it every 15 s and, without the simulation, nothing changed in between. The key holds all the
bytes depend on: the period, the URL the share links are written with, and the database's change stamp.
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from collections.abc import Hashable

KEEP = 4
"""Answers kept (today, and a day or month an admin looked at): a few MB at most."""


def data_stamp(conn: sqlite3.Connection) -> tuple[int, int]:
    """Changes since this connection opened, and SQLite's counter of commits by other connections: any write
    anywhere (an API call, the simulation, another process on the same file) moves one of them."""
    row = conn.execute("PRAGMA data_version").fetchone()
    return conn.total_changes, int(row[0])


class EncodedAnswers:
    """The last KEEP answers by key, newest last (the sandbox runs its handlers on one loop: no lock)."""

    def __init__(self, keep: int = KEEP) -> None:
        self._keep = keep
        self._bodies: OrderedDict[Hashable, bytes] = OrderedDict()
        self.hits = 0

    def __len__(self) -> int:
        return len(self._bodies)

    def get(self, key: Hashable) -> bytes | None:
        body = self._bodies.get(key)
        if body is not None:
            self._bodies.move_to_end(key)
            self.hits += 1
        return body

    def put(self, key: Hashable, body: bytes) -> None:
        self._bodies[key] = body
        self._bodies.move_to_end(key)
        while len(self._bodies) > self._keep:
            self._bodies.popitem(last=False)

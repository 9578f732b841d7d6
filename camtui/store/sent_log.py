"""The sent log: what went where and when, with the server's message id. Append-only history."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from camtui.clock import Clock, system_clock
from camtui.store.db import from_ms_required, to_ms, transaction

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sent_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    send TEXT NOT NULL,
    message TEXT NOT NULL,
    seal INTEGER NOT NULL,
    recipients TEXT NOT NULL,
    message_id TEXT NOT NULL,
    sent_ms INTEGER NOT NULL,
    source TEXT NOT NULL
)
"""


@dataclass(frozen=True, slots=True)
class SentRecord:
    id: int
    send: str
    message: str
    seal: bool
    recipients: tuple[str, ...]
    message_id: str
    """The server's id ("m…"); empty when the server did not give one."""
    sent_at: datetime
    source: str
    """"composer", "cli", "batch" or "outbox-retry"."""


@dataclass(frozen=True, slots=True)
class SentInput:
    """One row to append in bulk (`SentLogRepo.add_many`)."""

    send: str
    message: str
    seal: bool
    recipients: tuple[str, ...]
    message_id: str


class SentLogRepo:
    def __init__(
        self, conn: sqlite3.Connection, *, lock: threading.RLock | None = None, clock: Clock = system_clock
    ) -> None:
        self._conn = conn
        self._lock = lock or threading.RLock()
        self._clock = clock
        with self._lock:
            conn.execute(_SCHEMA)
            conn.execute("CREATE INDEX IF NOT EXISTS sent_log_send ON sent_log(send, sent_ms)")

    def add(
        self,
        send: str,
        message: str,
        seal: bool,
        recipients: Sequence[str],
        message_id: str,
        *,
        source: str = "composer",
        sent_at: datetime | None = None,
    ) -> SentRecord:
        when = to_ms(sent_at or self._clock())
        with self._lock:
            cur = self._conn.execute(
                "INSERT INTO sent_log(send, message, seal, recipients, message_id, sent_ms, source) "
                "VALUES (?,?,?,?,?,?,?)",
                (send, message, int(seal), _dump(recipients), message_id, when, source),
            )
        return SentRecord(
            int(cur.lastrowid or 0),
            send,
            message,
            seal,
            tuple(recipients),
            message_id,
            from_ms_required(when),
            source,
        )

    def add_many(self, rows: Sequence[SentInput], *, source: str = "batch") -> None:
        when = to_ms(self._clock())
        with transaction(self._conn, self._lock) as c:
            c.executemany(
                "INSERT INTO sent_log(send, message, seal, recipients, message_id, sent_ms, source) "
                "VALUES (?,?,?,?,?,?,?)",
                [
                    (r.send, r.message, int(r.seal), _dump(r.recipients), r.message_id, when, source)
                    for r in rows
                ],
            )

    def list(self, limit: int = 100, *, send: str | None = None) -> list[SentRecord]:
        """Newest first; optionally only one destination."""
        with self._lock:
            if send is None:
                rows = self._conn.execute(
                    f"SELECT {_COLS} FROM sent_log ORDER BY sent_ms DESC, id DESC LIMIT ?", (limit,)
                ).fetchall()
            else:
                rows = self._conn.execute(
                    f"SELECT {_COLS} FROM sent_log WHERE send=? ORDER BY sent_ms DESC, id DESC LIMIT ?",
                    (send, limit),
                ).fetchall()
        return [_row(r) for r in rows]

    def find_by_message_id(self, message_id: str) -> SentRecord | None:
        with self._lock:
            row = self._conn.execute(
                f"SELECT {_COLS} FROM sent_log WHERE message_id=? ORDER BY id DESC LIMIT 1", (message_id,)
            ).fetchone()
        return _row(row) if row else None

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM sent_log").fetchone()[0])


_COLS = "id, send, message, seal, recipients, message_id, sent_ms, source"


def _dump(recipients: Sequence[str]) -> str:
    return json.dumps(list(recipients), ensure_ascii=False)


def _row(row: tuple) -> SentRecord:
    rid, send, message, seal, recipients, message_id, sent, source = row
    return SentRecord(
        rid,
        send,
        message,
        bool(seal),
        tuple(json.loads(recipients)),
        message_id,
        from_ms_required(sent),
        source,
    )

"""The sent log: what went where and when, with the server's message id. Append-only history."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from camtui.store.db import Repository, from_ms_required, string_list, to_ms

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


class SentLogRepo(Repository):
    SCHEMA = (_SCHEMA, "CREATE INDEX IF NOT EXISTS sent_log_send ON sent_log(send, sent_ms)")

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
        cur = self._execute(_INSERT, (send, message, int(seal), _dump(recipients), message_id, when, source))
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
        when = self._now_ms()
        with self._transaction() as c:
            c.executemany(
                _INSERT,
                [
                    (r.send, r.message, int(r.seal), _dump(r.recipients), r.message_id, when, source)
                    for r in rows
                ],
            )

    def list(self, limit: int = 100, *, send: str | None = None) -> list[SentRecord]:
        """Newest first; optionally only one destination."""
        if send is None:
            rows = self._all(f"SELECT {_COLS} FROM sent_log ORDER BY sent_ms DESC, id DESC LIMIT ?", (limit,))
        else:
            rows = self._all(
                f"SELECT {_COLS} FROM sent_log WHERE send=? ORDER BY sent_ms DESC, id DESC LIMIT ?",
                (send, limit),
            )
        return [_row(r) for r in rows]

    def find_by_message_id(self, message_id: str) -> SentRecord | None:
        row = self._one(
            f"SELECT {_COLS} FROM sent_log WHERE message_id=? ORDER BY id DESC LIMIT 1", (message_id,)
        )
        return _row(row) if row else None

    def __len__(self) -> int:
        return self._count("sent_log")


_COLS = "id, send, message, seal, recipients, message_id, sent_ms, source"
_INSERT = (
    "INSERT INTO sent_log(send, message, seal, recipients, message_id, sent_ms, source) "
    "VALUES (?,?,?,?,?,?,?)"
)


def _dump(recipients: Sequence[str]) -> str:
    return json.dumps(list(recipients), ensure_ascii=False)


def _row(row: tuple) -> SentRecord:
    rid, send, message, seal, recipients, message_id, sent, source = row
    return SentRecord(
        rid,
        send,
        message,
        bool(seal),
        string_list(recipients),
        message_id,
        from_ms_required(sent),
        source,
    )

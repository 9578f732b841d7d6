"""The outbox: a message is written here before its request leaves, and removed only once the server accepted it.

States:
- `pending`: queued, no request in flight (new, edited, or written just before the send).
- `sending`: a request is in flight. A row left in `sending` by a process that is gone may or may not have
  reached the server, so `recover_interrupted()` turns it into `unknown`.
- `failed`: the server refused it (`code` set, e.g. "452") or it never reached the server (`code` None,
  `retryable` True). Can be retried, edited or discarded.
- `unknown`: the request may or may not have been delivered (`OutcomeUnknown`). Never resent automatically:
  only an explicit retry with `force=True` sends it again.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from camtui.store.db import Repository, from_ms, from_ms_required, pid_alive, string_list

OutboxState = Literal["pending", "sending", "failed", "unknown"]
STATES: tuple[OutboxState, ...] = ("pending", "sending", "failed", "unknown")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    send TEXT NOT NULL,
    message TEXT NOT NULL,
    seal INTEGER NOT NULL,
    users TEXT NOT NULL,
    state TEXT NOT NULL,
    reason TEXT,
    code TEXT,
    retryable INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    last_attempt_ms INTEGER,
    owner_pid INTEGER
)
"""


class OutboxStateError(RuntimeError):
    """The entry is not in a state that allows this (e.g. editing while a request is in flight)."""


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    id: int
    send: str
    message: str
    seal: bool
    users: tuple[str, ...]
    state: OutboxState
    reason: str | None
    """One line: why it failed / why the outcome is unknown."""
    code: str | None
    """The API error code when the server refused it."""
    retryable: bool
    attempts: int
    created_at: datetime
    updated_at: datetime
    last_attempt_at: datetime | None


class OutboxRepo(Repository):
    SCHEMA = (_SCHEMA, "CREATE INDEX IF NOT EXISTS outbox_state ON outbox(state)")

    def add(self, send: str, message: str, seal: bool = False, users: Sequence[str] = ()) -> OutboxEntry:
        now = self._now_ms()
        with self._transaction() as c:
            cur = c.execute(
                "INSERT INTO outbox(send, message, seal, users, state, created_ms, updated_ms) "
                "VALUES (?,?,?,?, 'pending', ?, ?)",
                (send, message, int(seal), json.dumps(list(users), ensure_ascii=False), now, now),
            )
            entry_id = int(cur.lastrowid or 0)
        return self._require(entry_id)

    def get(self, entry_id: int) -> OutboxEntry | None:
        row = self._one(f"SELECT {_COLS} FROM outbox WHERE id = ?", (entry_id,))
        return _row(row) if row else None

    def list(self, states: Iterable[OutboxState] | None = None) -> list[OutboxEntry]:
        """Oldest first (the order they were queued)."""
        if states is None:
            rows = self._all(f"SELECT {_COLS} FROM outbox ORDER BY id")
        else:
            wanted = list(states)
            marks = ",".join("?" * len(wanted))
            rows = self._all(f"SELECT {_COLS} FROM outbox WHERE state IN ({marks}) ORDER BY id", wanted)
        return [_row(r) for r in rows]

    def counts(self) -> dict[str, int]:
        """Entries per state (every state present, 0 when none)."""
        return self._tally(STATES, "SELECT state, COUNT(*) FROM outbox GROUP BY state")

    def __len__(self) -> int:
        return self._count("outbox")

    def mark_sending(self, entry_id: int, *, force: bool = False) -> OutboxEntry:
        """Claim the entry for one request. Refuses `sending` rows always and `unknown` rows unless `force`."""
        now = self._now_ms()
        with self._transaction() as c:
            entry = self._require(entry_id)
            if entry.state == "sending":
                raise OutboxStateError(f"outbox entry {entry_id} is already being sent")
            if entry.state == "unknown" and not force:
                raise OutboxStateError(
                    f"outbox entry {entry_id} may already have been delivered; resend it only explicitly (force)"
                )
            c.execute(
                "UPDATE outbox SET state='sending', attempts=attempts+1, last_attempt_ms=?, updated_ms=?, "
                "owner_pid=? WHERE id=?",
                (now, now, os.getpid(), entry_id),
            )
        return self._require(entry_id)

    def mark_failed(
        self, entry_id: int, reason: str, *, code: str | None = None, retryable: bool = False
    ) -> OutboxEntry:
        return self._set_state(entry_id, "failed", reason, code, retryable)

    def mark_unknown(self, entry_id: int, reason: str) -> OutboxEntry:
        return self._set_state(entry_id, "unknown", reason, None, False)

    def mark_pending(self, entry_id: int) -> OutboxEntry:
        return self._set_state(entry_id, "pending", None, None, False)

    def remove(self, entry_id: int) -> bool:
        """The server accepted it (or the user discarded it)."""
        return self._execute("DELETE FROM outbox WHERE id = ?", (entry_id,)).rowcount > 0

    def discard(self, entry_id: int) -> bool:
        """Drop an entry the user gave up on. Refused while its request is in flight."""
        with self._transaction():
            entry = self.get(entry_id)
            if entry is None:
                return False
            if entry.state == "sending":
                raise OutboxStateError(f"outbox entry {entry_id} is being sent; wait for the outcome")
            return self.remove(entry_id)

    def edit(
        self,
        entry_id: int,
        *,
        send: str | None = None,
        message: str | None = None,
        seal: bool | None = None,
        users: Sequence[str] | None = None,
    ) -> OutboxEntry:
        """Change a queued entry; it becomes `pending` again (reason cleared). Refused while sending."""
        now = self._now_ms()
        with self._transaction() as c:
            entry = self._require(entry_id)
            if entry.state == "sending":
                raise OutboxStateError(f"outbox entry {entry_id} is being sent; wait for the outcome")
            c.execute(
                "UPDATE outbox SET send=?, message=?, seal=?, users=?, state='pending', reason=NULL, code=NULL, "
                "retryable=0, updated_ms=? WHERE id=?",
                (
                    entry.send if send is None else send,
                    entry.message if message is None else message,
                    int(entry.seal if seal is None else seal),
                    json.dumps(list(entry.users if users is None else users), ensure_ascii=False),
                    now,
                    entry_id,
                ),
            )
        return self._require(entry_id)

    def recover_interrupted(self) -> list[OutboxEntry]:
        """Rows left `sending` by a process that no longer runs become `unknown`: their request may have landed."""
        changed: list[OutboxEntry] = []
        with self._transaction() as c:
            rows = c.execute("SELECT id, owner_pid FROM outbox WHERE state='sending'").fetchall()
            for entry_id, pid in rows:
                if pid is not None and pid != os.getpid() and pid_alive(pid):
                    continue
                if pid == os.getpid():
                    continue  # this process is sending it right now
                changed.append(
                    self.mark_unknown(
                        entry_id,
                        "camtui stopped while this was being sent; it may or may not have been delivered",
                    )
                )
        return changed

    def _set_state(
        self, entry_id: int, state: OutboxState, reason: str | None, code: str | None, retryable: bool
    ) -> OutboxEntry:
        cur = self._execute(
            "UPDATE outbox SET state=?, reason=?, code=?, retryable=?, updated_ms=?, owner_pid=NULL WHERE id=?",
            (state, reason, code, int(retryable), self._now_ms(), entry_id),
        )
        if cur.rowcount == 0:
            raise KeyError(entry_id)
        return self._require(entry_id)

    def _require(self, entry_id: int) -> OutboxEntry:
        entry = self.get(entry_id)
        if entry is None:
            raise KeyError(entry_id)
        return entry


_COLS = (
    "id, send, message, seal, users, state, reason, code, retryable, attempts, created_ms, updated_ms, "
    "last_attempt_ms"
)


def _row(row: tuple) -> OutboxEntry:
    (eid, send, message, seal, users, state, reason, code, retryable, attempts, created, updated, last) = row
    return OutboxEntry(
        id=eid,
        send=send,
        message=message,
        seal=bool(seal),
        users=string_list(users),
        state=state,
        reason=reason,
        code=code,
        retryable=bool(retryable),
        attempts=attempts,
        created_at=from_ms_required(created),
        updated_at=from_ms_required(updated),
        last_attempt_at=from_ms(last),
    )

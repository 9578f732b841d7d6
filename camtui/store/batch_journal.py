"""The batch journal: per batch file (by content fingerprint) and item index, what happened to each item.

It is what makes re-running a file, or resuming after a crash or ^C, never send an item twice. Item states:
- `sending`: its chunk's request is in flight (written before the request). Found after a crash, it means
  "may or may not have been delivered" and is reported as `unknown`.
- `sent` (with the server's message id), `failed` (the server refused it: `code`, `reason`), `unknown`
  (the chunk ended in OutcomeUnknown). Items with no row were never attempted.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from camtui.store.db import Repository, from_ms, from_ms_required, pid_alive

ItemState = Literal["sending", "sent", "failed", "unknown"]
ITEM_STATES: tuple[ItemState, ...] = ("sending", "sent", "failed", "unknown")

_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS batch_runs (
    fingerprint TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    total INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    finished_ms INTEGER,
    owner_pid INTEGER
)
""",
    """
CREATE TABLE IF NOT EXISTS batch_items (
    fingerprint TEXT NOT NULL REFERENCES batch_runs(fingerprint) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    state TEXT NOT NULL,
    message_id TEXT,
    code TEXT,
    reason TEXT,
    item_hash TEXT,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (fingerprint, idx)
) WITHOUT ROWID
""",
)


class BatchBusyError(RuntimeError):
    """Another running process is sending the same batch file."""


@dataclass(frozen=True, slots=True)
class BatchRun:
    fingerprint: str
    path: str
    total: int
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    index: int
    state: ItemState
    message_id: str | None = None
    code: str | None = None
    reason: str | None = None
    item_hash: str | None = None
    """Content hash of the item (destination, text, recipients): recognises it in an edited copy of the file."""


class BatchJournalRepo(Repository):
    SCHEMA = _SCHEMA

    def _migrate(self) -> None:
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(batch_items)")}
        if "item_hash" not in columns:  # databases from before item hashes
            self._conn.execute("ALTER TABLE batch_items ADD COLUMN item_hash TEXT")

    def begin(self, fingerprint: str, path: str, total: int) -> BatchRun:
        """Open (or reopen) the run for this file and claim it for this process.

        Items a dead process left `sending` become `unknown`. Raises BatchBusyError if a live process owns it."""
        now = self._now_ms()
        me = os.getpid()
        with self._transaction() as c:
            row = c.execute("SELECT owner_pid FROM batch_runs WHERE fingerprint=?", (fingerprint,)).fetchone()
            if row is None:
                c.execute(
                    "INSERT INTO batch_runs(fingerprint, path, total, created_ms, updated_ms, owner_pid) "
                    "VALUES (?,?,?,?,?,?)",
                    (fingerprint, path, total, now, now, me),
                )
            else:
                owner = row[0]
                if owner is not None and owner != me and pid_alive(owner):
                    raise BatchBusyError(
                        f"this batch file is being sent by another camtui process (pid {owner})"
                    )
                c.execute(
                    "UPDATE batch_runs SET path=?, total=?, updated_ms=?, owner_pid=? WHERE fingerprint=?",
                    (path, total, now, me, fingerprint),
                )
                self.settle_in_flight(fingerprint, "interrupted while its chunk was being sent")
        run = self.run(fingerprint)
        assert run is not None
        return run

    def settle_in_flight(self, fingerprint: str, why: str) -> int:
        """Items still `sending` become `unknown` (their request may or may not have landed)."""
        cur = self._execute(
            "UPDATE batch_items SET state='unknown', updated_ms=?, reason=? WHERE fingerprint=? AND state='sending'",
            (self._now_ms(), f"{why}; it may or may not have been delivered", fingerprint),
        )
        return cur.rowcount

    def release(self, fingerprint: str, *, finished: bool = False) -> None:
        """Give up ownership (end of a run, ^C); `finished` stamps the run as complete."""
        now = self._now_ms()
        self._execute(
            "UPDATE batch_runs SET owner_pid=NULL, updated_ms=?, finished_ms=CASE WHEN ? THEN ? "
            "ELSE finished_ms END WHERE fingerprint=?",
            (now, int(finished), now, fingerprint),
        )

    def run(self, fingerprint: str) -> BatchRun | None:
        row = self._one(f"SELECT {_RUN_COLS} FROM batch_runs WHERE fingerprint=?", (fingerprint,))
        return _run(row) if row else None

    def runs(self) -> list[BatchRun]:
        """Newest first."""
        return [_run(r) for r in self._all(f"SELECT {_RUN_COLS} FROM batch_runs ORDER BY updated_ms DESC")]

    def outcomes(self, fingerprint: str) -> dict[int, ItemOutcome]:
        rows = self._all(f"SELECT {_ITEM_COLS} FROM batch_items WHERE fingerprint=?", (fingerprint,))
        return {r[0]: ItemOutcome(*r) for r in rows}

    def delivered_elsewhere(self, path: str, fingerprint: str) -> dict[str, tuple[BatchRun, ItemOutcome]]:
        """Items (by content hash) that an earlier, unfinished run of another version of the same file sent or
        may have sent (`sent`, `unknown`, `sending`): an edited file resumed must not send them again."""
        out: dict[str, tuple[BatchRun, ItemOutcome]] = {}
        with self._lock:
            runs = self._all(
                f"SELECT {_RUN_COLS} FROM batch_runs WHERE path=? AND fingerprint<>? ORDER BY updated_ms",
                (path, fingerprint),
            )
            for row in runs:
                run = _run(row)
                items = self._all(
                    f"SELECT {_ITEM_COLS} FROM batch_items WHERE fingerprint=? AND item_hash IS NOT NULL",
                    (run.fingerprint,),
                )
                if sum(1 for r in items if r[1] == "sent") >= run.total:
                    continue  # that version went out completely: this is a new batch, not a resume
                for r in items:
                    if r[1] in ("sent", "unknown", "sending"):
                        out[r[5]] = (run, ItemOutcome(*r))
        return out

    def counts(self, fingerprint: str) -> dict[str, int]:
        return self._tally(
            ITEM_STATES,
            "SELECT state, COUNT(*) FROM batch_items WHERE fingerprint=? GROUP BY state",
            (fingerprint,),
        )

    def mark_sending(self, fingerprint: str, items: Iterable[tuple[int, str | None]]) -> None:
        """Written before a chunk's request leaves: (index, item hash) pairs."""
        self.record(fingerprint, [ItemOutcome(i, "sending", item_hash=h) for i, h in items])

    def clear(self, fingerprint: str, indices: Iterable[int]) -> None:
        """Back to "never attempted" (the server refused the whole request before processing any of them)."""
        with self._transaction() as c:
            c.executemany(
                "DELETE FROM batch_items WHERE fingerprint=? AND idx=?", [(fingerprint, i) for i in indices]
            )

    def record(self, fingerprint: str, outcomes: Sequence[ItemOutcome]) -> None:
        now = self._now_ms()
        with self._transaction() as c:
            c.executemany(
                "INSERT INTO batch_items(fingerprint, idx, state, message_id, code, reason, item_hash, updated_ms) "
                "VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(fingerprint, idx) DO UPDATE SET state=excluded.state, "
                "message_id=excluded.message_id, code=excluded.code, reason=excluded.reason, "
                "item_hash=COALESCE(excluded.item_hash, item_hash), updated_ms=excluded.updated_ms",
                [
                    (fingerprint, o.index, o.state, o.message_id, o.code, o.reason, o.item_hash, now)
                    for o in outcomes
                ],
            )
            c.execute("UPDATE batch_runs SET updated_ms=? WHERE fingerprint=?", (now, fingerprint))

    def forget(self, fingerprint: str) -> bool:
        """Drop a run and its items (the user wants to send the same file again, deliberately)."""
        with self._transaction() as c:
            c.execute("DELETE FROM batch_items WHERE fingerprint=?", (fingerprint,))
            cur = c.execute("DELETE FROM batch_runs WHERE fingerprint=?", (fingerprint,))
        return cur.rowcount > 0


_RUN_COLS = "fingerprint, path, total, created_ms, updated_ms, finished_ms"
_ITEM_COLS = "idx, state, message_id, code, reason, item_hash"


def _run(row: tuple) -> BatchRun:
    fp, path, total, created, updated, finished = row
    return BatchRun(fp, path, total, from_ms_required(created), from_ms_required(updated), from_ms(finished))

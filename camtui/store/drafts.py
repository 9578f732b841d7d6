"""Drafts: what the user is typing, saved as they type, one per destination, so a crash or restart loses nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from camtui.store.db import Repository, from_ms_required, to_ms

_SCHEMA = """
CREATE TABLE IF NOT EXISTS drafts (
    key TEXT PRIMARY KEY,
    send TEXT NOT NULL,
    text TEXT NOT NULL,
    recipients TEXT NOT NULL,
    seal INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
)
"""


@dataclass(frozen=True, slots=True)
class Draft:
    key: str
    """Destination key: "messenger" or the chat room name (see `draft_key`)."""
    send: str
    text: str
    recipients: str
    """As typed: the comma-separated recipient field."""
    seal: bool
    updated_at: datetime

    @property
    def is_empty(self) -> bool:
        return not self.text and not self.recipients.strip()


def draft_key(send: str) -> str:
    """One draft per destination; a blank destination is the messenger."""
    return send.strip() or "messenger"


class DraftRepo(Repository):
    SCHEMA = (_SCHEMA,)

    def save(self, send: str, text: str, recipients: str = "", seal: bool = False) -> Draft | None:
        """Upsert the draft for `send`. Saving an empty draft (no text, no recipients) deletes it; returns None."""
        key = draft_key(send)
        if not text and not recipients.strip():
            self.delete(key)
            return None
        now = self._clock()
        with self._transaction() as c:
            c.execute(
                "INSERT INTO drafts(key, send, text, recipients, seal, updated_ms) VALUES (?,?,?,?,?,?) "
                "ON CONFLICT(key) DO UPDATE SET send=excluded.send, text=excluded.text, "
                "recipients=excluded.recipients, seal=excluded.seal, updated_ms=excluded.updated_ms",
                (key, send, text, recipients, int(seal), to_ms(now)),
            )
        return Draft(key, send, text, recipients, seal, from_ms_required(to_ms(now)))

    def get(self, send_or_key: str) -> Draft | None:
        row = self._one(f"SELECT {_COLS} FROM drafts WHERE key = ?", (draft_key(send_or_key),))
        return _row(row) if row else None

    def delete(self, send_or_key: str) -> bool:
        return self._execute("DELETE FROM drafts WHERE key = ?", (draft_key(send_or_key),)).rowcount > 0

    def list(self) -> list[Draft]:
        """Newest first."""
        return [_row(r) for r in self._all(f"SELECT {_COLS} FROM drafts ORDER BY updated_ms DESC, key")]

    def latest(self) -> Draft | None:
        drafts = self.list()
        return drafts[0] if drafts else None


_COLS = "key, send, text, recipients, seal, updated_ms"


def _row(row: tuple) -> Draft:
    key, send, text, recipients, seal, updated = row
    return Draft(key, send, text, recipients, bool(seal), from_ms_required(updated))

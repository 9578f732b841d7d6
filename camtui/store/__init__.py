"""Local persistence (SQLite in the user data dir): drafts, outbox, sent log, directory cache, batch journal,
UI state, and the call history (`camtui.store.calls`, by the calls pane).

`Store.open(path)` opens one connection and gives each repository that connection and one shared lock."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

from camtui.common.clock import Clock, system_clock
from camtui.store.alert_state import AlertStateRepo
from camtui.store.batch_journal import BatchBusyError, BatchJournalRepo, BatchRun, ItemOutcome
from camtui.store.call_links import CallLinksRepo
from camtui.store.calls import CallStore
from camtui.store.chat_rooms import ChatRoomsRepo
from camtui.store.db import connect
from camtui.store.directory import DirectoryRepo
from camtui.store.drafts import Draft, DraftRepo, draft_key
from camtui.store.outbox import OutboxEntry, OutboxRepo, OutboxStateError
from camtui.store.sent_log import SentInput, SentLogRepo, SentRecord
from camtui.store.ui_state import UIStateRepo

__all__ = [
    "AlertStateRepo",
    "BatchBusyError",
    "BatchJournalRepo",
    "BatchRun",
    "CallLinksRepo",
    "ChatRoomsRepo",
    "DirectoryRepo",
    "Draft",
    "DraftRepo",
    "ItemOutcome",
    "OutboxEntry",
    "OutboxRepo",
    "OutboxStateError",
    "SentInput",
    "SentLogRepo",
    "SentRecord",
    "Store",
    "StoreError",
    "UIStateRepo",
    "default_path",
    "draft_key",
]


class StoreError(Exception):
    """The local database cannot be opened (one line, naming the file)."""


def default_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("camtui")) / "camtui.db"


class Store:
    """The open database and its repositories. Use `Store.open(...)`; close with `close()` or `with`."""

    def __init__(self, conn: sqlite3.Connection, path: str, *, clock: Clock = system_clock) -> None:
        self.conn = conn
        self.path = path
        self.lock = threading.RLock()
        self.clock = clock
        kw: dict[str, Any] = {"lock": self.lock, "clock": clock}
        self.drafts = DraftRepo(conn, **kw)
        self.outbox = OutboxRepo(conn, **kw)
        self.sent_log = SentLogRepo(conn, **kw)
        self.directory = DirectoryRepo(conn, **kw)
        self.chat_rooms = ChatRoomsRepo(conn, **kw)
        """Chat rooms the admin screen created or edited (the API cannot list them)."""
        self.batch_journal = BatchJournalRepo(conn, **kw)
        self.ui_state = UIStateRepo(conn, lock=self.lock)
        self.calls = CallStore(conn, lock=self.lock)
        self.call_links = CallLinksRepo(conn, **kw)
        """Calls linked to meeting rooms by the user (`l` in the calls pane)."""
        self.alerts = AlertStateRepo(conn, **kw)
        """Alert rule episodes, snoozes and firings (`camtui.alerts`)."""
        self.recovered = self.outbox.recover_interrupted()
        """Outbox entries a previous, dead process left mid-send: now `unknown` (the composer shows them once)."""

    @classmethod
    def open(cls, path: Path | str | None = None, *, clock: Clock = system_clock) -> Store:
        """Open (creating if needed) the database at `path`; None → the user data dir; ":memory:" for tests.

        Raises StoreError (one line naming the file) when it cannot be opened or is not a database."""
        target = str(default_path() if path is None else path)
        try:
            conn = connect(target)
        except (sqlite3.Error, OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
            raise StoreError(f"{target}: cannot open the local database: {exc}") from None
        try:
            return cls(conn, target, clock=clock)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(
                f"{target}: not a usable camtui database ({exc}); move it aside to start afresh"
            ) from None

    def close(self) -> None:
        with self.lock:
            self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.path!r})"

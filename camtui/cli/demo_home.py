"""Where `camtui demo` keeps its state between runs: a folder of its own in the user data dir.

The demo's store (drafts, outbox, sent log, watched calls, theme) is `demo.sqlite3`, never the real store, and
the sandbox's data is `sandbox.sqlite3` beside it: kept together, so the calls the store watches and the rooms
its outbox names are still on the sandbox at the next run. When the sandbox must be rebuilt (another
--seed/--rooms/--users, or its file is gone), the watched calls of the old one are dropped and the user is told;
drafts, outbox and sent log stay. A second demo running at the same time gets a temporary folder, and is told."""

from __future__ import annotations

import contextlib
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

STORE_NAME = "demo.sqlite3"
SANDBOX_NAME = "sandbox.sqlite3"
IDENTITY_NAME = "sandbox.json"
LOCK_NAME = "demo.lock"


def default_demo_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("camtui")) / "demo"


@dataclass
class DemoHome:
    """The folder one demo run uses; `close()` releases it (and removes it when it was temporary)."""

    folder: Path
    persistent: bool
    rebuilt: bool = False
    """The sandbox is made anew this run while the store remembers an older one."""
    continued: bool = False
    """The store existed: this run carries on from the last one."""
    notices: list[str] = field(default_factory=list)
    _lock: IO[Any] | None = None
    _tmp: tempfile.TemporaryDirectory[str] | None = None

    @property
    def store_path(self) -> Path:
        return self.folder / STORE_NAME

    @property
    def sandbox_path(self) -> Path:
        return self.folder / SANDBOX_NAME

    def close(self) -> None:
        if self._lock is not None:
            with contextlib.suppress(OSError):
                self._lock.close()
            self._lock = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


def open_demo_home(
    *, seed: int, rooms: int, users: int, fresh: bool = False, folder: Path | None = None
) -> DemoHome:
    """Take the demo folder (created if needed; emptied with `fresh`), or a temporary one when another demo
    holds it or it cannot be made; says which in `notices`."""
    folder = folder or default_demo_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = _take_lock(folder / LOCK_NAME)
    except OSError as exc:
        return _temporary(f"Demo: cannot use {folder} ({exc}); this demo's state is thrown away on quit.")
    if lock is None:
        return _temporary(
            f"Demo: another camtui demo is using {folder}; this one keeps its state in a temporary folder, "
            "thrown away on quit."
        )
    home = DemoHome(folder, persistent=True, _lock=lock)
    if fresh:
        for name in (STORE_NAME, SANDBOX_NAME):
            for suffix in ("", "-wal", "-shm", "-journal"):
                with contextlib.suppress(FileNotFoundError):
                    (folder / f"{name}{suffix}").unlink()
        with contextlib.suppress(FileNotFoundError):
            (folder / IDENTITY_NAME).unlink()
    wanted = {"seed": seed, "rooms": rooms, "users": users}
    home.continued = home.store_path.exists()
    if home.continued and (not home.sandbox_path.exists() or _identity(folder) != wanted):
        home.rebuilt = True
    (folder / IDENTITY_NAME).write_text(json.dumps(wanted), encoding="utf-8")
    if home.rebuilt:
        dropped = drop_watched_calls(home.store_path)
        home.notices.append(
            f"Demo: the sandbox was made anew (seed {seed}, {rooms} rooms, {users} users); "
            f"{dropped} watched call(s) of the old one were dropped. Drafts, outbox and sent log are kept."
        )
    return home


def drop_watched_calls(store_path: Path) -> int:
    """Stop watching every call in the demo store (they belonged to a sandbox that no longer exists)."""
    from camtui.store import Store

    with Store.open(store_path) as store:
        return store.calls.unwatch_all(call.sid for call in store.calls.list())


def _identity(folder: Path) -> dict[str, Any] | None:
    try:
        value = json.loads((folder / IDENTITY_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _take_lock(path: Path) -> IO[Any] | None:
    """An exclusive lock held while the file stays open; None when another process holds it."""
    import fcntl

    handle = open(path, "a+")  # noqa: SIM115 - held open for the demo's whole run
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def _temporary(notice: str) -> DemoHome:
    tmp = tempfile.TemporaryDirectory(prefix="camtui-demo-")
    return DemoHome(Path(tmp.name), persistent=False, notices=[notice], _tmp=tmp)

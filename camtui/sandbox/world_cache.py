"""Generated demo worlds kept by seed and size, so a large sandbox starts in a fraction of a second.

Making 100,000 people and a month of 1,000 rooms' meetings takes seconds; the result only depends on the seed,
the sizes and the data scheme. The first start saves what is timeless — people, rooms, chat rooms, the months of
meetings made — into `<data dir>/sandbox-worlds/`; later starts copy it (SQLite's backup API, a few hundred
milliseconds at that size; a file copy, faster still, when the sandbox's database file does not exist yet) and
then add what depends on the clock: the calls and the meetings in progress now, exactly as a restart of a
persistent `camtui serve` does. Only worlds worth it are cached (see `WORTH_CACHING`);
set `CAMTUI_SANDBOX_WORLDS=off` to never cache, or to a folder to cache there."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path

ENV = "CAMTUI_SANDBOX_WORLDS"
WORTH_CACHING = 20_000
"""Cache a world when users + 50 × rooms reaches this (the default demo, 2,000 people and 24 rooms, is made
in ~0.1 s: not worth a file)."""
FORMAT = 2
"""The cache files' own version (2: they carry `FRESH_COPY_KEY`); a file of another is not used."""
TIMELESS_ORIGINS = ("demo",)
"""Reservations kept in the cache: the generated months. Live ones ("live") and the simulation's ("sim")
depend on the clock and are made again at each start."""


def worth_caching(rooms: int, users: int) -> bool:
    return users + 50 * rooms >= WORTH_CACHING


def folder(env: Mapping[str, str] | None = None) -> Path | None:
    """Where worlds are kept, or None when caching is off."""
    env = os.environ if env is None else env
    chosen = env.get(ENV, "").strip()
    if chosen.lower() in ("off", "0", "no", "false"):
        return None
    if chosen:
        return Path(chosen).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("camtui")) / "sandbox-worlds"


def path_for(meta: Mapping[str, str], env: Mapping[str, str] | None = None) -> Path | None:
    base = folder(env)
    if base is None:
        return None
    name = "world-v{schema}-{reservations}-c{cache}-s{seed}-r{rooms}-u{users}.db".format(cache=FORMAT, **meta)
    return base / name


def restore(conn: sqlite3.Connection, meta: Mapping[str, str]) -> bool:
    """Replace the database behind `conn` with the cached world for `meta`; False when there is none (or it is
    unreadable: then the caller generates, and saves a good one)."""
    path = path_for(meta)
    if path is None or not path.is_file():
        return False
    try:
        if not _matches(path, meta):
            return False
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.backup(conn)
        finally:
            source.close()
    except sqlite3.Error:
        return False
    return True


FRESH_COPY_KEY = "world_cache_copy"
"""Set in a cached world file's meta: a database copied from it still needs its calls made (then unset)."""


def _matches(path: Path, meta: Mapping[str, str]) -> bool:
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        stored = dict(source.execute("SELECT key, value FROM meta").fetchall())
    finally:
        source.close()
    return all(stored.get(k) == v for k, v in meta.items())


def copy_to(target: Path, meta: Mapping[str, str]) -> bool:
    """Put the cached world for `meta` at `target` as a file copy when no database is there yet (no file,
    no journal); False when there is nothing to copy or something is in the way (then the caller opens
    `target` and fills it as usual). The copy is made aside and renamed: a half-copied file is never opened."""
    path = path_for(meta)
    if path is None or not path.is_file():
        return False
    siblings = [target, target.with_name(target.name + "-wal"), target.with_name(target.name + "-journal")]
    if any(p.exists() for p in siblings):
        return False
    try:
        if not _matches(path, meta):
            return False
        import shutil

        target.parent.mkdir(parents=True, exist_ok=True)
        with _aside(target) as tmp:
            shutil.copyfile(path, tmp)
    except (OSError, sqlite3.Error):
        return False
    return True


def save(conn: sqlite3.Connection, meta: Mapping[str, str]) -> Path | None:
    """Keep the timeless part of the world in `conn` for next time (atomically: a half-written file is never
    read). Failures are ignored: the cache is only a speed-up."""
    path = path_for(meta)
    if path is None:
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _aside(path) as tmp:
            target = sqlite3.connect(tmp)
            try:
                conn.backup(target)
                marks = ",".join("?" * len(TIMELESS_ORIGINS))
                target.execute(f"DELETE FROM reservations WHERE origin NOT IN ({marks})", TIMELESS_ORIGINS)
                target.execute("DELETE FROM calls")
                target.execute("DELETE FROM messages")
                target.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, '1')", (FRESH_COPY_KEY,))
                target.commit()
                target.execute("PRAGMA journal_mode=DELETE")
            finally:
                target.close()
    except (OSError, sqlite3.Error):
        return None
    return path


@contextlib.contextmanager
def _aside(final: Path) -> Iterator[Path]:
    """A temporary file beside `final`, renamed onto it when the block succeeds and removed when it fails: a
    half-written world is never opened."""
    tmp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        os.replace(tmp, final)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise

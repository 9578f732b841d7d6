"""Cached demo worlds: a restored world is the generated one, with the clock-dependent parts made fresh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from camtui.sandbox import db, demo, world_cache

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
TIMELESS = ("users", "rooms", "chat_rooms", "chat_members", "reservation_months")


def _dump(conn, table: str) -> list[tuple]:
    return conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()


@pytest.fixture
def worlds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "worlds"
    monkeypatch.setenv(world_cache.ENV, str(folder))
    monkeypatch.setattr(world_cache, "WORTH_CACHING", 0)  # cache even a small world
    return folder


def test_second_start_restores_the_same_world_with_fresh_calls(worlds: Path, tmp_path: Path) -> None:
    first = db.connect(tmp_path / "a.db")
    assert demo.ensure(first, seed=3, rooms=6, users=300, now=NOW)
    assert len(list(worlds.glob("world-*.db"))) == 1

    later = NOW + timedelta(hours=5)
    second = db.connect(tmp_path / "b.db")
    demo.ensure(second, seed=3, rooms=6, users=300, now=later)
    for table in TIMELESS:
        assert _dump(second, table) == _dump(first, table), table
    demo_rows = "SELECT * FROM reservations WHERE origin = 'demo' ORDER BY id"
    assert second.execute(demo_rows).fetchall() == first.execute(demo_rows).fetchall()

    fresh = db.connect(tmp_path / "c.db")  # what a start at `later` without any cache makes
    demo.generate(fresh, seed=3, rooms=6, users=300, now=later)
    calls = "SELECT sid, creation_ms, expired_ms, participants FROM calls ORDER BY sid"
    assert second.execute(calls).fetchall() == fresh.execute(calls).fetchall()  # relative to `later`
    live = second.execute("SELECT start_ms FROM reservations WHERE origin = 'live'").fetchall()
    later_ms = demo.ms(later)
    assert live and all(start <= later_ms for (start,) in live)  # in progress at the second start
    assert second.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_the_cache_holds_nothing_that_depends_on_the_clock(worlds: Path, tmp_path: Path) -> None:
    demo.ensure(db.connect(tmp_path / "a.db"), seed=3, rooms=6, users=300, now=NOW)
    (cached,) = worlds.glob("world-*.db")
    import sqlite3

    conn = sqlite3.connect(cached)
    assert conn.execute("SELECT count(*) FROM calls").fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM messages").fetchone() == (0,)
    assert conn.execute("SELECT DISTINCT origin FROM reservations").fetchall() == [("demo",)]


def test_a_damaged_cache_is_ignored_and_replaced(worlds: Path, tmp_path: Path) -> None:
    demo.ensure(db.connect(tmp_path / "a.db"), seed=3, rooms=6, users=300, now=NOW)
    (cached,) = worlds.glob("world-*.db")
    cached.write_bytes(b"not a database at all")
    conn = db.connect(tmp_path / "b.db")
    assert demo.ensure(conn, seed=3, rooms=6, users=300, now=NOW)
    assert conn.execute("SELECT count(*) FROM users").fetchone() == (300,)
    assert cached.read_bytes()[:15] == b"SQLite format 3"  # saved again, whole


def test_off_and_small_worlds_are_not_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(world_cache.ENV, "off")
    assert world_cache.folder() is None
    demo.ensure(db.connect(tmp_path / "a.db"), seed=3, rooms=6, users=300, now=NOW)
    monkeypatch.setenv(world_cache.ENV, str(tmp_path / "w"))
    demo.ensure(db.connect(tmp_path / "b.db"), seed=3, rooms=6, users=300, now=NOW)
    assert not (tmp_path / "w").exists()  # the default demo's size is below WORTH_CACHING
    assert world_cache.worth_caching(rooms=1000, users=100_000)
    assert not world_cache.worth_caching(rooms=24, users=2000)


def test_a_new_database_file_is_a_copy_of_the_cached_world_with_fresh_calls(
    worlds: Path, tmp_path: Path
) -> None:
    """`camtui serve` on a database file that does not exist yet: the cached world is copied there (no restore
    into an open database), and the clock-dependent parts are made as after a restore."""
    first = db.connect(tmp_path / "a.db")
    demo.ensure(first, seed=3, rooms=6, users=300, now=NOW)
    later = NOW + timedelta(hours=5)
    target = tmp_path / "new" / "b.db"
    assert demo.place_cached_world(target, seed=3, rooms=6, users=300)
    copied = db.connect(target)
    assert world_cache.FRESH_COPY_KEY in db.get_meta(copied)
    assert not demo.ensure(copied, seed=3, rooms=6, users=300, now=later)  # not generated: copied
    assert world_cache.FRESH_COPY_KEY not in db.get_meta(copied)
    for table in TIMELESS:
        assert _dump(copied, table) == _dump(first, table), table
    fresh = db.connect(tmp_path / "c.db")
    demo.generate(fresh, seed=3, rooms=6, users=300, now=later)
    calls = "SELECT sid, creation_ms, expired_ms, participants FROM calls ORDER BY sid"
    assert copied.execute(calls).fetchall() == fresh.execute(calls).fetchall()
    assert copied.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # A restart keeps what the sandbox holds: its calls are not made again.
    copied.execute("DELETE FROM calls WHERE participants = 0")
    kept = copied.execute(calls).fetchall()
    copied.close()
    again = db.connect(target)
    demo.ensure(again, seed=3, rooms=6, users=300, now=later + timedelta(minutes=1))
    assert again.execute(calls).fetchall() == kept


def test_an_existing_database_or_another_size_is_never_overwritten(worlds: Path, tmp_path: Path) -> None:
    demo.ensure(db.connect(tmp_path / "a.db"), seed=3, rooms=6, users=300, now=NOW)
    existing = tmp_path / "mine.db"
    existing.write_bytes(b"")
    assert not demo.place_cached_world(existing, seed=3, rooms=6, users=300)
    assert existing.read_bytes() == b""
    assert not demo.place_cached_world(tmp_path / "other.db", seed=3, rooms=7, users=300)  # none cached
    assert not (tmp_path / "other.db").exists()
    stale_wal = tmp_path / "w.db-wal"
    stale_wal.write_bytes(b"x")
    assert not demo.place_cached_world(tmp_path / "w.db", seed=3, rooms=6, users=300)

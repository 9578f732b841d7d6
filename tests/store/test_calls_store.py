"""CallStore: the watch list and participant history survive a reopen; batches are atomic; bad input is refused."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from camtui.store.calls import CallStore, CallUpdate, Sample

T0 = datetime(2026, 12, 3, 5, 0, tzinfo=UTC)


def _open(path) -> tuple[sqlite3.Connection, CallStore]:
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    return conn, CallStore(conn)


def test_watch_list_and_history_survive_reopen(tmp_path):
    conn, calls = _open(tmp_path / "s.db")
    assert calls.watch("sidAAAA1", title="週次定例", password="pw", origin="created", now=T0)
    assert calls.watch("sidBBBB2", now=T0 + timedelta(seconds=1))
    calls.record(
        [
            CallUpdate(
                "sidAAAA1",
                T0 + timedelta(seconds=5),
                True,
                title="週次定例",
                participants=3,
                in_progress=True,
                expires=T0 + timedelta(hours=1),
                sample=True,
            ),
            CallUpdate(
                "sidBBBB2", T0 + timedelta(seconds=5), False, error="unknown or invalid call ID (400)"
            ),
        ]
    )
    conn.close()

    conn, calls = _open(tmp_path / "s.db")
    listed = calls.list()
    assert [c.sid for c in listed] == ["sidAAAA1", "sidBBBB2"]
    a, b = listed
    assert (a.title, a.password, a.origin, a.participants, a.in_progress) == (
        "週次定例",
        "pw",
        "created",
        3,
        True,
    )
    assert a.expires == T0 + timedelta(hours=1)
    assert a.last_ok == T0 + timedelta(seconds=5)
    assert b.last_ok is None and b.last_error == "unknown or invalid call ID (400)"
    assert calls.history("sidAAAA1") == [Sample(T0 + timedelta(seconds=5), 3, True)]
    assert calls.history("sidBBBB2") == []
    conn.close()


def test_watch_again_fills_blanks_but_keeps_what_was_known():
    _conn, calls = _open(":memory:")
    assert calls.watch("sid12345", title="first", now=T0)
    assert not calls.watch("sid12345", title="", url="http://h/share/sid12345", password="x")
    got = calls.get("sid12345")
    assert got is not None
    assert (got.title, got.url, got.password) == ("first", "http://h/share/sid12345", "x")
    assert len(calls) == 1


def test_unwatch_forgets_history_and_late_samples_leave_no_orphans():
    _conn, calls = _open(":memory:")
    calls.watch("sid12345", now=T0)
    calls.add_samples("sid12345", [Sample(T0, 1, True)])
    assert calls.unwatch("sid12345")
    assert not calls.unwatch("sid12345")
    # a poll that was in flight when the call was removed
    calls.record([CallUpdate("sid12345", T0, True, participants=2, in_progress=True, sample=True)])
    assert calls.history("sid12345") == []
    assert calls.list() == []


def test_unwatch_all_forgets_several_calls_at_once():
    _conn, calls = _open(":memory:")
    for sid in ("sidAAAA1", "sidBBBB2", "sidCCCC3"):
        calls.watch(sid, now=T0)
        calls.add_samples(sid, [Sample(T0, 1, True)])
    assert calls.unwatch_all(["sidAAAA1", "sidCCCC3", "sidNOPE9"]) == 2
    assert [w.sid for w in calls.list()] == ["sidBBBB2"]
    assert calls.history("sidAAAA1") == [] and calls.history("sidCCCC3") == []
    assert len(calls.history("sidBBBB2")) == 1


def test_history_since_includes_the_point_in_force_and_prune_keeps_it():
    _conn, calls = _open(":memory:")
    calls.watch("s1xxxxxx", now=T0)
    calls.watch("s2xxxxxx", now=T0)
    pts = [Sample(T0 + timedelta(minutes=m), m, True) for m in (0, 10, 20, 30)]
    calls.add_samples("s1xxxxxx", pts)
    calls.add_samples("s2xxxxxx", [Sample(T0, 7, False)])
    since = T0 + timedelta(minutes=15)
    assert [s.participants for s in calls.history("s1xxxxxx", since)] == [10, 20, 30]
    all_since = calls.histories(since)
    assert [s.participants for s in all_since["s1xxxxxx"]] == [10, 20, 30]
    assert [s.participants for s in all_since["s2xxxxxx"]] == [7]
    assert calls.prune(since) == 1  # only the 0-minute point: the 10-minute one is still in force at `since`
    assert [s.participants for s in calls.history("s1xxxxxx")] == [10, 20, 30]


def test_a_failed_batch_writes_nothing():
    _conn, calls = _open(":memory:")
    calls.watch("s1xxxxxx", now=T0)
    naive = datetime(2026, 12, 3, 5, 0)
    with pytest.raises(ValueError):
        calls.record(
            [
                CallUpdate("s1xxxxxx", T0, True, participants=1, in_progress=True, sample=True),
                CallUpdate("s1xxxxxx", naive, True, participants=2, in_progress=True, sample=True),
            ]
        )
    assert calls.history("s1xxxxxx") == []
    assert calls.get("s1xxxxxx").last_ok is None  # type: ignore[union-attr]


def test_bad_input_is_refused():
    _conn, calls = _open(":memory:")
    with pytest.raises(ValueError):
        calls.watch("")
    with pytest.raises(ValueError):
        calls.watch("s1xxxxxx", origin="nonsense")
    with pytest.raises(ValueError):
        calls.watch("s1xxxxxx", expires=datetime(2026, 1, 1))  # naive


def test_works_inside_the_real_store(tmp_path):
    from camtui.store import Store

    store = Store.open(tmp_path / "real.db")
    try:
        assert isinstance(store.calls, CallStore)
        store.calls.watch("sid99999", now=T0)
        assert [c.sid for c in store.calls.list()] == ["sid99999"]
    finally:
        store.close()


def test_watch_many_is_one_batch_and_keeps_existing_entries():
    _conn, calls = _open(":memory:")
    calls.watch("keep0001", title="kept", origin="created", now=T0)
    added = calls.watch_many(
        [("keep0001", ""), ("new00001", "http://h/share/new00001"), ("new00002", "")], now=T0
    )
    assert added == 2
    assert calls.get("keep0001").origin == "created"  # type: ignore[union-attr]
    assert calls.get("new00001").url == "http://h/share/new00001"  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        calls.watch_many([("x0000001", "")], origin="bogus")


def test_a_failed_poll_can_record_where_the_count_became_unknown():
    _conn, calls = _open(":memory:")
    calls.watch("s1xxxxxx", now=T0)
    calls.record([CallUpdate("s1xxxxxx", T0, True, participants=4, in_progress=True, sample=True)])
    later = T0 + timedelta(seconds=30)
    calls.record([CallUpdate("s1xxxxxx", later, False, participants=-1, in_progress=False, sample=True)])
    assert [(s.participants, s.at) for s in calls.history("s1xxxxxx")] == [(4, T0), (-1, later)]
    got = calls.get("s1xxxxxx")
    assert got is not None and got.last_error is None and got.participants == 4  # the last known count stays


def test_prune_uses_the_index_and_keeps_each_calls_point_in_force(tmp_path):
    _conn, calls = _open(tmp_path / "p.db")
    for n in range(50):
        sid = f"sid{n:05d}"
        calls.watch(sid, now=T0)
        calls.add_samples(sid, [Sample(T0 + timedelta(minutes=m), m, True) for m in range(0, 60, 5)])
    removed = calls.prune(T0 + timedelta(minutes=31))
    assert removed == 50 * 6  # 0..25 go; 30 (in force at 31) stays
    assert calls.history("sid00007")[0].participants == 30


def test_watch_many_keeps_the_listed_order_after_a_restart():
    """The demo watches its sandbox's calls in the sandbox's order; read back (the next run), the order holds
    (they were stamped the same millisecond and came back sorted by ID)."""
    _conn, calls = _open(":memory:")
    sids = ["zz000001", "aa000002", "mm000003", "bb000004"]
    calls.watch_many([(sid, "") for sid in sids], now=T0)
    assert [c.sid for c in calls.list()] == sids

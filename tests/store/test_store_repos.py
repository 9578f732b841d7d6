"""The store's repositories: what the composer relies on to lose nothing and send nothing twice."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from camtui.api.models import User
from camtui.common.clock import fixed_clock
from camtui.store import BatchBusyError, ItemOutcome, OutboxStateError, SentInput, Store, draft_key

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "camtui.db"


def test_everything_survives_reopen_from_disk(db: Path) -> None:
    with Store.open(db, clock=fixed_clock(T0)) as store:
        store.drafts.save("messenger", "こんにちは\n二行目", "user1@xxx.com, ", seal=True)
        store.drafts.save("ルーム名", "room draft")
        entry = store.outbox.add("messenger", "queued", False, ["user2@xxx.com"])
        store.outbox.mark_failed(entry.id, "452 User is not registered", code="452")
        store.sent_log.add("test", "hello", False, ["user1@test.com"], "m42", source="cli")
        store.directory.replace(
            [User("u1", "User1@xxx.com", "山田 太郎", "Taro Yamada", "情報システム部", "部長", True)]
        )
        store.directory.note_used(["user1@xxx.com"])
        store.directory.note_room("ルーム名")
        store.ui_state.set("theme", {"name": "nord", "dark": True})
        store.batch_journal.begin("fp1", "/tmp/a.json", 3)
        store.batch_journal.record(
            "fp1", [ItemOutcome(0, "sent", "m1"), ItemOutcome(1, "failed", None, "452", "x")]
        )
        store.batch_journal.release("fp1")

    with Store.open(db) as store:
        draft = store.drafts.get("messenger")
        assert draft is not None
        assert (draft.text, draft.recipients, draft.seal, draft.updated_at) == (
            "こんにちは\n二行目",
            "user1@xxx.com, ",
            True,
            T0,
        )
        assert store.drafts.get("ルーム名").text == "room draft"  # type: ignore[union-attr]
        [kept] = store.outbox.list()
        assert (kept.state, kept.code, kept.users, kept.message) == (
            "failed",
            "452",
            ("user2@xxx.com",),
            "queued",
        )
        [record] = store.sent_log.list()
        assert (record.send, record.message_id, record.recipients, record.source) == (
            "test",
            "m42",
            ("user1@test.com",),
            "cli",
        )
        assert store.directory.get("user1@XXX.com").name == "山田 太郎"  # type: ignore[union-attr]
        assert store.directory.fetched_at() == T0
        assert store.directory.used_addresses() == ["user1@xxx.com"]
        assert store.directory.used_rooms() == ["ルーム名"]
        assert store.ui_state.get("theme") == {"name": "nord", "dark": True}
        outcomes = store.batch_journal.outcomes("fp1")
        assert outcomes[0].state == "sent" and outcomes[0].message_id == "m1"
        assert outcomes[1].code == "452"


def test_draft_per_destination_and_empty_draft_is_deleted() -> None:
    now = [T0]
    store = Store.open(":memory:", clock=lambda: now[0])
    store.drafts.save("messenger", "a")
    now[0] = T0 + timedelta(minutes=1)
    store.drafts.save(" test ", "b", "user1@test.com")
    assert draft_key(" test ") == "test"
    assert [d.key for d in store.drafts.list()] == ["test", "messenger"]
    assert store.drafts.latest().text == "b"  # type: ignore[union-attr]
    assert store.drafts.save("messenger", "", "  ") is None
    assert store.drafts.get("messenger") is None
    assert store.drafts.get("") is None  # blank destination is the messenger
    assert not store.drafts.delete("messenger")


def test_outbox_states_and_their_rules() -> None:
    store = Store.open(":memory:")
    e = store.outbox.add("messenger", "hi", True, ["a@xxx.com"])
    assert e.state == "pending" and e.attempts == 0 and e.seal
    sending = store.outbox.mark_sending(e.id)
    assert sending.state == "sending" and sending.attempts == 1 and sending.last_attempt_at is not None
    with pytest.raises(OutboxStateError):
        store.outbox.mark_sending(e.id)  # one request at a time
    with pytest.raises(OutboxStateError):
        store.outbox.edit(e.id, message="changed while in flight")
    with pytest.raises(OutboxStateError):
        store.outbox.discard(e.id)
    unknown = store.outbox.mark_unknown(e.id, "connection reset")
    assert unknown.state == "unknown"
    with pytest.raises(OutboxStateError, match="explicitly"):
        store.outbox.mark_sending(e.id)  # never resent without being told
    assert store.outbox.mark_sending(e.id, force=True).attempts == 2
    failed = store.outbox.mark_failed(e.id, "network down", retryable=True)
    assert failed.retryable and failed.code is None
    edited = store.outbox.edit(e.id, users=["b@xxx.com"], message="fixed")
    assert (edited.state, edited.reason, edited.users, edited.message, edited.seal) == (
        "pending",
        None,
        ("b@xxx.com",),
        "fixed",
        True,
    )
    assert store.outbox.counts() == {"pending": 1, "sending": 0, "failed": 0, "unknown": 0}
    assert store.outbox.discard(e.id)
    assert len(store.outbox) == 0
    with pytest.raises(KeyError):
        store.outbox.mark_sending(e.id)


def test_send_interrupted_by_a_dead_process_becomes_unknown(db: Path) -> None:
    with Store.open(db) as store:
        mine = store.outbox.add("messenger", "in flight here", False, ["a@xxx.com"])
        theirs = store.outbox.add("messenger", "in flight when it crashed", False, ["a@xxx.com"])
        store.outbox.mark_sending(mine.id)
        store.outbox.mark_sending(theirs.id)
        store.conn.execute("UPDATE outbox SET owner_pid=? WHERE id=?", (_dead_pid(), theirs.id))
    with Store.open(db) as store:
        assert [e.id for e in store.recovered] == [theirs.id]
        assert store.outbox.get(theirs.id).state == "unknown"  # type: ignore[union-attr]
        assert "may or may not" in (store.outbox.get(theirs.id).reason or "")  # type: ignore[union-attr]
        assert store.outbox.get(mine.id).state == "sending"  # type: ignore[union-attr]  # this process: still in flight


def test_directory_replace_is_atomic_and_tracks_staleness() -> None:
    now = [T0]
    store = Store.open(":memory:", clock=lambda: now[0])
    assert store.directory.fetched_at() is None and store.directory.is_stale(timedelta(hours=1))
    users = [
        User("1", "a@example.co.jp", "甲", "Ko", "営業部", "", False),
        User("2", "b@test.com", "乙", "Otsu", "開発部", "", False),
        User("3", "  ", "no address", "", "", "", False),
    ]
    assert store.directory.replace(users) == 2
    assert store.directory.domains() == {"example.co.jp", "test.com"}
    now[0] = T0 + timedelta(minutes=5)
    assert not store.directory.is_stale(timedelta(minutes=10))
    now[0] = T0 + timedelta(minutes=11)
    assert store.directory.is_stale(timedelta(minutes=10))
    with pytest.raises(AttributeError):
        store.directory.replace([users[0], object()])  # a bad export must not wipe the cache
    assert len(store.directory) == 2
    assert [u.email for u in store.directory.users()] == ["a@example.co.jp", "b@test.com"]


def test_used_addresses_most_recent_first_case_insensitive() -> None:
    now = [T0]
    store = Store.open(":memory:", clock=lambda: now[0])
    store.directory.note_used(["a@x.com", "b@x.com"])
    now[0] = T0 + timedelta(seconds=1)
    store.directory.note_used(["A@X.com", ""])
    assert store.directory.used_addresses() == ["A@X.com", "b@x.com"]
    store.directory.note_room("messenger")  # not a room
    assert store.directory.used_rooms() == []


def test_ui_state_rejects_what_json_cannot_hold() -> None:
    store = Store.open(":memory:")
    with pytest.raises(TypeError):
        store.ui_state.set("bad", object())
    assert store.ui_state.get("bad", "default") == "default"
    store.ui_state.set("n", 3)
    assert store.ui_state.items() == {"n": 3}
    assert store.ui_state.delete("n") and not store.ui_state.delete("n")


def test_sent_log_newest_first_and_by_destination() -> None:
    now = [T0]
    store = Store.open(":memory:", clock=lambda: now[0])
    store.sent_log.add("messenger", "1", False, ["a@x.com"], "m1")
    now[0] = T0 + timedelta(seconds=1)
    store.sent_log.add_many(
        [SentInput("test", "2", False, (), "m2"), SentInput("test", "3", False, (), "m3")]
    )
    assert [r.message_id for r in store.sent_log.list()] == ["m3", "m2", "m1"]
    assert [r.message for r in store.sent_log.list(send="messenger")] == ["1"]
    assert store.sent_log.find_by_message_id("m2").source == "batch"  # type: ignore[union-attr]
    assert len(store.sent_log) == 3


def test_batch_journal_crash_recovery_and_ownership(db: Path) -> None:
    with Store.open(db) as store:
        j = store.batch_journal
        j.begin("fp", "/x/batch.json", 4)
        j.mark_sending("fp", [(0, "h0"), (1, "h1")])
        store.conn.execute("UPDATE batch_runs SET owner_pid=?", (_dead_pid(),))
    with Store.open(db) as store:
        j = store.batch_journal
        j.begin("fp", "/x/batch.json", 4)  # the dead owner's in-flight items: may have landed
        assert {i: o.state for i, o in j.outcomes("fp").items()} == {0: "unknown", 1: "unknown"}
        assert j.outcomes("fp")[0].item_hash == "h0"
        # Another live process owns it: refuse to run the same file twice at once.
        store.conn.execute("UPDATE batch_runs SET owner_pid=?", (_live_pid(),))
        with pytest.raises(BatchBusyError):
            j.begin("fp", "/x/batch.json", 4)
        store.conn.execute("UPDATE batch_runs SET owner_pid=NULL")
        j.begin("fp", "/x/batch.json", 4)
        j.clear("fp", [0])
        assert set(j.outcomes("fp")) == {1}
        j.release("fp", finished=True)
        assert j.run("fp").finished_at is not None  # type: ignore[union-attr]
        assert j.forget("fp") and j.run("fp") is None and j.outcomes("fp") == {}


def _live_pid() -> int:
    import os

    return os.getppid()


def test_batch_journal_recognises_items_of_an_edited_unfinished_file(tmp_path: Path) -> None:
    store = Store.open(":memory:")
    j = store.batch_journal
    j.begin("v1", "/x/b.json", 3)
    j.record(
        "v1", [ItemOutcome(0, "sent", "m1", item_hash="h0"), ItemOutcome(1, "failed", None, "452", "x", "h1")]
    )
    j.record("v1", [ItemOutcome(2, "unknown", item_hash="h2")])
    found = j.delivered_elsewhere("/x/b.json", "v2")
    assert set(found) == {"h0", "h2"}
    assert j.delivered_elsewhere("/other.json", "v2") == {}
    # A version that went out completely is history, not something to resume.
    j.record(
        "v1", [ItemOutcome(1, "sent", "m2", item_hash="h1"), ItemOutcome(2, "sent", "m3", item_hash="h2")]
    )
    assert j.delivered_elsewhere("/x/b.json", "v2") == {}


def test_calls_repository_is_optional() -> None:
    store = Store.open(":memory:")
    try:
        import camtui.store.calls  # noqa: F401
    except ModuleNotFoundError:
        assert store.calls is None
    else:
        assert store.calls is not None


def test_a_file_that_is_not_a_database_gets_one_clear_error(tmp_path: Path) -> None:
    from camtui.store import StoreError

    bad = tmp_path / "notes.txt"
    bad.write_text("this is not sqlite\n" * 100)
    with pytest.raises(StoreError, match=r"notes\.txt"):
        Store.open(bad)


def test_store_file_is_private(tmp_path):
    """The store holds messages and the whole directory: 0600 file, 0700 folder, even on a shared machine."""
    import stat

    from camtui.store import Store

    folder = tmp_path / "data" / "camtui"
    with Store.open(folder / "camtui.db") as store:
        store.ui_state.set("theme", "nord")
    assert stat.S_IMODE((folder / "camtui.db").stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700

"""One file, one plan: what the store knows (rooms used before, configured rooms, domains, journal, measured rate)
goes into the engine the same way for the composer's batch dialog and for `camtui send-batch` (QA C6)."""

from __future__ import annotations

from camtui.api.models import ChatRoom, User
from camtui.compose.batch import RATE_KEY, known_rooms_for, parse_batch_text, plan_batch, plan_for_store
from camtui.compose.matcher import RecipientMatcher
from camtui.store import Store

PEOPLE = RecipientMatcher(
    [
        User("u1", "user1@test.com", "テスト 一郎", "Ichiro Test", "開発部", "", False),
        User("u2", "user2@test.com", "テスト 二郎", "Jiro Test", "開発部", "", False),
    ]
)

ROOMS = """messages=[
 {"send":"test","message":"used before"},
 {"send":"ルーム名","message":"configured"},
 {"send":"no-such-room","message":"a typo"},
]
"""


def room_warnings(plan: object) -> list[tuple[int | None, str | None]]:
    """Items warned about their chat room, with the code predicted (None: no prediction, camtui cannot tell)."""
    return [(p.index, p.code) for p in plan.problems if "chat room" in p.text]  # type: ignore[attr-defined]


def test_an_empty_store_still_checks_rooms(store: Store) -> None:
    """The bug: no room used and none configured gave `known_rooms=None`, which means "do not check"."""
    assert known_rooms_for(store) == set()
    plan = plan_for_store(parse_batch_text(ROOMS), store, users=PEOPLE)
    # Not used from here before is said as such: no 405 is predicted for a room that may well exist.
    assert room_warnings(plan) == [(0, None), (1, None), (2, None)]
    assert plan.ok  # rooms cannot be listed through the API: a warning, never a refusal
    assert (
        "warning: item 3: chat room 'no-such-room' was not used from here before: camtui cannot tell whether it "
        "exists" in "\n".join(plan.lines())
    )


def test_rooms_used_before_configured_and_recorded_by_the_admin_screen_are_known(store: Store) -> None:
    store.directory.note_room("test")
    store.chat_rooms.record(ChatRoom("room-1", "ルーム名", "u1", "u1", False, ("u1",)))
    assert known_rooms_for(store, ("開発部", "")) == {"test", "ルーム名", "開発部"}
    plan = plan_for_store(parse_batch_text(ROOMS), store, users=PEOPLE)
    assert room_warnings(plan) == [(2, None)]


def test_a_room_the_server_refused_is_predicted_405(store: Store) -> None:
    """The one case a 405 is known: the server answered it to a send there (a failed outbox entry)."""
    entry = store.outbox.add("no-such-room", "a typo")
    store.outbox.mark_sending(entry.id)
    store.outbox.mark_failed(entry.id, "no such room", code="405")
    plan = plan_for_store(parse_batch_text(ROOMS), store, users=PEOPLE, chat_rooms=("test", "ルーム名"))
    assert room_warnings(plan) == [(2, "405")]
    assert "answered 405 (no such room) to a send there before" in "\n".join(plan.lines())


def test_plan_for_store_is_plan_batch_with_the_store_inputs(store: Store) -> None:
    store.directory.note_room("test")
    store.ui_state.set(RATE_KEY, 2.0)
    bf = parse_batch_text(
        ROOMS.replace("]\n", ' {"message":"m","property":{"users":"user1@test.com,ghost@test.com"}},\n]\n')
    )
    by_hand = plan_batch(
        bf,
        users=PEOPLE,
        org_domains=store.directory.domains(),
        known_rooms={*store.directory.used_rooms(), "ルーム名"},
        rooms_authoritative=False,
        journal=store.batch_journal,
        chunk_size=2,
        items_per_second=store.ui_state.get(RATE_KEY),
    )
    planned = plan_for_store(bf, store, users=PEOPLE, chat_rooms=["ルーム名"], chunk_size=2)
    assert planned.problems == by_hand.problems
    assert planned.counts == by_hand.counts and planned.chunks == by_hand.chunks
    assert planned.estimate_seconds == by_hand.estimate_seconds > 1.5  # the measured 2 items/s is used


def test_headline_never_counts_refused_items_as_to_send(store: Store) -> None:
    bf = parse_batch_text(
        "messages=[\n"
        ' {"message":"ok","property":{"users":"user1@test.com"}},\n'
        ' {"message":"a","property":{"users":"ghost@test.com"}},\n'
        ' {"message":"b","send":"no-such-room"},\n'
        ' {"message":"c","property":{"users":"nobody@elsewhere.org"}},\n'
        ' {"message":"ok","property":{"users":"user1@test.com"}},\n'
        ' {"property":{"users":"user2@test.com"}},\n'
        "]\n",
        path="qa_messages_bad.json",
    )
    plan = plan_for_store(bf, store, users=PEOPLE)
    assert plan.refused == [1, 3, 4, 5]
    assert plan.lines()[0] == "6 items in qa_messages_bad.json: 2 to send, 4 refused (1 recipient)"
    clean = plan_for_store(parse_batch_text(ROOMS, path="rooms.json"), store, users=PEOPLE)
    assert clean.refused == []
    assert clean.lines()[0] == "3 items in rooms.json: 3 to send in 1 request (0 recipients), about 1 s"


def test_deeply_nested_batch_is_a_load_error_not_a_recursion_error() -> None:
    """Issue 18 item 2: `messages=[[[[…` (200,000 deep) used to raise RecursionError out of the parser."""
    import pytest

    from camtui.compose.batch import BatchLoadError

    with pytest.raises(BatchLoadError, match=r"nested deeper than 64 levels \(line 1, column 74\)"):
        parse_batch_text("messages=" + "[" * 200_000, path="deep.json")
    with pytest.raises(
        BatchLoadError, match=r"an integer of 5,000 digits \(at most 4,300\) \(line 1, column 23\)"
    ):
        parse_batch_text('messages=[{"message": ' + "9" * 5000 + "}]", path="big.json")
    # A message full of brackets is text, not nesting.
    bf = parse_batch_text('messages=[{"send":"test","message":"' + "[" * 5000 + '"},]')
    assert bf.items[0].message == "[" * 5000

"""The send verdict (`compose.send_plan`): every block and every warning, without a screen."""

from __future__ import annotations

import pytest

from camtui.api.models import User
from camtui.compose.matcher import RecipientMatcher
from camtui.compose.send_plan import destination_status, is_messenger, plan_send, send_list

PEOPLE = [
    User("u1", "taro.yamada@example.co.jp", "山田 太郎", "Taro Yamada", "営業部", "部長", False),
    User("u2", "jiro.yamada@example.co.jp", "山田 次郎", "Jiro Yamada", "経理部", "一般", False),
    User("u3", "hanako.sato@example.co.jp", "佐藤 花子", "Hanako Sato", "情報システム部", "一般", False),
]


@pytest.fixture(scope="module")
def matcher() -> RecipientMatcher:
    return RecipientMatcher(PEOPLE)


def test_a_plain_messenger_send_goes_ahead_without_asking(matcher: RecipientMatcher) -> None:
    entries = matcher.resolve("taro.yamada@example.co.jp, 佐藤 花子, TARO.YAMADA@example.co.jp")
    plan = plan_send(" Messenger ", "hello", True, entries)
    assert not plan.blocked and not plan.needs_confirmation
    assert plan.request.send == "messenger"
    assert plan.request.users == (
        "taro.yamada@example.co.jp",
        "hanako.sato@example.co.jp",
    )  # once, typed order
    assert plan.request.text == "hello" and plan.request.seal
    assert plan.where == "messenger" and plan.entries == tuple(entries)


@pytest.mark.parametrize("text", ["", "   ", "\n\t\n"])
def test_an_empty_text_blocks_with_a_warning(matcher: RecipientMatcher, text: str) -> None:
    plan = plan_send("messenger", text, False, matcher.resolve("taro.yamada@example.co.jp"))
    assert plan.blocked and not plan.needs_confirmation
    assert [b.code for b in plan.blocks] == ["empty"]
    assert plan.blocks[0].severity == "warning" and plan.blocks[0].focus == ""
    assert plan.blocks[0].message == "Nothing to send: the message is empty."


def test_ambiguous_or_not_found_recipients_block_and_send_the_user_to_the_field(
    matcher: RecipientMatcher,
) -> None:
    plan = plan_send("messenger", "hi", False, matcher.resolve("山田, zzz, taro.yamada@example.co.jp, 山田"))
    assert [b.code for b in plan.blocks] == ["unresolved"]
    block = plan.blocks[0]
    assert block.severity == "error" and block.focus == "recipients"
    assert block.message.startswith("Not sent: pick who you mean for 山田, zzz, 山田")
    assert plan.request.users == ("taro.yamada@example.co.jp",)


def test_messenger_without_recipients_blocks_but_a_room_does_not(matcher: RecipientMatcher) -> None:
    plan = plan_send("", "hi", False, [])
    assert [b.code for b in plan.blocks] == ["no_recipients"]
    assert plan.blocks[0].focus == "recipients"
    assert "needs at least one recipient" in plan.blocks[0].message
    room = plan_send("営業部 連絡", "hi", False, [], known_rooms={"営業部 連絡"})
    assert not room.blocked and not room.needs_confirmation
    assert room.request.send == "営業部 連絡" and room.request.users == ()


def test_blocks_come_in_the_order_the_user_meets_them(matcher: RecipientMatcher) -> None:
    plan = plan_send("messenger", "", False, matcher.resolve("zzz"))
    assert [b.code for b in plan.blocks] == ["empty", "unresolved"]  # the pane shows the first


def test_an_unknown_room_asks_first_and_names_the_405(matcher: RecipientMatcher) -> None:
    plan = plan_send("  新しい部屋 ", "hi", False, [], known_rooms={"other"})
    assert not plan.blocked and plan.needs_confirmation
    assert plan.unknown_room == "新しい部屋" and plan.request.send == "新しい部屋"
    assert plan.confirm_title == "Send to chat room 新しい部屋?"
    assert plan.confirm_body.startswith("• chat room '新しい部屋' is unknown")
    assert "(405)" in plan.confirm_body
    confirmed = plan_send("新しい部屋", "hi", False, [], confirmed_rooms={"新しい部屋"})
    assert not confirmed.needs_confirmation and confirmed.unknown_room == ""


def test_unknown_recipients_many_recipients_and_a_long_text_each_ask(matcher: RecipientMatcher) -> None:
    unknown = plan_send("messenger", "hi", False, matcher.resolve("nobody@example.co.jp, x@elsewhere.org"))
    assert unknown.needs_confirmation
    assert unknown.warnings == (
        "2 recipient(s) are not in the directory; the server will likely refuse: "
        "nobody@example.co.jp (451), x@elsewhere.org (452)",
    )
    many = ", ".join(f"p{i}@elsewhere.org" for i in range(6))
    plan = plan_send(
        "messenger",
        "x" * 11,
        False,
        RecipientMatcher([], authoritative=False).resolve(many),
        confirm_recipients=5,
        confirm_chars=10,
    )
    assert plan.warnings == ("6 recipients (more than 5)", "a long message: 11 characters (more than 10)")
    assert plan.confirm_title == "Send to messenger?"
    assert plan.confirm_body == "• 6 recipients (more than 5)\n• a long message: 11 characters (more than 10)"
    at_limit = plan_send(
        "messenger",
        "x" * 10,
        False,
        RecipientMatcher([], authoritative=False).resolve(", ".join(f"p{i}@elsewhere.org" for i in range(5))),
        confirm_recipients=5,
        confirm_chars=10,
    )
    assert not at_limit.needs_confirmation


def test_more_than_four_unknown_recipients_are_summarised(matcher: RecipientMatcher) -> None:
    entries = matcher.resolve(", ".join(f"n{i}@elsewhere.org" for i in range(6)))
    (warning,) = plan_send("messenger", "hi", False, entries).warnings
    assert warning.startswith("6 recipient(s)") and warning.endswith("n3@elsewhere.org (452) and 2 more")


def test_a_blocked_plan_never_asks_even_with_warnings(matcher: RecipientMatcher) -> None:
    plan = plan_send("nowhere", "", False, [], known_rooms=())
    assert plan.blocked and plan.warnings and not plan.needs_confirmation


def test_destination_helpers() -> None:
    assert is_messenger("") and is_messenger(" MESSENGER ") and not is_messenger("room")
    assert destination_status("messenger", (), ()) == "messenger"
    assert destination_status(" a ", ["a"], ()) == "known"
    assert destination_status("a", (), ["a"]) == "confirmed"
    assert destination_status("a", (), ()) == "unknown"
    assert send_list(RecipientMatcher(PEOPLE).resolve("山田, jiro.yamada@example.co.jp")) == [
        "jiro.yamada@example.co.jp"
    ]

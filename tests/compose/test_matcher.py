"""Recipient matching: Japanese, romaji, kana and typo input finds the right person; the field text is parsed
safely whatever is typed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from camtui.api.models import User
from camtui.compose.kana import to_romaji
from camtui.compose.matcher import (
    RecipientMatcher,
    iter_tokens,
    replace_token,
    split_recipients,
    token_at,
)
from camtui.sandbox.demo import make_users

PEOPLE = [
    User("u1", "taro.yamada@example.co.jp", "山田 太郎", "Taro Yamada", "営業部", "部長", False),
    User("u2", "jiro.yamada@example.co.jp", "山田 次郎", "Jiro Yamada", "開発部", "一般", False),
    User("u3", "hanako.sato@example.co.jp", "佐藤 花子", "Hanako Satō", "総務部", "課長", False),
    User("u4", "satoshi.abe@example.co.jp", "阿部 聡", "Satoshi Abe", "営業部 第一課", "主任", False),
    User("u5", "user1@xxx.com", "鈴木 一郎", "Ichiro Suzuki", "情報システム部", "一般", False),
    User("u6", "kyoko.takahashi@test.com", "高橋 京子", "Kyoko Takahashi", "開発部", "一般", False),
]


@pytest.fixture(scope="module")
def matcher() -> RecipientMatcher:
    return RecipientMatcher(PEOPLE)


@pytest.fixture(scope="module")
def big() -> tuple[RecipientMatcher, list[User]]:
    rows = make_users(5, 20_000)
    users = [User(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6])) for r in rows]
    return RecipientMatcher(users), users


def first(matcher: RecipientMatcher, query: str) -> str:
    found = matcher.match(query)
    assert found, f"nothing for {query!r}"
    return found[0].email


@pytest.mark.parametrize(
    ("query", "email"),
    [
        ("山田 太", "taro.yamada@example.co.jp"),  # kanji name, as typed with its space
        ("山田太郎", "taro.yamada@example.co.jp"),  # …or without
        ("太郎", "taro.yamada@example.co.jp"),  # given name alone
        ("次郎", "jiro.yamada@example.co.jp"),
        ("佐藤", "hanako.sato@example.co.jp"),
        ("hanako", "hanako.sato@example.co.jp"),  # romaji
        ("sato hanako", "hanako.sato@example.co.jp"),  # romaji, family name first
        ("Hanako Sato", "hanako.sato@example.co.jp"),  # the directory spells it Satō
        ("ｈａｎａｋｏ", "hanako.sato@example.co.jp"),  # full-width input
        ("はなこ", "hanako.sato@example.co.jp"),  # hiragana
        ("キョウコ", "kyoko.takahashi@test.com"),  # katakana with a long vowel (kyouko → kyoko)
        ("さとう", "hanako.sato@example.co.jp"),  # さとう → satou → sato: the surname, not Satoshi
        ("user1", "user1@xxx.com"),  # e-mail prefix
        ("情報シス", "user1@xxx.com"),  # department
        ("第一", "satoshi.abe@example.co.jp"),  # a word inside the department
        ("takahasi", "kyoko.takahashi@test.com"),  # one letter missing
        ("hnako", "hanako.sato@example.co.jp"),  # one letter missing at the start
        ("suzkui", "user1@xxx.com"),  # transposed letters
        ("営業 阿部", "satoshi.abe@example.co.jp"),  # words from two fields
    ],
)
def test_the_right_person_comes_first(matcher: RecipientMatcher, query: str, email: str) -> None:
    assert first(matcher, query) == email


def test_prefix_beats_word_beats_substring(matcher: RecipientMatcher) -> None:
    kinds = [(c.email, c.kind) for c in matcher.match("sato")]
    # "sato" starts Sato Hanako's romaji (whole word) and Satoshi's e-mail; it is only inside nobody else.
    assert kinds[0] == ("hanako.sato@example.co.jp", "prefix")
    assert ("satoshi.abe@example.co.jp", "prefix") in kinds
    assert [c.kind for c in matcher.match("amada")] == ["substring", "substring"]


def test_exact_address_is_exact_and_labels_say_who(matcher: RecipientMatcher) -> None:
    [c] = matcher.match("USER1@xxx.com")
    assert (c.kind, c.field, c.email) == ("exact", "email", "user1@xxx.com")
    assert c.label == "鈴木 一郎 <user1@xxx.com> · 情報システム部"


def test_no_match_and_blank_query(matcher: RecipientMatcher) -> None:
    assert matcher.match("zzzzqqq") == []
    assert matcher.match("   ") == []
    assert matcher.match("yamada", limit=0) == []


def test_list_is_capped_and_ordered_at_scale(big: tuple[RecipientMatcher, list[User]]) -> None:
    m, users = big
    assert len(m) == len({u.email.lower() for u in users})
    found = m.match("a", limit=7)
    assert len(found) == 7
    yamadas = m.match("yamada taro", limit=5)
    assert all(c.user.romaji == "Taro Yamada" for c in yamadas)
    assert yamadas[0].email.startswith("taro.yamada@")  # the un-numbered address first


def test_every_user_is_found_by_their_own_address_and_name(big: tuple[RecipientMatcher, list[User]]) -> None:
    m, users = big
    for u in users[:: len(users) // 200]:
        assert m.match(u.email)[0].user == u  # rebuilt from the packed columns: equal, not the same object
        emails = {c.email for c in m.match(u.name, limit=50)} | {c.email for c in m.match(u.romaji, limit=50)}
        assert u.email in emails or len(m.exact_people(u.name)) >= 50


def test_resolve_statuses(matcher: RecipientMatcher) -> None:
    text = "taro.yamada@example.co.jp, 山田 次郎、nobody@example.co.jp; x@elsewhere.org,山田, TARO.YAMADA@example.co.jp,  ,zzz"
    entries = matcher.resolve(text)
    assert [(e.token, e.status) for e in entries] == [
        ("taro.yamada@example.co.jp", "resolved"),
        ("山田 次郎", "resolved"),
        ("nobody@example.co.jp", "unknown"),
        ("x@elsewhere.org", "unknown"),
        ("山田", "ambiguous"),
        ("TARO.YAMADA@example.co.jp", "resolved"),
        ("zzz", "invalid"),
    ]
    assert entries[1].email == "jiro.yamada@example.co.jp"
    assert [e.predicted_code for e in entries[2:4]] == ["451", "452"]  # organisation domain or not
    assert {u.email for u in entries[4].candidates} == {
        "taro.yamada@example.co.jp",
        "jiro.yamada@example.co.jp",
    }
    assert entries[5].duplicate and not entries[0].duplicate
    for e in entries:
        assert text[e.start : e.end] == e.token


def test_without_a_directory_addresses_are_unchecked_not_unknown() -> None:
    m = RecipientMatcher([], extra_emails=["used@before.com"], authoritative=False)
    entries = m.resolve("used@before.com, new@somewhere.com")
    assert [e.status for e in entries] == ["resolved", "unchecked"]
    assert m.match("used")[0].email == "used@before.com"


def test_kana_romanisation() -> None:
    assert to_romaji("やまだ たろう") == "yamada tarou"
    assert to_romaji("きょうこ") == "kyouko"
    assert to_romaji("まっちゃ") == "matcha"
    assert to_romaji("シュンスケ") == "shunsuke"


def test_autocomplete_token_replacement() -> None:
    text = "user1@xxx.com, yam"
    start, end, token = token_at(text, len(text))
    assert (start, end, token) == (14, 18, "yam")
    new, cursor = replace_token(text, len(text), "taro.yamada@example.co.jp")
    assert new == "user1@xxx.com, taro.yamada@example.co.jp, "
    assert cursor == len(new)
    # In the middle of the field: the entry under the cursor is replaced, the rest kept.
    new, cursor = replace_token("yam, user1@xxx.com", 2, "taro.yamada@example.co.jp")
    assert new == "taro.yamada@example.co.jp, user1@xxx.com"
    assert new[:cursor] == "taro.yamada@example.co.jp, "


# -- the field parser under any input -------------------------------------------------------------------------
field_text = st.text(alphabet=st.sampled_from([*"ab@.x ,、，;；\n山田", "\t"]), max_size=40)
emails = st.from_regex(r"[a-z][a-z0-9._]{0,8}@[a-z]{1,8}\.(com|co\.jp)", fullmatch=True)


@given(st.lists(emails, max_size=8), st.sampled_from([",", ", ", "、", " ; ", "\n", "，"]))
def test_joined_addresses_split_back(addresses: list[str], sep: str) -> None:
    assert split_recipients(sep.join(addresses)) == addresses


@given(field_text)
def test_tokens_are_stripped_non_empty_and_point_into_the_text(text: str) -> None:
    for start, end, token in iter_tokens(text):
        assert token and token == token.strip()
        assert text[start:end] == token
        assert not any(sep in token for sep in ",、，;；\n")


@given(field_text, st.integers(min_value=0, max_value=60), emails)
def test_replace_token_puts_the_address_where_the_cursor_was(text: str, cursor: int, email: str) -> None:
    new, pos = replace_token(text, cursor, email)
    assert 0 <= pos <= len(new)
    assert new[:pos].rstrip().endswith(email + ",")
    before = split_recipients(text)
    after = split_recipients(new)
    assert email in after
    assert len(after) in (len(before), len(before) + 1)  # the entry was replaced, or filled an empty slot


@given(st.text(max_size=30))
def test_match_and_resolve_never_raise(text: str) -> None:
    m = RecipientMatcher(PEOPLE)
    assert len(m.match(text)) <= 10
    for entry in m.resolve(text):
        assert entry.status in ("resolved", "unknown", "unchecked", "ambiguous", "invalid")

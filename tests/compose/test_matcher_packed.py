"""The matcher built streaming from the store equals the one built from User objects; the packed containers."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from camtui.api.models import User
from camtui.compose.matcher import RecipientMatcher, sort_key
from camtui.compose.packed import PackedStrings, Pooled, Postings
from camtui.sandbox.demo import make_users
from camtui.store import Store

CONTACTS = ["Outside.Partner@vendor.example", "user1@xxx.com", "  zz.last@example.co.jp "]


@pytest.fixture(scope="module")
def people() -> list[User]:
    return [User(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6])) for r in make_users(7, 5000)]


def _queries(users: list[User]) -> list[str]:
    rng = random.Random(5)
    out = ["yamada", "やまだ", "営業", "taro yam", "営業 山田", "takahasi", "example.co.jp", "vendor", "zz"]
    for u in rng.sample(users, 60):
        out += [u.email[:6], u.name[:2], u.romaji.split()[-1][:4], u.department[:3], u.email]
    return out


def test_streamed_from_the_store_answers_exactly_as_built_from_users(
    people: list[User], tmp_path: Path
) -> None:
    store = Store.open(tmp_path / "s.db")
    assert store.directory.replace(people) == len(people)
    rows = list(store.directory.rows())
    assert len(rows) == len(people) > 2000  # more than one page of the store's query
    assert [sort_key(r[1].lower()) for r in rows] == sorted(sort_key(u.email.lower()) for u in people)

    from_users = RecipientMatcher(people, extra_emails=CONTACTS)
    streamed = RecipientMatcher.from_sorted_rows(store.directory.rows(), extra_emails=CONTACTS)
    assert len(streamed) == len(from_users) == len(people) + 2  # user1@xxx.com is in the directory already
    assert streamed.domains == from_users.domains
    for query in _queries(people):
        assert streamed.match(query) == from_users.match(query), query
    assert streamed.get("OUTSIDE.partner@vendor.example") == from_users.get("outside.partner@vendor.example")
    assert streamed.get("user1@xxx.com").name == "山田 太郎"  # the directory's row, not the bare contact
    text = "user1@xxx.com, 山田 太郎, nobody@example.co.jp, nobody@else.example"
    assert streamed.resolve(text) == from_users.resolve(text)
    store.close()


def test_rows_out_of_order_are_refused() -> None:
    rows = [("b", "b@x.example", "", "", "", "", False), ("a", "a@x.example", "", "", "", "", False)]
    with pytest.raises(ValueError, match="order"):
        RecipientMatcher.from_sorted_rows(rows)


def test_packed_containers_behave_as_lists() -> None:
    words = ["", "a", "山田", "taro.yamada@example.co.jp", "😀x"]
    packed = PackedStrings(words)
    assert list(packed) == words and len(packed) == 5 and packed[-1] == "😀x" and packed[1:3] == ["a", "山田"]
    with pytest.raises(IndexError):
        packed[5]
    runs = Postings([[1, 2], [], [7]])
    assert [list(r) for r in runs] == [[1, 2], [], [7]] and list(runs[-1]) == [7]
    pooled = Pooled(["営業部", "総務部", "営業部"])
    assert list(pooled) == ["営業部", "総務部", "営業部"] and pooled.code(0) == pooled.code(2) != pooled.code(
        1
    )

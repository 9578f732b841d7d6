"""The recipient index written to a file and memory-mapped answers exactly as the one in memory; the store's
directory is written and indexed by a child process, a stale file is rebuilt, an unchanged export builds nothing."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from camtui.api import MalformedResponse
from camtui.api.models import User
from camtui.api.wire import users_to_csv
from camtui.compose.index_build import cached_matcher, index_path, matcher_from_export
from camtui.compose.index_file import MappedStrings, open_index, read_stamp, release_pages, write_index
from camtui.compose.matcher import RecipientMatcher
from camtui.sandbox.demo import make_users
from camtui.store import Store

CONTACTS = ["Outside.Partner@vendor.example", "user1@xxx.com"]


@pytest.fixture(scope="module")
def people() -> list[User]:
    users = [User(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6])) for r in make_users(9, 4000)]
    odd = User("u-odd", "emoji.😀@example.co.jp", "😀 絵文字", "Emoji Moji", "ｶﾀｶﾅ部/R&D", "", True)
    return [*users, odd]


def _queries(users: list[User]) -> list[str]:
    rng = random.Random(8)
    out = [
        "yamada",
        "やまだ",
        "営業",
        "taro yam",
        "営業 山田",
        "takahasi",
        "amada",
        "vendor",
        "😀",
        "r&d",
        "zzqq",
    ]
    for u in rng.sample(users, 80):
        out += [u.email[:7], u.name[:2], u.name, u.romaji.split()[-1][:4], u.department[:3], u.email]
        out.append(u.romaji.lower()[:3] + "q" + u.romaji.lower()[4:])  # a typo: only the typo tier answers
    return out


def test_mapped_index_answers_exactly_as_in_memory(people: list[User], tmp_path: Path) -> None:
    memory = RecipientMatcher(people, extra_emails=CONTACTS)
    write_index(memory, tmp_path / "idx", {"any": "stamp"})
    assert (tmp_path / "idx").stat().st_mode & 0o777 == 0o600  # the directory: private, like the store
    mapped = open_index(tmp_path / "idx")
    assert mapped is not None and isinstance(mapped._emails, MappedStrings)
    assert read_stamp(tmp_path / "idx") == {"any": "stamp"}
    assert len(mapped) == len(memory) and mapped.domains == memory.domains
    for query in _queries(people):
        assert mapped.match(query) == memory.match(query), query
    text = "user1@xxx.com, 山田 太郎, nobody@example.co.jp, 😀 絵文字, nobody@else.example"
    assert mapped.resolve(text) == memory.resolve(text)
    assert mapped.get("EMOJI.😀@example.co.jp") == people[-1]
    # Handing back the touched pages loses nothing: they are read again from the file.
    assert release_pages(mapped) and not release_pages(memory)
    for query in _queries(people)[:40]:
        assert mapped.match(query) == memory.match(query), query


def test_not_an_index_is_refused(tmp_path: Path) -> None:
    (tmp_path / "junk").write_bytes(b"not an index at all")
    assert open_index(tmp_path / "junk") is None and read_stamp(tmp_path / "missing") is None


def test_export_stored_and_indexed_by_the_child_then_reused(people: list[User], tmp_path: Path) -> None:
    store = Store.open(tmp_path / "c.db")
    raw = ("\ufeff" + users_to_csv(people)).encode("utf-8")
    handed = [raw]
    fresh = matcher_from_export(store, handed, CONTACTS)
    assert (
        handed == []
    )  # the caller's reference is gone: the app does not hold the export while the child works
    assert len(store.directory) == len(people)  # the child wrote the store
    assert isinstance(fresh._emails, MappedStrings)
    expected = RecipientMatcher(people, extra_emails=CONTACTS)
    for query in _queries(people)[:60]:
        assert fresh.match(query) == expected.match(query), query
    path = index_path(store)
    assert path is not None and path.exists()
    built = path.stat().st_mtime_ns
    version = store.directory.version()

    # A restart: the file matches the store, so it is mapped as it is.
    again = cached_matcher(store, CONTACTS)
    assert again is not None and again.match("yamada") == fresh.match("yamada")
    assert path.stat().st_mtime_ns == built

    # The same export again: nothing is rewritten, only the export's time moves.
    store.directory.mark_fetched(store.clock().replace(year=2000))
    same = matcher_from_export(store, [raw], CONTACTS)
    assert same.match("yamada") == fresh.match("yamada")
    assert path.stat().st_mtime_ns == built and store.directory.version() == version
    assert store.directory.fetched_at().year > 2000

    # Other extra addresses, or a directory replaced elsewhere (the admin screen): built again.
    more = cached_matcher(store, [*CONTACTS, "new.one@vendor.example"])
    assert more is not None and [c.email for c in more.match("new.one")] == ["new.one@vendor.example"]
    store.directory.replace(people[:10])
    fewer = cached_matcher(store, CONTACTS)
    assert fewer is not None and len(fewer) == len(RecipientMatcher(people[:10], extra_emails=CONTACTS)) < 13
    store.close()


def test_unreadable_export_keeps_the_cached_directory(people: list[User], tmp_path: Path) -> None:
    store = Store.open(tmp_path / "c.db")
    store.directory.replace(people[:50])
    with pytest.raises(MalformedResponse, match="no 'email' column"):
        matcher_from_export(store, [b"name,uid\r\nx,y\r\n"], [])
    assert len(store.directory) == 50
    store.close()


def test_in_memory_store_builds_in_process(people: list[User]) -> None:
    store = Store.open(":memory:")
    assert index_path(store) is None and cached_matcher(store, []) is None
    matcher = matcher_from_export(store, [users_to_csv(people[:30]).encode("utf-8")], [])
    assert len(matcher) == 30 and len(store.directory) == 30
    assert cached_matcher(store, []) is not None
    store.close()

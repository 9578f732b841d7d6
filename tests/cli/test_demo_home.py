"""The demo's own folder: kept between runs, --fresh, a rebuilt sandbox, a second demo at the same time."""

from __future__ import annotations

from pathlib import Path

from camtui.cli.demo_home import open_demo_home
from camtui.store import Store

SIZE = {"seed": 1, "rooms": 6, "users": 50}


def _watch(path: Path, sid: str) -> None:
    with Store.open(path) as store:
        store.calls.watch(sid, title="t")
        store.drafts.save("経理部", "請求書の件")


def test_the_folder_is_kept_and_continued(tmp_path: Path) -> None:
    home = open_demo_home(**SIZE, folder=tmp_path)
    assert home.persistent and not home.continued and not home.notices
    assert home.store_path == tmp_path / "demo.sqlite3" and home.sandbox_path == tmp_path / "sandbox.sqlite3"
    _watch(home.store_path, "a" * 44)
    home.sandbox_path.write_bytes(b"")  # the sandbox's file, as the server leaves it
    home.close()
    again = open_demo_home(**SIZE, folder=tmp_path)
    assert again.continued and not again.rebuilt and not again.notices
    with Store.open(again.store_path) as store:
        assert [c.sid for c in store.calls.list()] == ["a" * 44]
    again.close()


def test_fresh_forgets_store_and_sandbox(tmp_path: Path) -> None:
    home = open_demo_home(**SIZE, folder=tmp_path)
    _watch(home.store_path, "a" * 44)
    home.sandbox_path.write_bytes(b"x")
    home.close()
    fresh = open_demo_home(**SIZE, fresh=True, folder=tmp_path)
    assert not fresh.continued and not fresh.store_path.exists() and not fresh.sandbox_path.exists()
    fresh.close()


def test_a_rebuilt_sandbox_drops_the_old_watched_calls_and_says_so(tmp_path: Path) -> None:
    home = open_demo_home(**SIZE, folder=tmp_path)
    _watch(home.store_path, "a" * 44)
    home.sandbox_path.write_bytes(b"")
    home.close()
    other = open_demo_home(seed=2, rooms=6, users=50, folder=tmp_path)
    assert other.rebuilt
    assert other.notices and "1 watched call(s)" in other.notices[0] and "Drafts" in other.notices[0]
    with Store.open(other.store_path) as store:
        assert store.calls.list() == []
        assert store.drafts.get("経理部") is not None  # what the user typed stays
    other.close()


def test_a_second_demo_at_the_same_time_gets_a_temporary_folder_and_is_told(tmp_path: Path) -> None:
    first = open_demo_home(**SIZE, folder=tmp_path)
    second = open_demo_home(**SIZE, folder=tmp_path)
    try:
        assert not second.persistent and second.folder != tmp_path
        assert "another camtui demo" in second.notices[0] and "thrown away" in second.notices[0]
    finally:
        second.close()
        first.close()
    assert not second.folder.exists()
    third = open_demo_home(**SIZE, folder=tmp_path)  # released on close
    assert third.persistent
    third.close()

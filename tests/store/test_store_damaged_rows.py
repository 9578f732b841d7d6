"""Rows of the store's own JSON that camtui did not write (a crash, a disk error, a hand edit): each reads as its
default — never a `JSONDecodeError`, `RecursionError` or int-conversion `ValueError` out of the repository."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from camtui.compose.batch.plan import RATE_KEY, measured_rate
from camtui.store import Store, StoreError
from camtui.store.db import json_value, string_list

DAMAGED = ["", "{", "[" * 200_000, "9" * 100_000, "NaN", "not json", "\x00"]


@pytest.mark.parametrize("text", DAMAGED, ids=["empty", "open", "deep", "long-int", "nan", "words", "nul"])
def test_a_damaged_json_column_reads_as_the_default(text: str) -> None:
    assert json_value(text, "default") == "default"
    assert string_list(text) == ()


def test_only_strings_of_a_list_are_kept() -> None:
    assert string_list('["a@x.jp", 5, null, "b@x.jp"]') == ("a@x.jp", "b@x.jp")
    assert string_list('{"a": 1}') == ()
    assert json_value(None, 1) == 1 and json_value(b'["x"]') == ["x"]


def test_ui_state_damaged_or_of_the_wrong_kind(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with Store.open(path) as store:
        store.ui_state.set("theme", "nord")
        store.ui_state.set(RATE_KEY, 250.0)
        assert measured_rate(store) == 250.0
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE ui_state SET value = ? WHERE key = 'theme'", ("[" * 200_000,))
        conn.execute("UPDATE ui_state SET value = '\"fast\"' WHERE key = ?", (RATE_KEY,))
        conn.execute("INSERT INTO ui_state VALUES ('other', '[1, 2]')")
    conn.close()
    with Store.open(path) as store:
        assert store.ui_state.get("theme", "fallback") == "fallback"
        assert store.ui_state.get("other", kind=str) is None and store.ui_state.get("other") == [1, 2]
        assert store.ui_state.items() == {RATE_KEY: "fast", "other": [1, 2]}
        assert measured_rate(store) is None  # before: TypeError in the plan's estimate
        for bad in (-3, 0, float("nan"), True):
            store.ui_state.set(RATE_KEY, bad)
            assert measured_rate(store) is None


def test_a_nul_in_the_store_path_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="cannot open the local database: embedded null byte"):
        Store.open("bad\x00name.db")


def test_another_programs_sqlite_file_is_a_store_error(tmp_path: Path) -> None:
    """Before: it opened, and the first read failed with `sqlite3.OperationalError: no such column` (a traceback
    in `send-batch`, or in the dashboard's first poll)."""
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE ui_state (key TEXT)")  # same table name, another program's columns
    conn.commit()
    conn.close()
    with pytest.raises(
        StoreError, match=r"other\.db: not a usable camtui database \(its table ui_state has no column"
    ):
        Store.open(path)
    with Store.open(tmp_path / "fresh.db") as store:  # a store camtui made passes the same check on reopening
        store.ui_state.set("k", 1)
    with Store.open(tmp_path / "fresh.db") as store:
        assert store.ui_state.get("k") == 1

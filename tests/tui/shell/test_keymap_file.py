"""keymap.toml as the user may leave it: every unreadable file is one problem line naming the file (and its
line), the declared keys stay, and nothing raises (before: ValueError, RecursionError, UnicodeDecodeError)."""

from __future__ import annotations

from pathlib import Path

import pytest

from camtui.tui.shell.keys import load_keymap

CASES = [
    ("long-int", ("copy-share = " + "9" * 100_000).encode(), ":1: invalid TOML: a number too long to read"),
    (
        "deep",
        ("copy-share = " + "[" * 200_000).encode(),
        ":1: invalid TOML: arrays or tables nested too deeply",
    ),
    ("shift-jis", "# キー\ncopy-share = 'c'\n".encode("cp932"), ":1: not UTF-8 text"),
    ("nul", b'copy-share = "c"\x00\n', ":1: invalid TOML"),
    ("bad-toml", b'copy-share = "c"\ncopy-login = \n', ":2: invalid TOML: Invalid value"),
]


@pytest.mark.parametrize(("name", "data", "words"), CASES, ids=[c[0] for c in CASES])
def test_an_unreadable_keymap_is_one_problem_and_no_change(
    tmp_path: Path, name: str, data: bytes, words: str
):
    path = tmp_path / "keymap.toml"
    path.write_bytes(data)
    keymap, problems = load_keymap(path)
    assert keymap == {}
    assert len(problems) == 1 and problems[0].startswith(f"{path}{words}"), problems
    assert problems[0].endswith("the declared keys stay")


def test_a_directory_and_a_bom(tmp_path: Path) -> None:
    folder = tmp_path / "keymap.toml"
    folder.mkdir()
    assert load_keymap(folder) == ({}, [f"{folder}: cannot read: Is a directory"])
    path = tmp_path / "k.toml"
    path.write_bytes(b'\xef\xbb\xbfcopy-share = "ctrl+k"\n')
    assert load_keymap(path) == ({"copy-share": "ctrl+k"}, [])

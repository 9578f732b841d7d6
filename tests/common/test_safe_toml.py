"""The TOML reader for the user's files: every failure `tomllib` can raise on hostile text is one
`TOMLUnreadable` with a line, and a UTF-8 byte-order mark is read, not refused."""

from __future__ import annotations

import tomllib

import pytest

from camtui.common import safe_toml


def test_what_tomllib_raises_bare_is_one_typed_error_with_the_line() -> None:
    deep = "title = 'x'\na = " + "[" * 200_000
    with pytest.raises(RecursionError):
        tomllib.loads(deep)
    with pytest.raises(safe_toml.TOMLUnreadable) as caught:
        safe_toml.loads(deep)
    assert (caught.value.line, caught.value.problem) == (2, "arrays or tables nested too deeply")

    long_int = "[server]\ntimeout_seconds = " + "9" * 100_000
    with pytest.raises(ValueError) as bare:
        tomllib.loads(long_int)
    assert not isinstance(bare.value, tomllib.TOMLDecodeError)
    with pytest.raises(safe_toml.TOMLUnreadable) as caught:
        safe_toml.loads(long_int)
    assert caught.value.line == 2 and caught.value.problem.startswith("a number too long to read")


def test_decode_errors_keep_their_line_without_the_position_text() -> None:
    with pytest.raises(safe_toml.TOMLUnreadable) as caught:
        safe_toml.loads("a = 1\nb = = 2\n")
    assert caught.value.line == 2 and "(at line" not in caught.value.problem
    assert str(caught.value) == f"line 2: {caught.value.problem}"
    with pytest.raises(safe_toml.TOMLUnreadable) as caught:
        safe_toml.loads('a = "open')
    assert caught.value.line == 1


def test_a_bom_is_dropped_and_nan_is_left_to_the_schema() -> None:
    with pytest.raises(tomllib.TOMLDecodeError):
        tomllib.loads("\ufeff[server]\n")
    assert safe_toml.loads("\ufeff[server]\ntimeout_seconds = 5\n") == {"server": {"timeout_seconds": 5}}
    value = safe_toml.loads("x = nan")["x"]
    assert value != value  # TOML has nan: the settings' ranges refuse it, with the key

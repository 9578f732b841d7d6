"""The depth-limited loader: hostile nesting and unreadable numbers are `json.JSONDecodeError`s with a position,
never `RecursionError`; ordinary documents parse exactly as `json.loads` parses them."""

from __future__ import annotations

import json

import pytest

from camtui.common import safe_json


def test_two_hundred_thousand_brackets_are_a_decode_error_at_the_limit() -> None:
    text = "[" * 200_000 + "]" * 200_000
    with pytest.raises(RecursionError):
        json.loads(text)  # what every caller got before
    with pytest.raises(json.JSONDecodeError) as caught:
        safe_json.loads(text)
    assert isinstance(caught.value, safe_json.JSONTooDeep)
    assert caught.value.pos == safe_json.MAX_DEPTH and "deeper than 64 levels" in caught.value.msg


def test_brackets_inside_strings_do_not_count() -> None:
    text = json.dumps({"message": "[" * 10_000 + '\\" {{{{', "n": [[[1]]]})
    assert safe_json.loads(text) == json.loads(text)


def test_the_limit_is_inclusive_and_objects_count() -> None:
    at_limit = '{"a":' * 63 + "[]" + "}" * 63
    assert safe_json.loads(at_limit) == json.loads(at_limit)
    with pytest.raises(safe_json.JSONTooDeep):
        safe_json.loads('{"a":' * 64 + "[]" + "}" * 64)


def test_an_integer_python_refuses_to_convert_is_a_decode_error() -> None:
    with pytest.raises(ValueError, match="4300 digits"):
        json.loads("[" + "7" * 5000 + "]")  # what every caller got before: a bare ValueError
    with pytest.raises(safe_json.JSONUnreadable, match="5,000 digits") as caught:
        safe_json.loads("[" + "7" * 5000 + "]")
    assert caught.value.pos == 1  # where the number starts


def test_a_custom_parser_keeps_its_own_errors() -> None:
    with pytest.raises(json.JSONDecodeError):
        safe_json.loads("[1,", parse=json.loads)
    assert safe_json.loads("[1, 2]", parse=lambda t: json.loads(t)[::-1]) == [2, 1]

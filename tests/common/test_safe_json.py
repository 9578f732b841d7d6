"""The depth-limited loader: hostile nesting and unreadable numbers are `json.JSONDecodeError`s with a position,
never `RecursionError`; ordinary documents parse exactly as `json.loads` parses them."""

from __future__ import annotations

import contextlib
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


@pytest.mark.parametrize(
    ("text", "words", "pos"),
    [
        ('{"id": NaN}', "NaN is not a JSON number", 7),
        ("[1, -Infinity]", "-Infinity is not a JSON number", 4),
        ("[Infinity]", "Infinity is not a JSON number", 1),
        ("[1e999999]", "the number 1e999999 is too large", 1),
        ("[-1E+400]", "the number -1E+400 is too large", 1),
        ("[" + "1" * 400 + ".5]", "is too large", 1),
        ("[0, " + "9" * 100_000 + "]", "an integer of 100,000 digits (at most 4,300)", 4),
    ],
    ids=["nan", "minus-infinity", "infinity", "1e999999", "1E+400", "400-digit-float", "100000-digit-int"],
)
def test_numbers_json_does_not_have_are_refused_where_they_stand(text: str, words: str, pos: int) -> None:
    with contextlib.suppress(ValueError):  # Python takes these (the long integer: fails, with no position)
        json.loads(text)
    with pytest.raises(safe_json.JSONUnreadable) as caught:
        safe_json.loads(text)
    assert words in caught.value.msg and caught.value.pos == pos


@pytest.mark.parametrize("text", ["[1e308, 1e-999999, -0.0, 12.5e3]", '["NaN", "Infinity", "1e999999"]'])
def test_finite_numbers_and_the_words_inside_strings_are_fine(text: str) -> None:
    assert safe_json.loads(text) == json.loads(text)
    long_but_convertible = "[" + "7" * 4300 + "]"
    assert safe_json.loads(long_but_convertible) == json.loads(long_but_convertible)


def test_finite_false_keeps_pythons_constants() -> None:
    value = safe_json.loads("[NaN]", finite=False)
    assert value[0] != value[0]


def test_a_control_character_in_a_string_is_named() -> None:
    with pytest.raises(json.JSONDecodeError) as caught:
        safe_json.loads('{"name": "a\x00b"}')
    assert caught.value.msg == "control character U+0000 inside a string (write it as \\u0000)"
    assert caught.value.pos == 11


def test_a_lone_surrogate_in_a_file_is_refused_where_it_stands() -> None:
    text = '[{"message": "ok \\ud83d\\ude00"}, {"message": "x\\ud800"}]'
    with pytest.raises(safe_json.JSONUnreadable) as caught:
        safe_json.loads(text)
    assert caught.value.msg == "\\ud800 is half of a UTF-16 pair, not a character"
    assert caught.value.pos == text.index("\\ud800")
    assert safe_json.loads('["\\ud83d\\ude00"]') == ["\U0001f600"]  # a whole pair is one character


def test_replace_surrogates_walks_deep_values_without_recursion() -> None:
    value = json.loads('{"\\udc00k": ["x\\ud800", {"y": "\\udfff"}]}')
    assert safe_json.holds_surrogate(value)
    assert safe_json.replace_surrogates(value) == {"\ufffdk": ["x\ufffd", {"y": "\ufffd"}]}
    assert not safe_json.holds_surrogate(value)
    deep: list = ["\ud800"]
    for _ in range(5000):  # deeper than the interpreter's recursion limit
        deep = [deep]
    safe_json.replace_surrogates(deep)
    inner = deep
    while isinstance(inner[0], list):
        inner = inner[0]
    assert inner == ["\ufffd"]

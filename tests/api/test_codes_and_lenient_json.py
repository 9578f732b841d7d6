"""The shared error table and the lenient JSON reader used for the spec's sample files."""

import json

from hypothesis import given
from hypothesis import strategies as st

from camtui.api import codes
from camtui.api.lenient_json import loads, split_field_prefix, strip_trailing_commas

SPEC_CODES = ["400", "405", "406", "451", "452", "490", "491", "500", "503", "800", "802", "805"]


def test_every_spec_code_has_meaning_and_message():
    for code in SPEC_CODES:
        row = codes.lookup(code)
        assert row.code == code
        assert row.meaning and row.message


def test_spec_messages_are_verbatim():
    assert codes.lookup("805").message == "APIトークンが正しくありません。"
    assert codes.lookup(800).message == "この機能は管理者しか利用できません。"


def test_unknown_code_does_not_raise():
    assert codes.lookup("999").meaning == "Unknown error code 999"


def test_error_body_is_the_spec_envelope():
    assert codes.error_body("805") == {
        "status": 520,
        "errors": [{"code": "805", "message": "APIトークンが正しくありません。"}],
    }


def test_spec_sample_file_parses():
    sample = (
        'messages=[\n {"message":"こんにちは 1","property":{"users":"user1@test.com,user2@test.com"}},\n'
        ' {"message":"こんにちは 2","property":{"users":"user1@test.com,user2@test.com"}},\n]\n'
    )
    items = loads(split_field_prefix(sample, "messages"))
    assert [i["message"] for i in items] == ["こんにちは 1", "こんにちは 2"]


def test_commas_inside_strings_are_kept():
    assert loads('{"a": "x,]", "b": [1, 2,],}') == {"a": "x,]", "b": [1, 2]}
    assert loads('["a\\\\", ]') == ["a\\"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@given(json_values)
def test_strip_is_identity_on_valid_json(value):
    text = json.dumps(value, ensure_ascii=False)
    assert json.loads(strip_trailing_commas(text)) == value


def dumps_with_trailing_commas(value) -> str:
    """Serialise like a person editing by hand: a comma after the last item of every non-empty container."""
    if isinstance(value, list):
        return "[" + "".join(dumps_with_trailing_commas(v) + ", " for v in value) + "]"
    if isinstance(value, dict):
        parts = (
            json.dumps(k, ensure_ascii=False) + ": " + dumps_with_trailing_commas(v) + ",\n"
            for k, v in value.items()
        )
        return "{" + "".join(parts) + "}"
    return json.dumps(value, ensure_ascii=False)


@given(json_values)
def test_trailing_commas_are_forgiven(value):
    assert loads(dumps_with_trailing_commas(value)) == value


def test_lenient_json_refuses_hostile_documents_with_a_decode_error() -> None:
    import json

    import pytest

    from camtui.api import lenient_json

    for text in ("[" * 200_000 + "]" * 200_000, '{"n": ' + "9" * 5000 + "}", "[" * 200_000):
        with pytest.raises(json.JSONDecodeError):
            lenient_json.loads(text)

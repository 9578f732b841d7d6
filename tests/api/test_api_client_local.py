"""Client behaviour that needs no server: construction, secrecy of the token, retry timing, answer decoding.

Answer decoding is tested on real `httpx.Response` objects for the shapes the sandbox never produces (a proxy's
HTML 502, a 200 with an error `status` but no `errors`, …); everything else is proven against the sandbox.
"""

from __future__ import annotations

import json
import pickle
import random
import warnings

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from camtui.api import (
    METHODS,
    CAMAPIError,
    CAMClient,
    CAMError,
    InsecureTokenWarning,
    MalformedResponse,
    OutcomeUnknown,
    RetryPolicy,
    TransportError,
    answers,
)
from camtui.api.retry import parse_retry_after

TOKEN = "QIQVOSvRJHrQElDwj20xSECRET"


def interpret(method: str, status: int, body: bytes | str, headers: dict[str, str] | None = None):
    client = CAMClient("http://127.0.0.1:9", TOKEN)
    content = body.encode() if isinstance(body, str) else body
    response = httpx.Response(status, content=content, headers=headers or {})
    spec = METHODS[method]
    return answers.interpret(spec.name, spec.csv, response, client._redact)


def api_error(
    method: str, status: int, body: bytes | str, headers: dict[str, str] | None = None
) -> CAMAPIError:
    with pytest.raises(CAMAPIError) as info:
        interpret(method, status, body, headers)
    err = info.value
    assert "\n" not in str(err)
    assert TOKEN not in str(err)
    return err


async def test_repr_and_str_hide_the_token():
    async with CAMClient("http://127.0.0.1:9", TOKEN) as client:
        for text in (repr(client), str(client), repr(vars(client)) if hasattr(client, "__dict__") else ""):
            assert TOKEN not in text
        assert repr(client) == "CAMClient('http://127.0.0.1:9', api_token='***')"
        assert client.server_url == "http://127.0.0.1:9"


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080", "http://localhost:8080/", "http://[::1]:8080", "https://cam.example.com"]
)
async def test_no_warning_for_loopback_or_https(url):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        await CAMClient(url, TOKEN).aclose()


async def test_plain_http_to_another_host_warns_without_the_token():
    with pytest.warns(InsecureTokenWarning, match="cam.example.com") as record:
        client = CAMClient("http://cam.example.com:8080", TOKEN)
    await client.aclose()
    assert all(TOKEN not in str(w.message) for w in record)


@pytest.mark.parametrize("url", ["cam.example.com", "ftp://x", "http://", ""])
def test_bad_server_url_is_a_value_error(url):
    with pytest.raises(ValueError, match="server URL"):
        CAMClient(url, TOKEN)


def test_token_with_line_break_is_refused_without_echoing_it():
    with pytest.raises(ValueError) as info:
        CAMClient("http://127.0.0.1:9", TOKEN + "\n")
    assert TOKEN not in str(info.value)
    assert "printable ASCII" in str(info.value)


def test_missing_ca_bundle_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="CA bundle not found"):
        CAMClient("https://cam.example.com", TOKEN, ca_bundle=str(tmp_path / "none.pem"))


async def test_private_ca_bundle_is_loaded():
    import certifi

    await CAMClient("https://cam.example.com", TOKEN, ca_bundle=certifi.where()).aclose()


def test_retry_delays_grow_and_stay_bounded():
    policy = RetryPolicy(base_delay=0.5, max_delay=4.0, jitter=0.0)
    assert [policy.delay(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert policy.delay(1, retry_after=3.0) == 3.0
    assert RetryPolicy(jitter=0.0, max_retry_after=2.0).delay(1, retry_after=60.0) == 2.0


@given(attempt=st.integers(1, 30), jitter=st.floats(0, 1), seed=st.integers(0, 2**32),
       retry_after=st.one_of(st.none(), st.floats(0, 100)))  # fmt: skip
def test_retry_delay_within_jitter_bounds(attempt, jitter, seed, retry_after):
    policy = RetryPolicy(base_delay=0.1, max_delay=5.0, jitter=jitter, rng=random.Random(seed))
    delay = policy.delay(attempt, retry_after)
    nominal = min(5.0, 0.1 * 2 ** (attempt - 1))
    assert delay >= 0
    assert delay <= max(nominal * (1 + jitter), min(retry_after or 0, policy.max_retry_after)) + 1e-9
    if retry_after is not None:
        assert delay >= min(retry_after, policy.max_retry_after)


@pytest.mark.parametrize(("value", "expected"), [("2", 2.0), (" 0.5 ", 0.5), ("", None), (None, None),
                                                 ("Wed, 21 Oct 2015 07:28:00 GMT", None), ("-3", None)])  # fmt: skip
def test_retry_after_header(value, expected):
    assert parse_retry_after(value) == expected


# --------------------------------------------------------------------------------------- answer decoding


def test_success_body_is_returned():
    assert interpret("getCallStats", 200, '{"status":200,"roomName":"x"}') == {"status": 200, "roomName": "x"}
    assert interpret("getCallStats", 200, '{"roomName":"x"}') == {"roomName": "x"}  # status may be absent


def test_spec_error_envelope():
    err = api_error(
        "getCallStats",
        200,
        '{"status":520, "errors":[{"code":"805","message":"APIトークンが正しくありません"}]}',
    )
    assert (err.code, err.message, err.meaning, err.http_status, err.retryable) == (
        "805", "APIトークンが正しくありません", "Invalid API token", 200, False)  # fmt: skip
    assert str(err) == "805 Invalid API token: APIトークンが正しくありません [getCallStats, HTTP 200]"
    assert err.hint


def test_envelope_extras_and_numeric_codes():
    err = api_error(
        "sendMessages",
        200,
        '{"status":"520","errors":[{"code":452,"message":"ユーザが登録されていません。","index":"3","field":"users"},'
        '{"code":"452","message":"second"}]}',
    )
    assert (err.code, err.index, err.field, len(err.errors)) == ("452", 3, "users", 2)
    assert "item 3" in str(err)
    line = api_error("updateUsersCSV", 200, '{"status":520,"errors":{"code":"400","message":"bad","line":7}}')
    assert (line.code, line.line) == ("400", 7)


def test_error_status_without_errors_array():
    err = api_error("getConferenceRooms", 200, '{"status":503}')
    assert err.code == "503" and err.retryable


def test_non_200_with_envelope_keeps_code_and_retry_after():
    err = api_error(
        "sendMessage", 503, '{"status":520,"errors":[{"code":"503","message":"サービスが利用できません。"}]}',
        {"Retry-After": "2"},
    )  # fmt: skip
    assert (err.code, err.http_status, err.retryable, err.retry_after) == ("503", 503, True, 2.0)


def test_non_200_without_envelope():
    err = api_error("getCallStats", 502, "<html><body>Bad Gateway</body></html>")
    assert err.code == "502" and err.http_status == 502
    assert err.meaning == "HTTP 502 Bad Gateway"
    assert "Bad Gateway" in err.message
    assert api_error("getCallStats", 404, "").meaning == "HTTP 404 Not Found"
    assert api_error("getCallStats", 491, "slow down", {"retry-after": "1"}).retryable


@pytest.mark.parametrize(
    "body", ["<html>oops</html>", "", "[1,2]", '"text"', "null", b"\xff\xfe\x00garbage", '{"status":200']
)
def test_unreadable_200_is_a_clear_500(body):
    err = api_error("getCallStats", 200, body)
    assert err.code == "500"
    assert err.meaning == "Malformed response"
    assert "answer is" in err.message


def test_server_text_echoing_the_token_is_redacted():
    err = api_error(
        "getCallStats", 200, '{"status":520,"errors":[{"code":"805","message":"bad token ' + TOKEN + '"}]}'
    )
    assert "***" in err.message
    assert TOKEN not in repr(err.errors)
    assert TOKEN not in str(err)


def test_export_users_returns_csv_text_but_still_reads_error_envelopes():
    csv_text = "\ufeffuid,email\nu1,a@x.com\n"
    assert interpret("exportUsers", 200, csv_text, {"content-type": "text/csv; charset=utf-8"}) == csv_text
    err = api_error("exportUsers", 200, '{"status":520,"errors":[{"code":"800","message":"x"}]}',
                    {"content-type": "application/json"})  # fmt: skip
    assert err.code == "800"


@pytest.mark.parametrize(
    "code", ["400", "405", "406", "451", "452", "490", "491", "500", "503", "800", "802", "805"]
)
def test_every_spec_code_decodes_with_its_meaning(code):
    # The sandbox answers all of these except 802 (no method is "API-only" there); the decoding is the same.
    from camtui.api.codes import lookup

    row = lookup(code)
    err = api_error("sendMessage", 200, json.dumps(codes_body(code, row.message), ensure_ascii=False))
    assert (err.code, err.meaning, err.message, err.hint) == (code, row.meaning, row.message, row.hint)
    assert err.retryable is (code in ("491", "503"))


def codes_body(code: str, message: str) -> dict:
    return {"status": 520, "errors": [{"code": code, "message": message}]}


def test_unknown_code_still_explains_itself():
    err = api_error("getCallStats", 200, '{"status":520,"errors":[{"code":"999","message":"new"}]}')
    assert err.meaning == "Unknown error code 999"


def test_errors_are_one_hierarchy_and_pickle():
    api = CAMAPIError("491", "多すぎ", http_status=200, method="sendMessage", retry_after=1.0)
    transport = TransportError(
        "ConnectError: refused", method="getCallStats", url="http://127.0.0.1:9/getCallStats"
    )
    unknown = OutcomeUnknown("sendMessage", "ReadError")
    malformed = MalformedResponse("the server's answer is empty", method="getCallStats")
    for err in (api, transport, unknown, malformed):
        assert isinstance(err, CAMError)
        clone = pickle.loads(pickle.dumps(err))
        assert str(clone) == str(err)
        assert type(clone) is type(err)
    assert not isinstance(transport, CAMAPIError) and not isinstance(unknown, CAMAPIError)
    assert isinstance(malformed, CAMAPIError) and malformed.code == "500"
    assert api.retryable and pickle.loads(pickle.dumps(api)).code == "491"
    assert unknown.method == "sendMessage" and "not resent" in str(unknown)
    assert (
        str(transport)
        == "network error (getCallStats at http://127.0.0.1:9/getCallStats): ConnectError: refused"
    )


def test_method_table_marks_every_write():
    writes = {name for name, spec in METHODS.items() if spec.write}
    assert writes == {"sendMessage", "sendMessages", "createQuickCall", "updateUsersCSV", "updateChatRoom"}
    assert len(METHODS) == 10

"""Hypothesis throws random bytes, forms, JSON and CSV at a live sandbox: never a 500, never a crash."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from camtui.sandbox.methods import METHODS
from camtui.sandbox.runner import RunningSandbox, start_sandbox

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
METHOD_NAMES = sorted(METHODS)
FIELD_NAMES = ["message", "messages", "chatRoom", "expiredDate", "title", "password", "roomName", "path",
               "yyyyMMdd", "file"]  # fmt: skip
KNOWN_CODES = {"400", "405", "406", "451", "452", "490", "491", "503", "800", "802", "805"}


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[tuple[RunningSandbox, httpx.Client]]:
    sandbox = start_sandbox(
        db_path=tmp_path_factory.mktemp("fuzz") / "fuzz.db", seed=7, rooms=12, users=300, simulation=False
    )
    client = httpx.Client(base_url=sandbox.url, trust_env=False, timeout=30)
    try:
        yield sandbox, client
    finally:
        client.close()
        sandbox.stop()


def check(reply: httpx.Response) -> None:
    """A well-formed answer: the envelope or a success body (CSV for exportUsers), never a server error."""
    assert reply.status_code in (200, 404, 405), reply.text[:300]
    if reply.headers.get("content-type", "").startswith("text/csv"):
        assert reply.content.startswith(b"\xef\xbb\xbf")
        return
    body = reply.json()
    assert body["status"] in (200, 520), body
    if body["status"] == 520:
        codes = {e["code"] for e in body["errors"]}
        assert codes <= KNOWN_CODES, body
        assert all(isinstance(e["message"], str) and e["message"] for e in body["errors"])


def post(live, method: str, *, admin: bool, **kwargs) -> httpx.Response:
    sandbox, client = live
    token = sandbox.admin_token if admin else sandbox.user_token
    headers = {"x-cam-apiToken": token, **kwargs.pop("headers", {})}
    return client.post(f"/{method}", headers=headers, **kwargs)


content_types = st.sampled_from(
    ["application/x-www-form-urlencoded", "application/json", "multipart/form-data; boundary=xyz",
     "multipart/form-data", "text/plain", "", "application/x-www-form-urlencoded; charset=shift_jis"]
)  # fmt: skip


@FUZZ
@given(
    method=st.sampled_from(METHOD_NAMES),
    data=st.binary(max_size=2000),
    ctype=content_types,
    admin=st.booleans(),
)
def test_random_bytes(live, method, data, ctype, admin):
    check(post(live, method, admin=admin, content=data, headers={"content-type": ctype} if ctype else {}))


@FUZZ
@given(
    method=st.sampled_from(METHOD_NAMES),
    form=st.dictionaries(
        st.sampled_from(FIELD_NAMES) | st.text(max_size=8), st.text(max_size=200), max_size=5
    ),
    admin=st.booleans(),
    use_get=st.booleans(),
)
def test_random_forms(live, method, form, admin, use_get):
    sandbox, client = live
    if use_get:
        token = sandbox.admin_token if admin else sandbox.user_token
        reply = client.get(f"/{method}", params=form, headers={"x-cam-apiToken": token})
    else:
        reply = post(live, method, admin=admin, data=form)
    check(reply)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=15,
)
emails = st.sampled_from(
    ["user1@xxx.com", "user2@test.com", "ghost@xxx.com", "a@b.org", "", "x", "user1@xxx.com,"]
)
message_objects = st.fixed_dictionaries(
    {},
    optional={
        "panelName": st.sampled_from(["messenger", "test", "ルーム名", "nope", ""]) | json_values,
        "message": st.text(max_size=50) | json_values,
        "isOpened": st.booleans() | json_values,
        "generalPurposes": st.fixed_dictionaries({}, optional={"users": emails | json_values}) | json_values,
    },
)
batch_items = st.fixed_dictionaries(
    {},
    optional={
        "send": st.sampled_from(["messenger", "test", "missing"]) | json_values,
        "message": st.text(max_size=30) | json_values,
        "property": st.fixed_dictionaries({}, optional={"users": emails | json_values}) | json_values,
    },
)
chat_rooms = st.fixed_dictionaries(
    {},
    optional={
        "id": st.sampled_from(["1564831284702237059", "1", ""]) | json_values,
        "name": st.text(max_size=20) | json_values,
        "createUserId": st.sampled_from(["11u1pu9d32p8vuvjoZdd", "zzz"]) | json_values,
        "adminUserId": st.sampled_from(["1lmn7hoh3s1ja26fsazw", "zzz"]) | json_values,
        "isPublic": st.booleans() | json_values,
        "memberUids": st.dictionaries(st.sampled_from(["11u1pu9d32p8vuvjoZdd", "hhx10sfdv1jyou4la1ny", "q"]),
                                      st.booleans() | json_values, max_size=3) | json_values,
    },
)  # fmt: skip


@FUZZ
@given(
    case=st.one_of(
        st.tuples(st.just("sendMessage"), st.just("message"), message_objects | json_values),
        st.tuples(
            st.just("sendMessages"), st.just("messages"), st.lists(batch_items | json_values, max_size=4)
        ),
        st.tuples(st.just("sendMessages"), st.just("messages"), json_values),
        st.tuples(st.just("updateChatRoom"), st.just("chatRoom"), chat_rooms | json_values),
    ),
    raw=st.booleans(),
    trailing_comma=st.booleans(),
)
def test_random_json(live, case, raw, trailing_comma):
    method, field, value = case
    text = json.dumps(value, ensure_ascii=False)
    if trailing_comma and text.endswith(("]", "}")) and len(text) > 2:
        text = text[:-1] + "," + text[-1]
    if raw:  # as `curl -d field=...` sends it: not percent-encoded
        reply = post(live, method, admin=True, content=f"{field}={text}".encode())
    else:
        reply = post(live, method, admin=True, data={field: text})
    check(reply)


csv_cells = st.text(max_size=20) | st.sampled_from(
    ["user1@xxx.com", "new@example.co.jp", "true", "false", "", "11u1pu9d32p8vuvjoZdd"]
)
headers = st.lists(st.sampled_from(["uid", "email", "name", "romaji", "department", "position", "admin", "x"]),
                   min_size=1, max_size=8)  # fmt: skip


@FUZZ
@given(
    header=headers,
    rows=st.lists(st.lists(csv_cells, max_size=9), max_size=6),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "shift_jis", "utf-16"]),
)
def test_random_csv(live, header, rows, encoding):
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    data = buf.getvalue().encode(encoding, "replace")
    reply = post(live, "updateUsersCSV", admin=True, files={"file": ("updateUsers.csv", data, "text/csv")})
    check(reply)


@FUZZ
@given(data=st.binary(max_size=3000))
def test_random_csv_bytes(live, data):
    check(post(live, "updateUsersCSV", admin=True, files={"file": ("u.csv", data, "text/csv")}))


@settings(max_examples=60, deadline=None)
@given(
    token=st.text(
        alphabet=st.characters(min_codepoint=32, max_codepoint=255, exclude_characters="\x7f"), max_size=40
    ).map(str.strip)
)
def test_random_tokens(live, token):
    sandbox, client = live
    reply = client.post("/getConferenceRooms", headers={"x-cam-apiToken": token.encode("latin-1")})
    check(reply)
    sandbox.unlock()


def test_still_alive_after_fuzzing(live):
    sandbox, client = live
    reply = client.post("/getConferenceMaster", headers={"x-cam-apiToken": sandbox.user_token})
    assert reply.json()["status"] == 200
    assert sandbox.stats()["byCode"].get("500", 0) == 0

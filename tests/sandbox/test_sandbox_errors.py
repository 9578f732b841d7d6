"""Every error code the sandbox answers, over real HTTP, in the spec's envelope with the spec's messages."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from camtui.api.codes import lookup
from camtui.sandbox.body import MAX_BODY_BYTES


def now_ms() -> int:
    return int(time.time() * 1000)


def message_field(**overrides) -> dict[str, str]:
    message = {
        "panelName": "messenger",
        "message": "Hello",
        "isOpened": False,
        "generalPurposes": {"users": "user1@xxx.com"},
    }
    message.update(overrides)
    return {"message": json.dumps(message, ensure_ascii=False)}


# ---------------------------------------------------------------- tokens: 805, 800, 490


@pytest.mark.parametrize("token", [None, "", "wrong-token", "x" * 500])
def test_missing_or_bad_token_is_805_with_the_spec_message(api, token):
    reply = api.post("getConferenceRooms", token=token)
    assert reply.status_code == 200
    assert reply.json() == {
        "status": 520,
        "errors": [{"code": "805", "message": "APIトークンが正しくありません。"}],
    }


def test_non_ascii_token_header_is_805(api, sandbox):
    reply = api.http.post("/getConferenceRooms", headers={"x-cam-apiToken": "トークン".encode()})
    assert reply.json()["errors"][0]["code"] == "805"


def test_header_name_is_case_insensitive(api, sandbox):
    reply = api.http.post("/getConferenceRooms", headers={"X-CAM-APITOKEN": sandbox.user_token})
    assert reply.json()["status"] == 200


@pytest.mark.parametrize(
    ("method", "data"),
    [
        ("exportUsers", {"path": "exportUsers.csv"}),
        ("updateUsersCSV", {"file": "email\nuser1@xxx.com\n"}),
        ("updateChatRoom", {"chatRoom": '{"name": "x", "createUserId": "11u1pu9d32p8vuvjoZdd"}'}),
    ],
)
def test_user_token_on_admin_method_is_800(api, sandbox, method, data):
    error = api.error(method, "800", data=data)
    assert error["message"] == "この機能は管理者しか利用できません。"
    assert sandbox.delivered_messages() == []


def test_admin_token_works_everywhere(api):
    assert api.ok("getConferenceRooms", token="admin")["conferenceRooms"]


def test_twenty_bad_tokens_lock_the_address_out(sandbox_factory, make_api):
    sandbox = sandbox_factory()
    api = make_api(sandbox)
    codes = [api.post("getConferenceRooms", token="bad").json()["errors"][0]["code"] for _ in range(20)]
    assert codes == ["805"] * 20
    locked = api.post("getConferenceRooms", token="user").json()
    assert locked["errors"][0] == {"code": "490", "message": lookup("490").message}
    assert sandbox.stats()["lockouts"] == 1
    sandbox.unlock()
    assert api.ok("getConferenceRooms")["status"] == 200


def test_a_few_bad_tokens_do_not_lock_out(api):
    for _ in range(5):
        api.post("getConferenceRooms", token="bad")
    assert api.ok("getConferenceRooms")["status"] == 200


# ---------------------------------------------------------------- rate limit: 491


def test_over_the_rate_limit_is_491_with_retry_after(sandbox_factory, make_api):
    sandbox = sandbox_factory(rate_limit=2)
    api = make_api(sandbox)
    replies = [api.post("getConferenceMaster") for _ in range(6)]
    limited = [r for r in replies if r.json()["status"] == 520]
    assert limited, "six immediate requests exceed 2/s with a burst of 2"
    assert replies[0].json()["status"] == 200
    for reply in limited:
        assert reply.status_code == 200
        assert reply.json()["errors"][0]["code"] == "491"
        assert int(reply.headers["retry-after"]) >= 1
    assert sandbox.stats()["rateLimited"] == len(limited)


# ---------------------------------------------------------------- 400: malformed requests


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"message": ""},
        {"message": "{not json"},
        {"message": "[1, 2]"},
        {"message": '"just a string"'},
    ],
)
def test_send_message_malformed_is_400(api, sandbox, data):
    error = api.error("sendMessage", "400", data=data)
    assert error["message"].startswith("このリクエストは無効です。")
    assert sandbox.delivered_messages() == []


@pytest.mark.parametrize(
    "overrides",
    [
        {"panelName": None},
        {"panelName": 5},
        {"panelName": ""},
        {"message": None},
        {"message": ""},
        {"message": ["a"]},
        {"isOpened": "yes"},
        {"generalPurposes": "user1@xxx.com"},
        {"generalPurposes": {"users": 5}},
        {"generalPurposes": {"users": ""}},  # messenger needs recipients
        {"generalPurposes": None},
    ],
)
def test_send_message_missing_field_or_wrong_type_is_400(api, overrides):
    api.error("sendMessage", "400", data=message_field(**overrides))


def test_oversized_body_is_400(api):
    big = {"message": "x" * (MAX_BODY_BYTES + 10)}
    error = api.error("sendMessage", "400", data=big)
    assert "大きすぎ" in error["message"]
    # and the connection stays usable afterwards
    assert api.ok("getConferenceMaster")["status"] == 200


def test_oversized_chunked_body_is_400(api):
    def chunks():
        for _ in range(6):
            yield b"x" * (1024 * 1024)

    reply = api.http.post("/sendMessage", headers=api.headers("user"), content=chunks())
    assert reply.json()["errors"][0]["code"] == "400"


@pytest.mark.parametrize(
    "content",
    [
        'message={"panelName":"messenger","message":"こんにちは"}'.encode("shift_jis"),
        b"message=%82%B1%82%F1",  # percent-encoded Shift_JIS
        b"\xff\xfe\x00m",
    ],
)
def test_non_utf8_body_is_400(api, content):
    error = api.error(
        "sendMessage", "400", content=content, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert "UTF-8" in error["message"]


def test_bad_multipart_is_400(api):
    api.error(
        "updateUsersCSV",
        "400",
        token="admin",
        content=b"--zzz\r\nnonsense",
        headers={"content-type": "multipart/form-data; boundary=zzz"},
    )
    api.error(
        "updateUsersCSV",
        "400",
        token="admin",
        content=b"abc",
        headers={"content-type": "multipart/form-data"},
    )


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"expiredDate": ""},
        {"expiredDate": "tomorrow"},
        {"expiredDate": "1.5e12"},
        {"expiredDate": "1624368868714"},  # the spec's sample date: long past
        {"expiredDate": str(10**17)},
    ],
)
def test_create_quick_call_bad_expiry_is_400(api, data):
    error = api.error("createQuickCall", "400", data=data)
    assert error.get("field") == "expiredDate"


def test_create_quick_call_title_too_long_is_400(api):
    api.error("createQuickCall", "400", data={"expiredDate": str(now_ms() + 60_000), "title": "x" * 1000})


def test_get_call_stats_unknown_or_missing_is_400(api):
    assert api.error("getCallStats", "400", data={"roomName": "no-such-call"})["field"] == "roomName"
    api.error("getCallStats", "400", data={})


@pytest.mark.parametrize(
    "period",
    [
        "2019",
        "2019080",
        "abcdef",
        "201913",
        "20190230",
        "2019-08",
        "000000",
        "000511",
        "19730301",
        "２０１９０８",
    ],
)
def test_room_status_bad_period_is_400(api, period):
    api.error("getConferenceRoomStatus", "400", data={"yyyyMMdd": period})


# ---------------------------------------------------------------- 405 / 406: chat rooms


def test_unknown_chat_room_is_405(api, sandbox):
    error = api.error("sendMessage", "405", data=message_field(panelName="存在しないルーム"))
    assert "存在しないルーム" in error["message"]
    assert sandbox.delivered_messages() == []


def test_update_unknown_chat_room_id_is_405(api):
    api.error("updateChatRoom", "405", token="admin", data={"chatRoom": '{"id": "999", "name": "x"}'})


@pytest.mark.parametrize(
    "room",
    [
        {"id": "1564831284702237059", "createUserId": "1lmn7hoh3s1ja26fsazw"},  # creator cannot change
        {"id": "1564831284702237059", "memberUids": {"11u1pu9d32p8vuvjoZdd": False}},  # nobody left
        {"id": "1564831284702237059", "name": "test"},  # name taken by another room
        {"name": "ルーム名", "createUserId": "11u1pu9d32p8vuvjoZdd"},  # create with a taken name
        {"name": "messenger", "createUserId": "11u1pu9d32p8vuvjoZdd"},  # sendMessage's direct-message target
        {"id": "1564831284702237059", "name": "Messenger"},
    ],
)
def test_forbidden_chat_room_change_is_406(api, sandbox, room):
    api.error("updateChatRoom", "406", token="admin", data={"chatRoom": json.dumps(room, ensure_ascii=False)})
    secret = next(r for r in sandbox.chat_rooms() if r["id"] == "1564831284702237059")
    assert secret["name"] == "秘密会議" and len(secret["memberUids"]) == 5


@pytest.mark.parametrize(
    "room",
    ['"a string"', "[]", '{"name": ""}', '{"name": "x", "isPublic": "no"}', '{"name": "x", "memberUids": 5}',
     '{"name": "x", "memberUids": {"11u1pu9d32p8vuvjoZdd": "yes"}}', '{"name": "x"}', "{broken"],
)  # fmt: skip
def test_malformed_chat_room_is_400(api, room):
    api.error("updateChatRoom", "400", token="admin", data={"chatRoom": room})


def test_chat_room_with_unknown_member_is_452(api):
    room = {
        "name": "新ルーム",
        "createUserId": "11u1pu9d32p8vuvjoZdd",
        "memberUids": {"nobody000000000000": True},
    }
    api.error("updateChatRoom", "452", token="admin", data={"chatRoom": json.dumps(room, ensure_ascii=False)})


# ---------------------------------------------------------------- 451 / 452: unknown users


def test_unknown_user_in_an_organisation_domain_is_451(api, sandbox):
    error = api.error("sendMessage", "451", data=message_field(generalPurposes={"users": "nobody@xxx.com"}))
    assert error["message"].startswith("ユーザが登録されていません。先にユーザ登録してください。")
    api.error("sendMessage", "451", data=message_field(generalPurposes={"users": "ghost@example.co.jp"}))
    assert sandbox.delivered_messages() == []


def test_unknown_user_elsewhere_is_452(api):
    error = api.error(
        "sendMessage", "452", data=message_field(generalPurposes={"users": "someone@gmail.com"})
    )
    assert error["message"].startswith("ユーザが登録されていません。")
    api.error("sendMessage", "452", data=message_field(generalPurposes={"users": "not-an-address"}))


def test_every_unknown_user_is_listed(api):
    body = api.send("messenger", "x", "user1@xxx.com,a@xxx.com,b@gmail.com").json()
    assert [e["code"] for e in body["errors"]] == ["451", "452"]


def test_unknown_mention_in_a_room_is_refused_too(api):
    api.error(
        "sendMessage", "452", data=message_field(panelName="test", generalPurposes={"users": "x@y.org"})
    )


# ---------------------------------------------------------------- sendMessages: all or nothing, with index


def test_send_messages_all_or_nothing_names_the_item(api, sandbox):
    items = [
        {"message": "ok", "property": {"users": "user1@xxx.com"}},
        {"send": "no-such-room", "message": "x"},
        {"message": "", "property": {"users": "user1@xxx.com"}},
        {"message": "who", "property": {"users": "ghost@gmail.com"}},
        "not an object",
    ]
    body = api.post("sendMessages", data={"messages": json.dumps(items)}).json()
    assert body["status"] == 520
    assert [(e["code"], e["index"]) for e in body["errors"]] == [
        ("405", 1),
        ("400", 2),
        ("452", 3),
        ("400", 4),
    ]
    assert sandbox.delivered_messages() == []


@pytest.mark.parametrize("messages", ["", "{}", '{"message": "x"}', "[]", "[1", "5"])
def test_send_messages_malformed_is_400(api, messages):
    api.error("sendMessages", "400", data={"messages": messages})


def test_send_messages_too_many_items_is_400(api):
    items = [{"message": "x", "property": {"users": "user1@xxx.com"}}] * 1001
    api.error("sendMessages", "400", data={"messages": json.dumps(items)})


# ---------------------------------------------------------------- updateUsersCSV: lines, encodings


def upload(api, data: bytes) -> httpx.Response:
    return api.post("updateUsersCSV", "admin", files={"file": ("updateUsers.csv", data, "text/csv")})


def test_shift_jis_csv_is_a_clear_400(api):
    data = "uid,email,name\n,taro@example.co.jp,山田 太郎\n".encode("shift_jis")
    body = upload(api, data).json()
    error = body["errors"][0]
    assert error["code"] == "400" and error["line"] == 2
    assert "UTF-8" in error["message"] and "Shift_JIS" in error["message"]


def test_csv_errors_name_every_bad_line_and_change_nothing(api):
    data = (
        "uid,email,name,romaji,department,position,admin\n"
        ",ok.person@example.co.jp,良い 人,Yoi Hito,開発部,一般,false\n"
        ",not-an-email,名前,,,,false\n"
        ",nameless@example.co.jp,,,,,false\n"
        ",ok.person@example.co.jp,重複,,,,false\n"
        ",admin.flag@example.co.jp,名前,,,,maybe\n"
        "1lmn7hoh3s1ja26fsazw,user1@xxx.com,,,,,\n"
        ",too,many,columns,,,,,\n"
    ).encode()
    body = upload(api, data).json()
    assert body["status"] == 520
    assert [e["line"] for e in body["errors"]] == [3, 4, 5, 6, 7, 8]
    assert all(e["code"] == "400" and f"{e['line']} 行目" in e["message"] for e in body["errors"])
    export = api.post("exportUsers", "admin").text
    assert "ok.person@example.co.jp" not in export


@pytest.mark.parametrize(
    "data",
    [b"", b"\n\n", b"name,department\nx,y\n", b"email,shoe_size\nuser1@xxx.com,27\n", b"email,email\na@b.c,a@b.c\n",
     b"email\n", b'email,name\n"unterminated,x\n'],
)  # fmt: skip
def test_bad_csv_files_are_400(api, data):
    assert upload(api, data).json()["errors"][0]["code"] == "400"


def test_update_users_csv_without_file_is_400(api):
    api.error("updateUsersCSV", "400", token="admin", data={"other": "x"})


# ---------------------------------------------------------------- routing


def test_unknown_method_is_http_404_with_envelope(api):
    reply = api.post("noSuchMethod")
    assert reply.status_code == 404
    assert reply.json()["errors"][0]["code"] == "400"
    assert api.http.get("/a/b/c").status_code == 404


def test_other_http_verbs_are_405(api, sandbox):
    reply = api.http.put("/sendMessage", headers=api.headers("user"), content=b"x")
    assert reply.status_code == 405 and reply.json()["status"] == 520


def test_head_never_runs_a_method_that_changes_something(api, sandbox):
    message = json.dumps(
        {"panelName": "messenger", "message": "x", "generalPurposes": {"users": "user1@xxx.com"}}
    )
    reply = api.http.head("/sendMessage", headers=api.headers("user"), params={"message": message})
    assert reply.status_code == 405
    assert sandbox.delivered_messages() == []
    assert api.http.head("/getConferenceRooms", headers=api.headers("user")).status_code == 200


def test_sandbox_endpoints_need_the_admin_token(sandbox):
    with httpx.Client(base_url=sandbox.url, trust_env=False) as client:
        assert client.get("/_sandbox/messages").json()["errors"][0]["code"] == "805"
        user = client.get("/_sandbox/messages", headers={"x-cam-apiToken": sandbox.user_token})
        assert user.json()["errors"][0]["code"] == "800"
        bad_plan = client.post(
            "/_sandbox/faults", headers={"x-cam-apiToken": sandbox.admin_token}, json={"x": 1}
        )
        assert bad_plan.json()["errors"][0]["code"] == "400"
        bad_steps = client.post(
            "/_sandbox/simulate", headers={"x-cam-apiToken": sandbox.admin_token}, json={"steps": -1}
        )
        assert bad_steps.json()["errors"][0]["code"] == "400"


@pytest.mark.parametrize(
    ("method", "data"),
    [
        ("sendMessage", {"message": '{"panelName":"messenger","message":"\\ud800","generalPurposes":{"users":"user1@xxx.com"}}'}),
        ("sendMessage", {"message": '{"panelName":"\\udfff","message":"x"}'}),
        ("sendMessages", {"messages": '[{"send":"\\ud83d","message":"x"}]'}),
    ],
)  # fmt: skip
def test_lone_surrogate_escapes_are_400(api, method, data):
    api.error(method, "400", data=data)


def test_lone_surrogate_in_a_json_body_is_400(api):
    reply = api.post(
        "getCallStats", content=b'{"roomName": "\\ud800"}', headers={"content-type": "application/json"}
    )
    assert reply.json()["errors"][0]["code"] == "400"


def test_non_utf8_query_string_is_400(api):
    reply = api.http.get("/getCallStats?roomName=%82%B1%82%F1", headers=api.headers("user"))
    assert reply.json()["errors"][0]["code"] == "400"


def test_post_to_the_index_is_405_envelope(api):
    reply = api.http.post("/")
    assert reply.status_code == 405 and reply.json()["status"] == 520


async def test_an_internal_failure_is_a_500_envelope_never_a_traceback():
    """A database that went away (closed under the server): the catch-all answers the spec's 500 envelope."""
    from camtui.api.codes import error_body
    from camtui.sandbox.app import build_app
    from camtui.sandbox.runner import build_state

    state = build_state(
        db_path=None, seed=1, rooms=2, users=10, simulation=False, admin_token="a", user_token="u",
        faults=None, rate_limit=None, now=None,
    )  # fmt: skip
    state.conn.close()
    transport = httpx.ASGITransport(app=build_app(state))
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
        reply = await client.post("/getConferenceMaster", headers={"x-cam-apiToken": "u"})
        share = await client.get("/share/abc")
    assert reply.status_code == 500
    assert reply.json() == error_body("500")
    assert share.status_code == 500 and "Traceback" not in share.text
    assert state.counters.by_code["500"] == 1

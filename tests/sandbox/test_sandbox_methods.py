"""Every API method's success path over real HTTP, with the shapes the README's API section promises."""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx

TOKYO = ZoneInfo("Asia/Tokyo")


def now_ms() -> int:
    return int(time.time() * 1000)


# ---------------------------------------------------------------- messages


def test_send_message_to_users_is_delivered(api, sandbox):
    reply = api.send("messenger", "Hello\n二行目", "user1@xxx.com, USER2@xxx.com", seal=True)
    body = reply.json()
    assert body["status"] == 200
    assert body["panelName"] == "messenger"
    assert body["recipients"] == ["user1@xxx.com", "user2@xxx.com"]
    assert body["messageId"].startswith("m")
    [delivered] = sandbox.delivered_messages()
    assert delivered["id"] == body["messageId"]
    assert delivered["destination"] == "messenger"
    assert delivered["recipients"] == ["user1@xxx.com", "user2@xxx.com"]
    assert delivered["text"] == "Hello\n二行目"
    assert delivered["seal"] is True
    assert abs(delivered["time"] - now_ms()) < 60_000


def test_send_message_to_a_chat_room_with_mentions(api, sandbox):
    body = api.send("ルーム名", "Hello", "user1@xxx.com").json()
    assert body["status"] == 200 and body["panelName"] == "ルーム名"
    body = api.send("test", "no mentions").json()
    assert body["status"] == 200 and body["recipients"] == []
    assert [m["destination"] for m in sandbox.delivered_messages()] == ["ルーム名", "test"]


def test_send_message_as_get_with_query_parameters(api):
    message = json.dumps(
        {"panelName": "messenger", "message": "via GET", "generalPurposes": {"users": "user1@xxx.com"}}
    )
    reply = api.get("sendMessage", params={"message": message})
    assert reply.json()["status"] == 200


def test_send_messages_batch_in_order(api, sandbox):
    items = [
        {"message": "こんにちは 1", "property": {"users": "user1@test.com,user2@test.com"}},
        {"send": "test", "message": "テスト 1"},
        {"send": "messenger", "message": "three", "property": {"users": "user1@xxx.com"}},
    ]
    body = api.ok("sendMessages", data={"messages": json.dumps(items, ensure_ascii=False)})
    assert body["count"] == 3
    delivered = sandbox.delivered_messages()
    assert [m["id"] for m in delivered] == body["messageIds"]
    assert [m["index"] for m in delivered] == [0, 1, 2]
    assert [m["destination"] for m in delivered] == ["messenger", "test", "messenger"]
    assert delivered[1]["text"] == "テスト 1"


def test_send_messages_accepts_a_json_body_too(api):
    items = [{"message": "json body", "property": {"users": "user1@xxx.com"}}]
    body = api.ok("sendMessages", json={"messages": items})
    assert body["count"] == 1


# ---------------------------------------------------------------- calls


def test_create_quick_call_and_its_stats(api, sandbox):
    expires = now_ms() + 3_600_000
    created = api.ok(
        "createQuickCall", data={"expiredDate": str(expires), "title": "定例", "password": "password!"}
    )
    sid = created["sid"]
    assert created["url"] == f"{sandbox.url}/share/{sid}"
    assert created["presenterPass"]
    stats = api.ok("getCallStats", data={"roomName": sid})
    assert stats["roomName"] == sid and stats["title"] == "定例"
    assert stats["expiredDate"] == expires
    assert abs(stats["creationDate"] - now_ms()) < 60_000
    assert stats["participants"] == 0 and stats["inProgress"] is False
    assert sid in [c["sid"] for c in sandbox.calls()]


def test_auto_login_url_joins_the_call(api, sandbox):
    created = api.ok("createQuickCall", data={"expiredDate": str(now_ms() + 600_000), "password": "000"})
    with httpx.Client(trust_env=False) as client:
        wrong = client.get(created["url"], params={"userName": "太郎", "password": "999"})
        assert wrong.status_code == 403
        page = client.get(created["url"], params={"userName": "太郎", "password": "000"})
    assert page.status_code == 200 and "太郎" in page.text
    stats = api.ok("getCallStats", data={"roomName": created["sid"]})
    assert stats["participants"] == 1 and stats["inProgress"] is True


def test_call_without_password_or_title(api):
    created = api.ok("createQuickCall", data={"expiredDate": str(now_ms() + 600_000)})
    assert api.ok("getCallStats", data={"roomName": created["sid"]})["title"] == ""


def test_demo_calls_have_live_participants(api, sandbox):
    calls = sandbox.calls()
    assert len(calls) >= 4
    assert any(c["inProgress"] and c["participants"] > 0 for c in calls)
    assert any(c["participants"] == 0 for c in calls)  # one waits for its first participant
    for call in calls:
        stats = api.ok("getCallStats", data={"roomName": call["sid"]})
        assert stats["participants"] == call["participants"]


# ---------------------------------------------------------------- users


def test_export_users_csv(api):
    reply = api.post("exportUsers", "admin", data={"path": "exportUsers.csv"})
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/csv")
    assert 'filename="exportUsers.csv"' in reply.headers["content-disposition"]
    assert reply.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(reply.content.decode("utf-8-sig"))))
    assert rows[0] == ["uid", "email", "name", "romaji", "department", "position", "admin"]
    assert len(rows) == 301
    by_email = {r[1]: r for r in rows[1:]}
    for email in ("user1@xxx.com", "user2@xxx.com", "user1@test.com", "user2@test.com"):
        assert email in by_email
    assert by_email["user1@xxx.com"][0] == "11u1pu9d32p8vuvjoZdd"
    assert {r[6] for r in rows[1:]} <= {"true", "false"}


def test_export_users_path_only_names_the_file(api):
    reply = api.post("exportUsers", "admin", data={"path": '../../etc/"x".csv'})
    assert reply.status_code == 200
    assert 'filename="x.csv"' in reply.headers["content-disposition"]


def test_update_users_csv_creates_and_updates(api):
    text = (
        "uid,email,name,romaji,department,position,admin\n"
        ",new.person@example.co.jp,新人 太郎,Taro Shinjin,開発部,一般,false\n"
        "11u1pu9d32p8vuvjoZdd,user1@xxx.com,山田 太郎,Taro Yamada,経営企画部,部長,true\n"
    )
    body = api.ok("updateUsersCSV", "admin", files={"file": ("updateUsers.csv", text.encode(), "text/csv")})
    assert (body["created"], body["updated"]) == (1, 1)
    rows = list(csv.reader(io.StringIO(api.post("exportUsers", "admin").content.decode("utf-8-sig"))))
    by_email = {r[1]: r for r in rows[1:]}
    assert by_email["new.person@example.co.jp"][2] == "新人 太郎"
    assert len(by_email["new.person@example.co.jp"][0]) == 20
    assert by_email["user1@xxx.com"][4] == "経営企画部"
    # the new person can now receive messages
    assert api.send("messenger", "ようこそ", "new.person@example.co.jp").json()["status"] == 200


def test_update_users_csv_with_bom_and_partial_columns(api):
    text = "\ufeffemail,department\r\nuser2@xxx.com,法務部\r\n"
    body = api.ok("updateUsersCSV", "admin", files={"file": ("u.csv", text.encode("utf-8"), "text/csv")})
    assert (body["created"], body["updated"]) == (0, 1)
    rows = list(csv.reader(io.StringIO(api.post("exportUsers", "admin").content.decode("utf-8-sig"))))
    row = next(r for r in rows if r[1] == "user2@xxx.com")
    assert row[2] == "佐藤 花子" and row[4] == "法務部"  # empty/missing cells keep the current values


# ---------------------------------------------------------------- chat rooms


def test_update_chat_room_creates_then_updates(api, sandbox):
    room = {
        "name": "プロジェクトX",
        "createUserId": "11u1pu9d32p8vuvjoZdd",
        "adminUserId": "11u1pu9d32p8vuvjoZdd",
        "isPublic": False,
        "memberUids": {"11u1pu9d32p8vuvjoZdd": True, "1lmn7hoh3s1ja26fsazw": True},
    }
    created = api.ok("updateChatRoom", "admin", data={"chatRoom": json.dumps(room, ensure_ascii=False)})[
        "chatRoom"
    ]
    assert created["id"] and len(created["id"]) == 19 and created["id"].isdigit()
    assert created["name"] == "プロジェクトX"
    assert created["memberUids"] == {"11u1pu9d32p8vuvjoZdd": True, "1lmn7hoh3s1ja26fsazw": True}
    assert created["isPublic"] is False
    update = {
        **created,
        "name": "プロジェクトY",
        "memberUids": {**created["memberUids"], "hhx10sfdv1jyou4la1ny": True},
    }
    updated = api.ok("updateChatRoom", "admin", data={"chatRoom": json.dumps(update, ensure_ascii=False)})[
        "chatRoom"
    ]
    assert updated["id"] == created["id"] and updated["name"] == "プロジェクトY"
    assert set(updated["memberUids"]) == {
        "11u1pu9d32p8vuvjoZdd",
        "1lmn7hoh3s1ja26fsazw",
        "hhx10sfdv1jyou4la1ny",
    }
    # the renamed room is a message destination now
    assert api.send("プロジェクトY", "hi").json()["status"] == 200
    assert "プロジェクトY" in [r["name"] for r in sandbox.chat_rooms()]


def test_update_chat_room_spec_sample(api):
    """The spec's sample (with the missing comma after "name" fixed, trailing comma kept) updates 秘密会議."""
    sample = """{
   "id":"1564831284702237059",
   "name":"秘密会議",
   "createUserId":"11u1pu9d32p8vuvjoZdd",
   "adminUserId":"11u1pu9d32p8vuvjoZdd",
   "isPublic":false,
   "memberUids":{
      "11u1pu9d32p8vuvjoZdd":true,
      "1lmn7hoh3s1ja26fsazw":true,
      "hhx10sfdv1jyou4la1ny":true,
      "3400w9rfvs504c35dt99":true,
      "309d32p8vuvjo5euuuwx":true
   },
}"""
    room = api.ok("updateChatRoom", "admin", data={"chatRoom": sample})["chatRoom"]
    assert room["id"] == "1564831284702237059" and len(room["memberUids"]) == 5


# ---------------------------------------------------------------- schedule


def test_conference_master_and_rooms(api):
    master = api.ok("getConferenceMaster")["conferenceRooms"]
    assert master == api.ok("getConferenceRooms")["conferenceRooms"]
    assert len(master) == 12
    first = master[0]
    assert set(first) == {"id", "name", "capacity", "location", "floor"}
    assert first["id"] == "room-001"
    names = [r["name"] for r in master]
    assert any(n.isascii() for n in names) and any(not n.isascii() for n in names)
    assert all(isinstance(r["capacity"], int) and isinstance(r["floor"], int) for r in master)


def test_room_status_for_the_month(api):
    today = datetime.now(TOKYO)
    body = api.ok("getConferenceRoomStatus", data={"yyyyMMdd": today.strftime("%Y%m")})
    status = body["conferenceRoomStatus"]
    assert status["period"] == today.strftime("%Y%m") and status["timeZone"] == "Asia/Tokyo"
    first_day = datetime(today.year, today.month, 1, tzinfo=TOKYO)
    assert status["from"] == int(first_day.timestamp() * 1000)
    reservations = [r for room in body["conferenceRooms"] for r in room["reservedSchedules"]]
    assert len(reservations) > 100
    # where the spec's sample prints them (response["conferenceRoomStatus"]), and the top-level copy
    assert status["conferenceRooms"] == body["conferenceRooms"]
    for room in body["conferenceRooms"]:
        for r in room["reservedSchedules"]:
            assert r["roomId"] == room["id"]
            assert r["start"] < r["end"] and r["end"] > status["from"] and r["start"] < status["to"]
            assert set(r) == {"id", "roomId", "title", "start", "end", "organizerName", "organizerEmail"}
    now = now_ms()
    assert any(r["start"] <= now < r["end"] for r in reservations), "some meeting is in progress now"


def test_room_status_for_a_day_and_without_argument(api):
    today = datetime.now(TOKYO).strftime("%Y%m%d")
    body = api.ok("getConferenceRoomStatus", data={"yyyyMMdd": today})
    status = body["conferenceRoomStatus"]
    assert status["to"] - status["from"] == 86_400_000
    plain = api.ok("getConferenceRoomStatus")
    assert plain["conferenceRoomStatus"] is None
    assert "reservedSchedules" not in plain["conferenceRooms"][0]


def test_room_status_of_another_month_is_empty(api):
    body = api.ok("getConferenceRoomStatus", data={"yyyyMMdd": "201908"})
    assert all(room["reservedSchedules"] == [] for room in body["conferenceRooms"])


def test_index_page_lists_methods_without_tokens(sandbox):
    with httpx.Client(trust_env=False) as client:
        body = client.get(sandbox.url + "/").json()
    assert "sendMessages" in body["methods"]
    assert sandbox.admin_token not in json.dumps(body)


def test_stats_count_requests(api, sandbox):
    api.ok("getConferenceMaster")
    api.post("getConferenceMaster", token="nope")
    stats = sandbox.stats()
    assert stats["byMethod"]["getConferenceMaster"] == 2
    assert stats["byCode"]["200"] == 1 and stats["byCode"]["805"] == 1
    assert stats["counts"]["users"] == 300
    assert stats["uptimeSeconds"] >= 0 and stats["faultPlan"] == {}

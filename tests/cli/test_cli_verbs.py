"""The scripting verbs in-process against the sandbox: output, `--json`, exit codes, and bad input."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from camtui.cli.main import build_parser, main

TOKYO = ZoneInfo("Asia/Tokyo")


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


# ------------------------------------------------------------------------------------------------- send


def test_send_to_the_messenger(camtui, sandbox):
    r = camtui("send", "messenger", "Backup done", "-u", "user1@xxx.com,user2@xxx.com")
    assert r.code == 0 and r.err == ""
    (msg,) = sandbox.delivered_messages()
    assert r.out.strip() == f"sent {msg['id']} to messenger: user1@xxx.com, user2@xxx.com"
    assert (msg["text"], msg["recipients"], msg["seal"]) == (
        "Backup done",
        ["user1@xxx.com", "user2@xxx.com"],
        False,
    )


def test_send_to_a_room_from_stdin_with_seal_and_json(camtui, sandbox):
    r = camtui("send", "ルーム名", "-u", "user1@xxx.com", "-u", "user2@xxx.com", "--seal", "--json",
               stdin="Deploy finished\n2 行目\n")  # fmt: skip
    assert r.code == 0
    data = json.loads(r.out)
    assert data["panelName"] == "ルーム名" and data["recipients"] == ["user1@xxx.com", "user2@xxx.com"]
    (msg,) = sandbox.delivered_messages()
    assert (msg["id"], msg["text"], msg["seal"]) == (data["messageId"], "Deploy finished\n2 行目", True)


def test_send_api_error_exit_1_with_code_meaning_and_server_message(camtui, sandbox):
    r = camtui("send", "messenger", "hi", "-u", "ghost@elsewhere.org")
    assert r.code == 1 and r.out == ""
    first = r.err.splitlines()[0]
    assert first.startswith("camtui: error 452 User is not registered: ユーザが登録されていません。")
    assert "ghost@elsewhere.org" in first
    assert "hint:" in r.err and "Traceback" not in r.err
    assert sandbox.delivered_messages() == []


def test_api_error_as_json(camtui):
    r = camtui("send", "存在しない", "hi", "--json")
    assert r.code == 1
    error = json.loads(r.out)["error"]
    assert (error["kind"], error["code"], error["meaning"]) == (
        "api",
        "405",
        "Group (chat room) does not exist",
    )
    assert error["message"].startswith("グループが存在しません。")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("send", "messenger", "hi"), "needs at least one recipient"),
        (("send", "messenger", "hi", "-u", "bob"), "not an e-mail address"),
        (("send", "messenger", "   ", "-u", "user1@xxx.com"), "message is empty"),
    ],
)
def test_send_bad_input_is_one_line_exit_2_and_nothing_sent(camtui, sandbox, args, fragment):
    r = camtui(*args)
    assert r.code == 2
    assert fragment in one_line(r.err)
    assert sandbox.delivered_messages() == []


def test_bad_token_exit_1_with_hint_and_no_token_echo(camtui):
    r = camtui("call", "stats", "abcd1234", token="wrong-token-value")
    assert r.code == 1
    assert "805 Invalid API token" in r.err and "CAMTUI_API_TOKEN" in r.err
    assert "wrong-token-value" not in r.err + r.out


def test_user_token_on_admin_verb_is_800(camtui, sandbox, tmp_path):
    r = camtui("users", "export", str(tmp_path / "u.csv"), token=sandbox.user_token)
    assert r.code == 1 and "800 Administrator-only function" in r.err
    assert not (tmp_path / "u.csv").exists()


# ------------------------------------------------------------------------------------------------ rooms


def test_rooms_today_human(camtui):
    r = camtui("rooms")
    assert r.code == 0
    today = datetime.now(UTC).astimezone(TOKYO).date()
    assert r.out.startswith(f"12 rooms, {today.isoformat()} (Asia/Tokyo)")
    assert "(room-001" in r.out


def test_rooms_json_for_a_day_and_a_month(camtui):
    today = datetime.now(UTC).astimezone(TOKYO).date()
    day = json.loads(camtui("rooms", today.isoformat(), "--json").out)
    assert day["period"] == today.strftime("%Y%m%d") and len(day["rooms"]) == 12
    month = json.loads(camtui("rooms", today.strftime("%Y-%m"), "--json").out)
    assert month["period"] == today.strftime("%Y%m")
    day_count = sum(len(room["reservations"]) for room in day["rooms"])
    month_count = sum(len(room["reservations"]) for room in month["rooms"])
    assert month_count >= day_count and month_count > 0
    for room in month["rooms"]:
        for rsv in room["reservations"]:
            assert datetime.fromisoformat(rsv["start"]) < datetime.fromisoformat(rsv["end"])


def test_rooms_bad_date_exit_2(camtui):
    r = camtui("rooms", "someday")
    assert r.code == 2
    assert "cannot read 'someday' as a day" in one_line(r.err)


# ------------------------------------------------------------------------------------------------- call


def test_call_create_with_relative_expiry_then_stats(camtui, sandbox):
    before = datetime.now(UTC)
    r = camtui(
        "call", "create", "--title", "週次定例", "--password", "pw", "--expires", "in 2 hours", "--json"
    )
    assert r.code == 0, r.err
    call = json.loads(r.out)
    expires = datetime.fromisoformat(call["expiredDate"])
    assert before + timedelta(hours=2) <= expires <= datetime.now(UTC) + timedelta(hours=2)
    live = {c["sid"]: c for c in sandbox.calls()}
    assert live[call["sid"]]["title"] == "週次定例"
    assert live[call["sid"]]["expiredDate"] == call["expiredDateMs"]
    assert call["url"].endswith(f"/share/{call['sid']}")

    stats = camtui("call", "stats", call["sid"])
    assert stats.code == 0
    assert stats.out.startswith(f"call {call['sid']}: not in progress, 0 participant(s)")
    assert "週次定例" in stats.out


def test_call_create_at_a_wall_clock_time(camtui, sandbox):
    r = camtui("call", "create", "--expires", "tomorrow 18:00")
    assert r.code == 0
    sid = r.out.split()[2]
    expires_ms = {c["sid"]: c["expiredDate"] for c in sandbox.calls()}[sid]
    local = datetime.fromtimestamp(expires_ms / 1000, TOKYO)
    assert (local.date(), local.hour, local.minute) == (
        datetime.now(TOKYO).date() + timedelta(days=1), 18, 0)  # fmt: skip
    assert "expires:        " + local.strftime("%Y-%m-%d 18:00") in r.out


@pytest.mark.parametrize(
    ("when", "fragment"),
    [("bogus", "cannot read 'bogus'"), ("yesterday 9:00", "is in the past"), ("in 0m", "more than zero")],
)
def test_call_create_bad_expiry_exit_2(camtui, sandbox, when, fragment):
    before = len(sandbox.calls())
    r = camtui("call", "create", "--expires", when)
    assert r.code == 2
    line = one_line(r.err)
    assert line.startswith("camtui: --expires:") and fragment in line
    assert len(sandbox.calls()) == before


def test_call_stats_takes_the_share_url(camtui, sandbox):
    created = json.loads(camtui("call", "create", "--title", "共有URL", "--json").out)
    for ref in (created["url"], created["url"] + "?userName=太郎&password=000", f" <{created['url']}/> "):
        r = camtui("call", "stats", ref, "--json")
        assert r.code == 0, (ref, r.err)
        assert json.loads(r.out)["roomName"] == created["sid"] and r.err == ""


def test_call_stats_share_url_of_another_host_says_which_server_is_asked(camtui, sandbox):
    sid = json.loads(camtui("call", "create", "--json").out)["sid"]
    r = camtui("call", "stats", f"https://app.chat-messenger.com/share/{sid}")
    assert r.code == 0 and r.out.startswith(f"call {sid}:")
    assert "note: the URL is on app.chat-messenger.com" in one_line(r.err)


@pytest.mark.parametrize(
    ("ref", "fragment"),
    [
        ("", "empty SID"),
        ("   ", "empty SID"),
        ("http://127.0.0.1:1/rooms/abcd1234", "/share/"),
        ("http://127.0.0.1:1/share/", "/share/"),
        ("a b", "call ID is"),
    ],
)
def test_call_stats_bad_sid_exit_2_nothing_sent(camtui, sandbox, ref, fragment):
    r = camtui("call", "stats", ref)
    assert r.code == 2 and fragment in one_line(r.err)
    assert sandbox.stats()["byMethod"].get("getCallStats", 0) == 0


def test_call_stats_unknown_exit_1(camtui):
    r = camtui("call", "stats", "no-such-call", "--json")
    assert r.code == 1
    assert json.loads(r.out)["error"]["code"] == "400"


# ------------------------------------------------------------------------------------------------ users


def test_users_export_to_a_file_and_stdout(camtui, tmp_path):
    target = tmp_path / "people.csv"
    r = camtui("users", "export", str(target))
    assert r.code == 0 and r.out.strip() == f"exported 300 users to {target}"
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM, as the server sends it, for spreadsheet programs
    assert raw.decode("utf-8-sig").splitlines()[0] == "uid,email,name,romaji,department,position,admin"
    r = camtui("users", "export", "-", "--json")
    assert r.code == 0
    assert r.out.splitlines()[0] == "uid,email,name,romaji,department,position,admin"
    assert len(r.out.strip().splitlines()) == 301  # stdout holds the CSV only
    assert r.err.strip() == "camtui: exported 300 users"


def test_users_export_into_a_missing_folder_exit_2(camtui, tmp_path):
    r = camtui("users", "export", str(tmp_path / "nope" / "u.csv"))
    assert r.code == 2 and "does not exist" in one_line(r.err)


CSV = (
    "uid,email,name,romaji,department,position,admin\n"
    ",new.person@example.co.jp,新人 一郎,Ichiro Shinjin,開発部,,false\n"
    "11u1pu9d32p8vuvjoZdd,user1@xxx.com,山田 太郎,Taro Yamada,情報システム部,本部長,true\n"
    "1lmn7hoh3s1ja26fsazw,user2@xxx.com,佐藤 花子,Hanako Sato,総務部,課長,false\n"
)


def test_users_update_dry_run_changes_nothing_then_real_update(camtui, sandbox, tmp_path):
    path = tmp_path / "users.csv"
    path.write_text(CSV, encoding="utf-8")
    dry = camtui("users", "update", str(path), "--dry-run", "--json")
    assert dry.code == 0, dry.err
    # "update" counts rows of existing users, as the server's `updated` does; "changed" those that differ.
    assert json.loads(dry.out) == {"dryRun": True, "rows": 3, "create": 1, "update": 2, "changed": 1}
    assert sandbox.stats()["byMethod"].get("updateUsersCSV", 0) == 0
    human = camtui("users", "update", str(path), "--dry-run")
    assert "would create 1, update 2 (1 with changes, 1 identical)" in human.out

    real = camtui("users", "update", str(path), "--yes", "--rollback-dir", str(tmp_path / "data"))
    # the result line is kept; around it now: the plan, the rollback file, the verification (issue 13)
    assert real.code == 0 and "created 1, updated 2" in real.out.splitlines()
    assert real.out.splitlines()[-1] == "verified: the directory matches the plan"
    again = json.loads(camtui("users", "update", str(path), "--dry-run", "--json").out)
    assert (again["create"], again["update"], again["changed"]) == (0, 3, 0)


def test_users_update_from_stdin(camtui, tmp_path):
    r = camtui("users", "update", "-", "--json", "--yes", "--rollback-dir", str(tmp_path), stdin=CSV)
    data = json.loads(r.out)
    assert r.code == 0 and (data["created"], data["updated"]) == (1, 2)
    assert data["verified"] is True and data["mismatches"] == []
    assert data["rollback"].startswith(str(tmp_path / "rollback"))


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (CSV.replace("user2@xxx.com", "user2.xxx.com"), "line 4: not an e-mail address"),
        (CSV.replace(",false\n", ",maybe\n", 1), "line 2: admin must be true or false"),
        ("uid,name\n,A\n", "line 1: the header has no 'email' column"),
        ("uid,email,shoe_size\n,a@xxx.com,42\n", "line 1: unknown column 'shoe_size'"),
        (CSV + CSV.splitlines()[2] + "\n", "line 5: user1@xxx.com is also on line 3"),
        ("uid,email\n,a@xxx.com,extra\n", "line 2: 3 cells, the header has 2"),
        ("", "empty file"),
        ("uid,email,name\n", "no user rows"),
    ],
)
def test_users_update_bad_csv_exit_2_before_sending(camtui, sandbox, tmp_path, content, fragment):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    r = camtui("users", "update", str(path))
    assert r.code == 2
    assert fragment in one_line(r.err)
    assert sandbox.stats()["byMethod"].get("updateUsersCSV", 0) == 0


def test_users_update_not_utf8_or_missing(camtui, sandbox, tmp_path):
    path = tmp_path / "sjis.csv"
    raw = CSV.encode("shift_jis")  # what Excel on Japanese Windows saves
    path.write_bytes(raw)
    offset = raw.index("新人".encode("shift_jis"))
    assert raw[offset] == 0x90  # 新 in Shift_JIS: not a valid UTF-8 start byte
    r = camtui("users", "update", str(path), "--dry-run")
    assert r.code == 2
    assert one_line(r.err) == (
        f"camtui: {path}: the file is not UTF-8 but looks like Shift_JIS (cp932) "
        f"(byte 0x90 at offset {offset}, line 2); save it as UTF-8"
    )
    assert sandbox.stats()["byMethod"].get("exportUsers", 0) == 0  # refused before any request
    r = camtui("users", "update", str(tmp_path / "missing.csv"))
    assert r.code == 2 and "no such file" in one_line(r.err)


def test_users_update_reports_every_problem_at_once(camtui, sandbox, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "uid,email,name,romaji,department,position,admin\n"
        ",user1.xxx.com,A,,,,maybe\n"  # two problems on one line
        ",short@xxx.com,B\n"
        ",ok@xxx.com,C,,,,true\n"
        ",ok@xxx.com,D,,,,false\n",
        encoding="utf-8",
    )
    r = camtui("users", "update", str(path), "--dry-run")
    assert r.code == 2 and r.out == "" and "Traceback" not in r.err
    assert r.err.splitlines() == [
        f"camtui: {path}: line 2: not an e-mail address: 'user1.xxx.com'",
        f"camtui: {path}: line 2: admin must be true or false, got 'maybe'",
        f"camtui: {path}: line 3: 3 cells, the header has 7",
        f"camtui: {path}: line 5: ok@xxx.com is also on line 4",
        f"camtui: {path}: 4 problems; nothing was sent",
    ]
    assert sandbox.stats()["byMethod"].get("updateUsersCSV", 0) == 0


def test_users_update_caps_a_long_problem_list(camtui, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("email\n" + "".join(f"nobody{i}\n" for i in range(60)), encoding="utf-8")
    r = camtui("users", "update", str(path))
    lines = r.err.splitlines()
    assert r.code == 2 and len(lines) == 52
    assert lines[-2] == f"camtui: {path}: … and 10 more" and lines[-1].endswith(
        "60 problems; nothing was sent"
    )


# --------------------------------------------------------------------------------------------- chatroom

SPEC_CHATROOM = """let chatRoom = {\x20
   "id":"1564831284702237059",
   "name":"秘密会議"
   "createUserId":"11u1pu9d32p8vuvjoZdd",
   "adminUserId":"11u1pu9d32p8vuvjoZdd",
   "isPublic":false,
   "memberUids":{\x20
      "11u1pu9d32p8vuvjoZdd":true,
      "1lmn7hoh3s1ja26fsazw":true
   },
}
"""


def test_chatroom_spec_sample_names_the_missing_comma(camtui, sandbox, tmp_path):
    path = tmp_path / "room.js"
    path.write_text(SPEC_CHATROOM, encoding="utf-8")
    r = camtui("chatroom", str(path))
    assert r.code == 2 and "Traceback" not in r.err
    assert r.err.splitlines() == [
        f"camtui: {path}: not valid JSON (line 4, column 4: Expecting ',' delimiter)",
        'camtui: hint: a comma is missing at the end of line 3: "name":"秘密会議"',
    ]
    assert sandbox.stats()["byMethod"].get("updateChatRoom", 0) == 0


@pytest.mark.parametrize(
    ("wrapper", "end"),
    [
        ("let chatRoom = ", "\n"),
        ("\ufefflet chatRoom = ", ";"),
        ("const chatRoom=", ";\n"),
        ("var  chatRoom =\n", "\n;  \n"),
        ("\n  chatRoom=", ""),
    ],
)
def test_chatroom_js_wrappers_are_accepted(camtui, sandbox, tmp_path, wrapper, end):
    path = tmp_path / "room.js"
    body = SPEC_CHATROOM.removeprefix("let chatRoom = ")
    body = body.replace('"秘密会議"\n', '"新設ルーム",\n')
    body = body.replace('"id":"1564831284702237059",', "")  # a new room
    path.write_text(wrapper + body.rstrip() + end, encoding="utf-8")
    r = camtui("chatroom", str(path), "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["name"] == "新設ルーム"
    assert "新設ルーム" in {c["name"] for c in sandbox.chat_rooms()}


def test_chatroom_whole_pasted_sample_says_what_to_remove(camtui, tmp_path):
    path = tmp_path / "room.js"
    fixed = SPEC_CHATROOM.replace('"秘密会議"\n', '"秘密会議",\n')
    path.write_text(
        fixed + "let response = await getAPIClient().updateChatRoom(chatRoom);\n", encoding="utf-8"
    )
    r = camtui("chatroom", str(path))
    assert r.code == 2
    first, hint = r.err.splitlines()
    assert first == f"camtui: {path}: not valid JSON (line 12, column 1: Extra data)"
    assert hint.startswith("camtui: hint: the chatRoom object ends before line 12; remove what follows it")
    assert "let response = await" in hint


def test_chatroom_not_an_object_at_all_gets_a_hint(camtui, tmp_path):
    path = tmp_path / "room.js"
    path.write_text("let room = 5\n", encoding="utf-8")
    r = camtui("chatroom", str(path))
    assert r.code == 2
    assert r.err.splitlines()[0].endswith("not valid JSON (line 1, column 1: Expecting value)")
    assert "let chatRoom =` prefix is fine" in r.err.splitlines()[1]


def test_chatroom_shift_jis_same_wording_as_users_update(camtui, tmp_path):
    path = tmp_path / "room.json"
    path.write_bytes('{"name": "秘密会議"}'.encode("cp932"))
    r = camtui("chatroom", str(path))
    assert r.code == 2
    assert "not UTF-8 but looks like Shift_JIS (cp932) (byte 0x94 at offset 10, line 1)" in one_line(r.err)


def test_chatroom_from_a_spec_style_file(camtui, sandbox, tmp_path):
    path = tmp_path / "room.json"
    path.write_text(
        'chatRoom={\n "name":"設計レビュー",\n "createUserId":"11u1pu9d32p8vuvjoZdd",\n "isPublic":false,\n'
        ' "memberUids":{"11u1pu9d32p8vuvjoZdd":true,"1lmn7hoh3s1ja26fsazw":true,},\n}\n',
        encoding="utf-8",
    )
    r = camtui("chatroom", str(path), "--json")
    assert r.code == 0, r.err
    room = json.loads(r.out)
    assert room["name"] == "設計レビュー" and room["id"]
    assert room["memberUids"] == {"11u1pu9d32p8vuvjoZdd": True, "1lmn7hoh3s1ja26fsazw": True}
    assert "設計レビュー" in {c["name"] for c in sandbox.chat_rooms()}
    path.write_text(json.dumps({"id": room["id"], "name": "設計レビュー2"}), encoding="utf-8")
    r = camtui("chatroom", str(path))
    assert r.code == 0 and r.out.startswith(f"updated chat room {room['id']} '設計レビュー2' (2 members)")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ('{"name" "x"}', "not valid JSON (line 1, column 9: Expecting ':' delimiter)"),
        ("[1, 2]", "expected a JSON object"),
        ('{"isPublic": true}', 'needs a "name"'),
        ('{"name": "x", "memberUids": "a,b"}', '"memberUids" must be'),
    ],
)
def test_chatroom_bad_file_exit_2(camtui, tmp_path, content, fragment):
    path = tmp_path / "room.json"
    path.write_text(content, encoding="utf-8")
    r = camtui("chatroom", str(path))
    assert r.code == 2 and fragment in one_line(r.err)


def test_chatroom_truncated_file_says_the_object_is_not_closed(camtui, tmp_path):
    path = tmp_path / "room.json"
    path.write_text('{"name": "x",\n "isPublic": true\n', encoding="utf-8")
    r = camtui("chatroom", str(path))
    assert r.code == 2
    assert (
        r.err.splitlines()[1]
        == "camtui: hint: the file ends before the object is closed: a } or ] is missing"
    )


def test_chatroom_rejected_by_the_server_exit_1(camtui, tmp_path):
    path = tmp_path / "room.json"
    path.write_text('{"name": "秘密会議", "createUserId": "11u1pu9d32p8vuvjoZdd"}', encoding="utf-8")
    r = camtui("chatroom", str(path))
    assert r.code == 1 and "406 Group cannot be changed" in r.err


# ------------------------------------------------------------------------------ configuration, network


def test_no_server_or_token_configured_exit_2(isolated_env, capsys):
    assert main(["rooms"]) == 2
    assert "no server URL" in one_line(capsys.readouterr().err)
    isolated_env.setenv("CAMTUI_SERVER_URL", "http://127.0.0.1:9")
    assert main(["rooms"]) == 2
    assert "no API token" in one_line(capsys.readouterr().err)


def test_server_down_exit_3(isolated_env, capsys):
    import socket

    from camtui.api import RetryPolicy
    from camtui.cli import scripting

    isolated_env.setattr(scripting, "RETRY_POLICY", RetryPolicy(max_attempts=2, base_delay=0.01))

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    isolated_env.setenv("CAMTUI_SERVER_URL", f"http://127.0.0.1:{port}")
    isolated_env.setenv("CAMTUI_API_TOKEN", "token-value-xyz")
    isolated_env.setenv("CAMTUI_CONFIG", "")
    code = main(["call", "stats", "abcd", "--json"])
    captured = capsys.readouterr()
    assert code == 3
    assert json.loads(captured.out)["error"]["kind"] == "network"
    assert "network error" in captured.err and "token-value-xyz" not in captured.err


def test_outcome_unknown_exit_3_and_not_resent(camtui, sandbox):
    sandbox.set_faults({"reset_after": 1.0, "times": 1, "methods": ["sendMessage"]})
    r = camtui("send", "messenger", "once", "-u", "user1@xxx.com")
    assert r.code == 3
    assert "outcome unknown for sendMessage" in one_line(r.err)
    assert [m["text"] for m in sandbox.delivered_messages()] == ["once"]


def test_unreadable_answer_to_a_write_exit_3(camtui, sandbox):
    sandbox.set_faults({"garbage": 1.0, "times": 1, "methods": ["createQuickCall"]})
    r = camtui("call", "create", "--expires", "in 1h")
    assert r.code == 3 and "outcome unknown for createQuickCall" in one_line(r.err)


def test_unreadable_answer_to_a_read_exit_1(camtui, sandbox):
    sandbox.set_faults({"garbage": 1.0, "times": 1, "methods": ["getConferenceRoomStatus"]})
    r = camtui("rooms")
    assert r.code == 1 and r.err.startswith("camtui: error 500 Malformed response: the server's answer is")


def test_usage_errors_exit_2():
    with pytest.raises(SystemExit) as info:
        main(["call"])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        main(["send"])
    assert info.value.code == 2


def test_no_scripting_verb_takes_a_token_argument():
    import argparse

    parser = build_parser()
    verbs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    seen: list[str] = []

    def walk(p: argparse.ArgumentParser) -> None:
        for action in p._actions:
            seen.extend(action.option_strings)
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    walk(sub)

    for name in ("send", "rooms", "call", "users", "chatroom"):
        walk(verbs[name])
    assert "--json" in seen and "--expires" in seen
    assert not [opt for opt in seen if "token" in opt.lower()]


@pytest.mark.parametrize(
    "argv",
    [
        ["alerts", "check"],
        ["alerts", "run", "--for", "1"],
        ["rooms"],
        ["users", "export", "out.csv"],
        ["send", "--users", "a@b.c", "hi"],
        ["serve"],
        ["config"],
    ],
)
def test_config_is_accepted_after_the_verb_and_one_before_it_is_kept(argv: list[str]) -> None:
    """`camtui alerts check --config F` is what people type; `camtui --config F alerts check` still works."""
    parser = build_parser()
    assert parser.parse_args([*argv, "--config", "/x/after.toml"]).config == "/x/after.toml"
    assert parser.parse_args(["--config", "/x/before.toml", *argv]).config == "/x/before.toml"
    assert parser.parse_args(argv).config is None


def test_a_config_error_after_the_verb_names_the_file_and_line(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[alerts]]\nname = "a"\ncall = "abcd1234"\nwhen = "participants == 0"\nfor = "zz"\n')
    assert main(["alerts", "check", "--config", str(bad)]) == 2
    assert f"{bad}:5:" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["demo"],
        ["demo", "--rooms", "1000", "--users", "100000", "--fresh", "--config", "x.toml"],
        ["serve", "--listen-fd", "7", "--db", "s.db", "--rooms", "3", "--no-simulation"],
        ["serve", "--port", "0", "--admin-token", "a", "--faults", "error_503=0.5"],
    ],
)
def test_a_fast_verb_parses_as_the_whole_parser_does(argv: list[str]) -> None:
    """`camtui demo` and `camtui serve` build their parser from their own module only (~100 ms of imports
    less before the demo starts its sandbox, and in that sandbox): the same arguments, the same result."""
    from camtui.cli.main import FAST_VERBS

    whole = vars(build_parser().parse_args(argv))
    fast = vars(build_parser(FAST_VERBS[argv[0]]).parse_args(argv))
    handlers = whole.pop("func"), fast.pop("func")  # the demo's is a closure made with each parser
    assert fast == whole
    assert len({(f.__module__, f.__qualname__) for f in handlers}) == 1


def test_a_fast_verb_imports_no_other_verbs_module() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from camtui.cli.main import FAST_VERBS, build_parser; build_parser(FAST_VERBS['serve']);"
        "print(sorted(m for m in sys.modules if m.startswith('camtui.cli.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "camtui.cli.scripting" not in out and "camtui.cli.web" not in out and "camtui.cli.serve" in out

"""The spec's own curl commands, verbatim, run by the real `curl` binary against the sandbox.

Only `${serverURL}` (an environment variable, as in the spec) and the token placeholder `token******` are
substituted. The sample files are written exactly as the spec shows them; the spec's sendMessages sample
shows two files' contents one after the other, so both are written and sent.

The vendor's page has a no-break space (U+00A0, an HTML `&nbsp;`) inside three of the commands (after
`@messages.json`, after the exportUsers header, after `file=@updateUsers.csv`). Pasted as is, bash does not
split there and curl fails ("no URL specified"). The constants below keep those characters, so they are
byte-for-byte the page's; `run` turns them into plain spaces, which is what a person retyping the command does.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="the curl binary is not installed")

SPEC = Path(__file__).resolve().parents[3] / "shared" / "spec" / "chat-messenger-api.txt"
PLACEHOLDER = "token******"

GET_ROOMS = 'curl -H "x-cam-apiToken:token******" ${serverURL}/getConferenceRooms'
SEND_MESSENGER = (
    'curl -H "x-cam-apiToken:token******" -d message="{\\"panelName\\":\\"messenger\\",\\"message\\":\\"Hello\\",'
    '\\"isOpened\\":false,\\"generalPurposes\\":{\\"users\\":\\"user1@xxx.com,user2@xxx.com\\"}}" ${serverURL}/sendMessage'
)
SEND_ROOM = (
    'curl -H "x-cam-apiToken:token******" -d message="{\\"panelName\\":\\"ルーム名\\",\\"message\\":\\"Hello\\",'
    '\\"isOpened\\":false,\\"generalPurposes\\":{\\"users\\":\\"user1@xxx.com,user2@xxx.com\\"}}" ${serverURL}/sendMessage'
)
NBSP = "\u00a0"
SEND_BATCH = f'curl -H "x-cam-apiToken:token******" -d @messages.json{NBSP}${{serverURL}}/sendMessages '
EXPORT_USERS = (
    f'curl -H "x-cam-apiToken:token******"{NBSP}-d "path=exportUsers.csv" ${{serverURL}}/exportUsers'
)
UPDATE_USERS = (
    f'curl -H "x-cam-apiToken:token******" -F "file=@updateUsers.csv"{NBSP}${{serverURL}}/updateUsersCSV'
)

MESSAGES_JSON_1 = """messages=[
 {"message":"こんにちは 1","property":{"users":"user1@test.com,user2@test.com"}},
 {"message":"こんにちは 2","property":{"users":"user1@test.com,user2@test.com"}},
 {"message":"こんにちは 3","property":{"users":"user1@test.com,user2@test.com"}},
 {"message":"こんにちは 4","property":{"users":"user1@test.com,user2@test.com"}},
]
"""
MESSAGES_JSON_2 = """messages=[
  {"send": "test", "message":"テスト 1"}
]
"""
UPDATE_USERS_CSV = """uid,email,name,romaji,department,position,admin
,hanako.kimura@example.co.jp,木村 花子,Hanako Kimura,人事部,課長,false
3400w9rfvs504c35dt99,user2@test.com,高橋 美咲,Misaki Takahashi,品質保証部,主任,false
"""


def test_commands_are_the_specs_verbatim():
    if not SPEC.exists():
        pytest.skip("the vendor's page is not next to this checkout")
    spec = SPEC.read_text(encoding="utf-8")
    for command in (GET_ROOMS, SEND_MESSENGER, SEND_ROOM, SEND_BATCH, EXPORT_USERS, UPDATE_USERS):
        assert command in spec, command
    for sample in (MESSAGES_JSON_1, MESSAGES_JSON_2):
        assert sample.rstrip("\n") in spec


def test_the_pages_no_break_spaces_really_break_the_paste(sandbox, tmp_path):
    """Why `run` replaces U+00A0: pasted verbatim, curl itself gives up before reaching the server."""
    (tmp_path / "messages.json").write_text(MESSAGES_JSON_1, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["serverURL"] = sandbox.url
    pasted = SEND_BATCH.replace(PLACEHOLDER, sandbox.user_token)
    done = subprocess.run(["bash", "-c", pasted], cwd=tmp_path, env=env, capture_output=True, timeout=30)
    assert done.returncode != 0
    assert sandbox.delivered_messages() == []


def run(command: str, url: str, token: str, cwd: Path) -> bytes:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["serverURL"] = url
    done = subprocess.run(
        ["bash", "-c", command.replace(PLACEHOLDER, token).replace(NBSP, " ")],
        cwd=cwd,
        env=env,
        capture_output=True,
        timeout=30,
        check=True,
    )
    return done.stdout


def test_get_conference_rooms_with_curl(sandbox, tmp_path):
    body = json.loads(run(GET_ROOMS, sandbox.url, sandbox.user_token, tmp_path))
    assert body["status"] == 200 and len(body["conferenceRooms"]) == 12


def test_send_message_samples_with_curl(sandbox, tmp_path):
    first = json.loads(run(SEND_MESSENGER, sandbox.url, sandbox.user_token, tmp_path))
    second = json.loads(run(SEND_ROOM, sandbox.url, sandbox.user_token, tmp_path))
    assert first["status"] == 200 and second["status"] == 200
    delivered = sandbox.delivered_messages()
    assert [(m["destination"], m["text"], m["recipients"]) for m in delivered] == [
        ("messenger", "Hello", ["user1@xxx.com", "user2@xxx.com"]),
        ("ルーム名", "Hello", ["user1@xxx.com", "user2@xxx.com"]),
    ]


def test_send_messages_sample_files_with_curl(sandbox, tmp_path):
    (tmp_path / "messages.json").write_text(MESSAGES_JSON_1, encoding="utf-8")
    body = json.loads(run(SEND_BATCH, sandbox.url, sandbox.user_token, tmp_path))
    assert body["status"] == 200 and body["count"] == 4
    (tmp_path / "messages.json").write_text(MESSAGES_JSON_2, encoding="utf-8")
    body = json.loads(run(SEND_BATCH, sandbox.url, sandbox.user_token, tmp_path))
    assert body["status"] == 200 and body["count"] == 1
    delivered = sandbox.delivered_messages()
    assert [m["text"] for m in delivered] == [
        "こんにちは 1",
        "こんにちは 2",
        "こんにちは 3",
        "こんにちは 4",
        "テスト 1",
    ]
    assert delivered[0]["recipients"] == ["user1@test.com", "user2@test.com"]
    assert delivered[4]["destination"] == "test"


def test_export_users_with_curl(sandbox, tmp_path):
    data = run(EXPORT_USERS, sandbox.url, sandbox.admin_token, tmp_path)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["uid", "email"] and len(rows) == 301


def test_update_users_csv_with_curl(sandbox, tmp_path):
    (tmp_path / "updateUsers.csv").write_text(UPDATE_USERS_CSV, encoding="utf-8")
    body = json.loads(run(UPDATE_USERS, sandbox.url, sandbox.admin_token, tmp_path))
    assert body == {"status": 200, "created": 1, "updated": 1}
    exported = run(EXPORT_USERS, sandbox.url, sandbox.admin_token, tmp_path).decode("utf-8-sig")
    assert "hanako.kimura@example.co.jp,木村 花子" in exported
    assert "user2@test.com,高橋 美咲,Misaki Takahashi,品質保証部" in exported


def test_curl_with_the_user_token_on_user_api_is_800(sandbox, tmp_path):
    body = json.loads(run(EXPORT_USERS, sandbox.url, sandbox.user_token, tmp_path))
    assert body["errors"][0]["code"] == "800"


def test_curl_with_a_wrong_token_is_805(sandbox, tmp_path):
    body = json.loads(run(GET_ROOMS, sandbox.url, "wrong", tmp_path))
    assert body == {"status": 520, "errors": [{"code": "805", "message": "APIトークンが正しくありません。"}]}

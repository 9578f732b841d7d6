"""The served JavaScript client beyond the page's samples: the methods the page shows only as curl, the
errors a JS integrator must be able to read, and getAPIClient's configuration."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from camtui.sandbox.runner import RunningSandbox

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


def run_js(sandbox: RunningSandbox, tmp_path: Path, body: str, env: dict[str, str] | None = None) -> object:
    """Run `body` (inside an async function, with the served client loaded); it ends with `return value;`."""
    client = tmp_path / "cam-api-client.js"
    client.write_bytes(httpx.get(f"{sandbox.url}/_sandbox/cam-api-client.js", trust_env=False).content)
    script = tmp_path / "run.js"
    script.write_text(
        f"require({json.dumps(str(client))});\n(async () => {{\n{body}\n}})()"
        ".then((v) => console.log(JSON.stringify(v)), (e) => { console.error(e); process.exit(1); });\n",
        encoding="utf-8",
    )
    base = {k: v for k, v in os.environ.items() if "proxy" not in k.lower() and not k.startswith("CAM_")}
    done = subprocess.run(["node", str(script)], env={**base, **(env or {})}, capture_output=True, text=True,
                          timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def admin_client(sandbox: RunningSandbox) -> str:
    config = {"apiToken": sandbox.admin_token, "serverURL": sandbox.url}
    return f"const client = new CAMAPIClient({json.dumps(config)});"


def test_send_messages_export_and_update_users(sandbox, tmp_path):
    csv_text = "uid,email,name,romaji,department,position,admin\n,new.person@example.co.jp,新井 一,Hajime Arai,総務部,一般,false\n"
    result = run_js(sandbox, tmp_path, admin_client(sandbox) + f"""
        const batch = await client.sendMessages([
            {{"message": "こんにちは 1", "property": {{"users": "user1@test.com,user2@test.com"}}}},
            {{"send": "test", "message": "テスト 1"}},
        ]);
        const update = await client.updateUsersCSV({json.dumps(csv_text)});
        const exported = await client.exportUsers("exportUsers.csv");
        return {{batch, update, csvHasNewPerson: exported.csv.includes("new.person@example.co.jp"),
                 csvStart: exported.csv.slice(0, 9), exportStatus: exported.status}};
    """)  # fmt: skip
    assert result["batch"]["status"] == 200 and result["batch"]["count"] == 2
    assert result["update"] == {"status": 200, "created": 1, "updated": 0}
    assert result["csvHasNewPerson"] and result["csvStart"] == "uid,email" and result["exportStatus"] == 200
    assert [m["text"] for m in sandbox.delivered_messages()] == ["こんにちは 1", "テスト 1"]


def test_errors_are_answers_with_an_errors_list(sandbox, tmp_path):
    sandbox.set_faults({"error_503": 1.0, "methods": ["getCallStats"], "times": 1})
    result = run_js(sandbox, tmp_path, f"""
        const wrong = await new CAMAPIClient({{"apiToken": "wrong", "serverURL": {json.dumps(sandbox.url)}}})
            .getConferenceMaster();
        const client = new CAMAPIClient({json.dumps({"apiToken": sandbox.user_token, "serverURL": sandbox.url})});
        const unavailable = await client.getCallStats("nope");
        const unknownCall = await client.getCallStats("nope");
        const notAdmin = await client.exportUsers();
        return {{wrong, unavailable, unknownCall, notAdmin}};
    """)  # fmt: skip
    assert result["wrong"] == {
        "status": 520,
        "errors": [{"code": "805", "message": "APIトークンが正しくありません。"}],
    }
    assert result["unavailable"]["errors"][0]["code"] == "503"
    assert result["unknownCall"]["errors"][0]["code"] == "400"
    assert result["notAdmin"]["errors"][0]["code"] == "800"


def test_a_garbage_answer_becomes_an_errors_list(sandbox, tmp_path):
    sandbox.set_faults({"garbage": 1.0, "methods": ["getConferenceMaster"], "times": 1})
    result = run_js(sandbox, tmp_path, f"""
        const client = new CAMAPIClient({json.dumps({"apiToken": sandbox.user_token, "serverURL": sandbox.url})});
        return await client.getConferenceMaster();
    """)  # fmt: skip
    assert result["status"] == 500 and "502 Bad Gateway" in result["errors"][0]["message"]


def test_get_api_client_from_the_environment_and_without_configuration(sandbox, tmp_path):
    env = {"CAM_API_TOKEN": sandbox.user_token, "CAM_SERVER_URL": sandbox.url}
    rooms = run_js(
        sandbox, tmp_path, "return (await getAPIClient().getConferenceRooms()).conferenceRooms.length;", env
    )
    assert rooms == 12
    message = run_js(
        sandbox, tmp_path, "try { getAPIClient(); return null; } catch (e) { return e.message; }"
    )
    assert "new CAMAPIClient" in message and "CAM_API_TOKEN" in message
    hidden = run_js(
        sandbox,
        tmp_path,
        admin_client(sandbox) + "return JSON.stringify(client) + String(Object.keys(client));",
    )
    assert (
        sandbox.admin_token not in hidden
    )  # the token is not an enumerable field: logging the client hides it


def test_the_script_is_served_without_a_token_and_the_api_still_needs_one(sandbox):
    script = httpx.get(f"{sandbox.url}/_sandbox/cam-api-client.js", trust_env=False)
    assert script.status_code == 200 and b"class CAMAPIClient" in script.content
    assert httpx.get(f"{sandbox.url}/_sandbox/stats", trust_env=False).json()["errors"][0]["code"] == "805"
